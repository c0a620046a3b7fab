"""Reading pre-training corpora: documents made of sentences.

The standard format of BERT's pre-training data (Google's ``create_pretraining_data.py``) is plain UTF-8
text with **one sentence per line and a blank line between documents**. Next sentence prediction needs
the document boundaries (a "random" next sentence must come from another document), so a corpus is a
``list[list[str]]``: documents, each a list of sentences.

Two kinds of corpora are at hand with no network (the course's own is ``minibert.course.corpus``):

* ``stdlib_corpus()``: real prose from the Python standard library's own documentation (the language
  reference topics in ``pydoc_data`` and the docstrings of the library's modules), which every Python has.
* ``read_documents(path_or_glob)``: any user's files in the standard format (e.g. a Wikipedia extract).
"""
from __future__ import annotations

import ast
import functools
import glob
import os
import re
import sysconfig
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from minibert.files import atomic_write_text

Document = list[str]
PathLike = str | os.PathLike
Source = PathLike | Sequence[PathLike]


# --------------------------------------------------------------------------------------------
# The standard format
# --------------------------------------------------------------------------------------------

def resolve_paths(source: Source) -> list[Path]:
    """A path, a glob pattern (``"corpus/*.txt"``) or a list of them -> the files, in a stable order."""
    items = [source] if isinstance(source, (str, os.PathLike)) else list(source)
    if not items:
        raise ValueError("no corpus files given")
    paths: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if glob.has_magic(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise FileNotFoundError(f"no corpus file matches the pattern {text!r}")
            paths += [Path(m) for m in matches]
        elif Path(text).is_dir():
            raise IsADirectoryError(f"{text} is a directory; give a file or a pattern such as '{text}/*.txt'")
        elif not Path(text).is_file():
            raise FileNotFoundError(f"corpus file not found: {text}")
        else:
            paths.append(Path(text))
    return paths


def iter_file_documents(path: PathLike) -> Iterator[Document]:
    """Documents of one file, lazily: lines are sentences, blank lines end a document.

    Errors name the file: bytes that are not UTF-8 (with the line and byte offset), or a file with no text.
    Surrounding whitespace is stripped; a UTF-8 byte order mark at the start is ignored.
    """
    path = Path(path)
    document: Document = []
    found_text = False
    offset = 0
    with path.open("rb") as file:       # binary: a decoding error can then say exactly where it is
        for line_number, raw in enumerate(file, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as err:
                raise ValueError(
                    f"{path} is not UTF-8 text: undecodable byte {raw[err.start]:#04x} on line {line_number} "
                    f"(byte offset {offset + err.start})"
                ) from err
            offset += len(raw)
            sentence = line.lstrip("\ufeff").strip() if line_number == 1 else line.strip()
            if sentence:
                document.append(sentence)
                found_text = True
            elif document:
                yield document
                document = []
    if document:
        yield document
    if not found_text:
        raise ValueError(f"corpus file {path} is empty (no text lines)")


def iter_documents(source: Source) -> Iterator[Document]:
    """Documents from a path, a glob or a list of paths, lazily; a file's end also ends a document."""
    for path in resolve_paths(source):
        yield from iter_file_documents(path)


def read_documents(source: Source, min_documents: int = 2) -> list[Document]:
    """All documents from a path, a glob or a list of paths.

    Next sentence prediction draws its "random" sentences from *other* documents, so a corpus needs at
    least ``min_documents`` (2) of them; fewer is an error naming the files.
    """
    documents = list(iter_documents(source))
    check_documents(documents, min_documents, where=", ".join(str(p) for p in resolve_paths(source)))
    return documents


def check_documents(documents: Sequence[Document], min_documents: int = 2, where: str = "the corpus") -> None:
    """Raise a clear error if ``documents`` is too small for next sentence prediction."""
    if len(documents) < min_documents:
        found = "no documents" if not documents else f"only {len(documents)} document"
        raise ValueError(
            f"{where} has {found}; next sentence prediction needs at least {min_documents} documents "
            "(one sentence per line, a blank line between documents)"
        )


def format_corpus(documents: Sequence[Document]) -> str:
    """The standard pre-training format: one sentence per line, a blank line between documents."""
    return "\n\n".join("\n".join(doc) for doc in documents) + "\n"


def write_documents(documents: Iterable[Document], path: PathLike) -> Path:
    """Write documents in the standard format (one sentence per line, a blank line between documents)."""
    return atomic_write_text(path, format_corpus(list(documents)))


# --------------------------------------------------------------------------------------------
# Sentences from running text
# --------------------------------------------------------------------------------------------

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = ("e.g.", "i.e.", "etc.", "vs.", "cf.", "Mr.", "Mrs.", "Ms.", "Dr.", "No.", "approx.")
# A sentence ends at . ! or ? (optionally followed by a closing quote or bracket), then whitespace, then
# something that can start a sentence: a capital letter, a digit, a quote or an opening bracket.
_SENTENCE_END = re.compile(r"(?<=[.!?])([\"')\]]?)\s+(?=[A-Z0-9\"'(\[])")


def split_sentences(text: str) -> list[str]:
    """Split running text into sentences with a simple rule (see ``_SENTENCE_END``).

    Whitespace, line breaks included, is collapsed first. A full stop after a listed abbreviation
    (``e.g.``) or after a single capital letter (an initial, ``J. Smith``) does not end a sentence. This is
    good enough for documentation prose; it is not a general-purpose sentence splitter.
    """
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[start: match.start(1)]
        last_word = candidate.rsplit(" ", 1)[-1]
        if last_word in _ABBREVIATIONS or re.fullmatch(r"\(?[A-Z]\.", last_word):
            continue
        sentences.append(text[start: match.end(1)])
        start = match.end()
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


# --------------------------------------------------------------------------------------------
# The Python standard library's documentation, as a corpus of real prose
# --------------------------------------------------------------------------------------------

def _prose_paragraphs(text: str) -> list[str]:
    """Paragraphs of a reST-like text that are prose: not indented (code), not headings or rules, not tables."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = block.splitlines()
        if not lines or any(line.startswith((" ", "\t")) for line in lines):
            continue      # indented: a code example, a grammar rule or a quoted block
        if len(lines) >= 2 and set(lines[-1].strip()) <= set("*=-~^"):
            continue      # a heading underlined with ***** or =====
        if any(marker in block for marker in (">>>", "+---", "::=")):
            continue      # doctest, table, grammar
        paragraphs.append(" ".join(line.strip() for line in lines))
    return paragraphs


def _is_prose_sentence(sentence: str) -> bool:
    """A sentence of words: at least four, mostly letters, ending like a sentence."""
    words = sentence.split()
    letters = sum(c.isalpha() for c in sentence)
    return len(words) >= 4 and sentence[-1] in ".!?:" and letters >= 0.6 * len(sentence)


def _prose_document(text: str) -> Document:
    return [s for p in _prose_paragraphs(text) for s in split_sentences(p) if _is_prose_sentence(s)]


def _stdlib_sources() -> list[Path]:
    """The standard library's own modules, in a stable order, without tests, IDLE, site-packages."""
    root = Path(sysconfig.get_paths()["stdlib"])
    skip = {"test", "tests", "idle_test", "site-packages", "dist-packages", "lib2to3", "idlelib", "turtledemo",
            "__pycache__", "ensurepip", "pydoc_data"}
    return sorted(p for p in root.rglob("*.py") if not skip & set(p.relative_to(root).parts))


def _docstrings(path: Path) -> list[str]:
    """The module, class and function docstrings of one source file (parsed, never imported)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []            # a few stdlib files are templates or use another encoding: not prose
    nodes = [tree] + [n for n in ast.walk(tree) if isinstance(n, (ast.ClassDef, ast.FunctionDef,
                                                                      ast.AsyncFunctionDef))]
    return [doc for node in nodes if (doc := ast.get_docstring(node))]


@functools.lru_cache(maxsize=None)
def _stdlib_corpus(include_docstrings: bool, min_sentences: int) -> tuple[tuple[str, ...], ...]:
    from pydoc_data.topics import topics

    texts = [topics[name] for name in sorted(topics)]
    if include_docstrings:
        texts += [doc for path in _stdlib_sources() for doc in _docstrings(path)]
    documents = (_prose_document(text) for text in texts)
    return tuple(tuple(doc) for doc in documents if len(doc) >= min_sentences)


def stdlib_corpus(include_docstrings: bool = True, min_sentences: int = 2) -> list[Document]:
    """Real English prose every Python installation has, as documents of sentences.

    Documents are the language-reference topics of ``pydoc_data.topics`` (one per topic) and, with
    ``include_docstrings``, the module, class and function docstrings of the standard library's source
    files (one per docstring; files are parsed, never imported). Only prose paragraphs are kept (code,
    grammar, tables and headings are dropped), split with :func:`split_sentences`; documents with fewer
    than ``min_sentences`` sentences are dropped. The text depends on the Python version. Parsing the
    library takes a few seconds the first time; the result is cached in memory.
    """
    return [list(doc) for doc in _stdlib_corpus(include_docstrings, min_sentences)]
