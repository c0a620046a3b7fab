"""Loaders for the public fine-tuning formats, exactly as they are published.

A learner can drop in the real files (GLUE's SST-2 or MRPC, SNLI/MNLI, CoNLL-2003, SQuAD v1.1/v2.0,
SWAG, XSum/CNN-DM style JSONL, parallel TSV/JSONL) or the course's own files under ``data/tasks/``,
which are written in the same formats.

Every loader returns a :class:`TaskData`: the examples (small dataclasses), the label names where the
task has labels, and what was skipped, counted by reason (SNLI's ``-`` rows, blank lines). Nothing is
dropped silently: skips are counted and logged. A malformed file raises :class:`FormatError`, which
names the file and the line (``data/train.tsv:17: expected 2 tab-separated columns, got 3``).

Each task names its loader (``minibert.tasks.qa.TASK.load`` is :func:`load_squad`); a dataset on the
Hugging Face hub is read by ``minibert.tasks.registry.load_hf_dataset`` (online users only).
"""
from __future__ import annotations

import csv
import json
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

logger = logging.getLogger(__name__)

NLI_LABELS = ["entailment", "neutral", "contradiction"]  # the order of GLUE's MNLI and HF's snli
SST2_LABELS = ["negative", "positive"]


class FormatError(ValueError):
    """A file that does not follow its format: ``str(error)`` is ``"path:line: what is wrong"``."""

    def __init__(self, path: str | Path, line: int | None, message: str):
        self.path, self.line, self.message = str(path), line, message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


# --------------------------------------------------------------------------- examples
@dataclass
class TextExample:
    """One sentence (SST-2) or a pair (MRPC, NLI). ``label`` indexes ``TaskData.label_names``;
    None in a test split without labels."""
    text: str
    text_pair: str | None = None
    label: int | None = None
    id: str | None = None


@dataclass
class TokenExample:
    """One CoNLL sentence: words and their BIO tags (same length)."""
    tokens: list[str]
    tags: list[str]
    id: str | None = None


@dataclass
class Answer:
    text: str
    answer_start: int  # character offset into the context


@dataclass
class QAExample:
    """One SQuAD question. ``answers`` may hold several (dev sets have one per annotator); it is
    empty for an impossible question (v2.0), whose ``plausible_answers`` may still be given."""
    id: str
    question: str
    context: str
    answers: list[Answer]
    title: str = ""
    is_impossible: bool = False
    plausible_answers: list[Answer] = field(default_factory=list)


@dataclass
class ChoiceExample:
    """One SWAG item: the context (``sent1``), the start of the second sentence (``sent2``) that each
    ending completes, the endings, and the index of the right one."""
    context: str
    start: str
    endings: list[str]
    label: int | None = None
    id: str | None = None


@dataclass
class SummaryExample:
    """A document and its reference summary. For extractive data, ``sentences`` are the document's
    sentences and ``summary_indices`` the (sorted) indices of the sentences in the summary."""
    document: str
    summary: str
    sentences: list[str] | None = None
    summary_indices: list[int] | None = None
    id: str | None = None


@dataclass
class ParallelExample:
    source: str
    target: str
    id: str | None = None


@dataclass
class TaskData:
    """What a loader returns: a list of examples plus what you need to know about them."""
    examples: list
    source: str
    label_names: list[str] | None = None
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> how many rows were skipped
    changed: dict[str, int] = field(default_factory=dict)  # e.g. IOB1 tags rewritten to BIO

    def __len__(self) -> int:
        return len(self.examples)

    def __iter__(self) -> Iterator:
        return iter(self.examples)

    def __getitem__(self, i: int):
        return self.examples[i]

    @property
    def num_labels(self) -> int | None:
        return None if self.label_names is None else len(self.label_names)


def finish_loading(data: TaskData) -> TaskData:
    """Log what was skipped or changed, so it is never silent; returns ``data``."""
    for reason, n in data.skipped.items():
        logger.warning("%s: skipped %d rows (%s)", data.source, n, reason)
    for what, n in data.changed.items():
        logger.info("%s: %d %s", data.source, n, what)
    return data


# --------------------------------------------------------------------------- raw readers
def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, line without its newline); utf-8, a BOM is ignored."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        for number, line in enumerate(f, start=1):
            yield number, line.rstrip("\r\n")


def _read_tsv(path: Path, skipped: Counter) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a TSV with a header, as (line, {column: value}). GLUE's files are NOT quoted CSV
    (MRPC's sentences contain bare quotes), so a row is split on tabs and nothing else."""
    lines = _lines(path)
    header: list[str] | None = None
    for number, line in lines:
        if not line.strip():
            skipped["blank line"] += 1
            continue
        values = line.split("\t")
        if header is None:
            header = values
            continue
        if len(values) != len(header):
            raise FormatError(path, number, f"expected {len(header)} tab-separated columns (as in the "
                                            f"header), got {len(values)}")
        yield number, dict(zip(header, values))
    if header is None:
        raise FormatError(path, 1, "empty file: expected a header line")


def _read_jsonl(path: Path, skipped: Counter) -> Iterator[tuple[int, dict]]:
    for number, line in _lines(path):
        if not line.strip():
            skipped["blank line"] += 1
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise FormatError(path, number, f"bad JSON: {e.msg} (column {e.colno})") from None
        if not isinstance(row, dict):
            raise FormatError(path, number, f"expected a JSON object, got {type(row).__name__}")
        yield number, row


def _field(row: dict, names: Iterable[str], path: Path, line: int, *, required: bool = True) -> Any:
    """The value of the first of ``names`` present in ``row``."""
    for name in names:
        if name in row:
            return row[name]
    if required:
        raise FormatError(path, line, f"missing field: one of {list(names)} (has {sorted(row)})")
    return None


def _label_index(value: str, label_names: list[str] | None, path: Path, line: int) -> int:
    """A label given by name ("positive") or index ("1") -> its index."""
    value = value.strip()
    if label_names is not None and value in label_names:
        return label_names.index(value)
    try:
        index = int(value)
    except ValueError:
        known = f"expected one of {label_names}" if label_names else "expected an integer (or pass label_names)"
        raise FormatError(path, line, f"unknown label {value!r}: {known}") from None
    if index < 0 or (label_names is not None and index >= len(label_names)):
        raise FormatError(path, line, f"label {index} out of range for labels {label_names}")
    return index


# --------------------------------------------------------------------------- classification
# Header names of the GLUE tasks: the first layout whose columns are all present is used.
_PAIR_COLUMNS = [("sentence1", "sentence2"), ("#1 String", "#2 String"),  # MNLI/RTE/SNLI, MRPC
                 ("question1", "question2"), ("question", "sentence"),      # QQP, QNLI
                 ("premise", "hypothesis")]                                 # HF's snli/mnli
_SINGLE_COLUMNS = ["sentence"]                                             # SST-2, CoLA (with header)
_LABEL_COLUMNS = ["label", "gold_label", "Quality", "is_duplicate"]        # MRPC's label is "Quality"
_ID_COLUMNS = ["index", "id", "pairID", "idx"]


def text_columns(header: Iterable[str], path: str | Path, line: int | None) -> tuple[str, str | None]:
    """The text column(s) of a row with these column names: a pair such as ("sentence1", "sentence2"), or
    ("sentence", None). ``path`` and ``line`` name the row in the error when there is none."""
    columns = set(header)
    for first, second in _PAIR_COLUMNS:
        if first in columns and second in columns:
            return first, second
    for name in _SINGLE_COLUMNS:
        if name in columns:
            return name, None
    raise FormatError(path, line, f"no text column among {sorted(columns)}: expected 'sentence' or a pair "
                                  f"such as 'sentence1'/'sentence2' or '#1 String'/'#2 String'")


def _text_examples(rows: Iterator[tuple[int, dict]], path: Path, label_names: list[str] | None,
                   skipped: Counter, skip_labels: tuple[str, ...] = ()) -> list[TextExample]:
    examples, columns = [], None
    for line, row in rows:
        if columns is None:
            first, second = text_columns(row, path, line)
            label_col = next((c for c in _LABEL_COLUMNS if c in row), None)
            id_col = next((c for c in _ID_COLUMNS if c in row), None)
            columns = first, second, label_col, id_col
        first, second, label_col, id_col = columns
        label = None
        if label_col is not None:
            raw = str(_field(row, [label_col], path, line))
            if raw.strip() in skip_labels:
                skipped[f"label {raw.strip()!r}"] += 1
                continue
            label = _label_index(raw, label_names, path, line)
        examples.append(TextExample(
            text=str(_field(row, [first], path, line)),
            text_pair=None if second is None else str(_field(row, [second], path, line)),
            label=label,
            id=None if id_col is None else str(row.get(id_col)),
        ))
    return examples


def _inferred_labels(examples: list[TextExample], label_names: list[str] | None) -> list[str] | None:
    if label_names is not None:
        return list(label_names)
    labels = [e.label for e in examples if e.label is not None]
    return [str(i) for i in range(max(labels) + 1)] if labels else None


def load_glue_tsv(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """A GLUE-style TSV with a header: one sentence (``sentence``, ``label``: SST-2) or a pair
    (``sentence1``/``sentence2``, MRPC's ``#1 String``/``#2 String`` with label ``Quality``, QQP,
    QNLI). Labels are integers, or names from ``label_names``. A test split has no label column:
    its labels are None. Without ``label_names`` they are ``["0", "1", ...]``."""
    path, skipped = Path(path), Counter()
    examples = _text_examples(_read_tsv(path, skipped), path, label_names, skipped)
    return finish_loading(TaskData(examples, str(path), _inferred_labels(examples, label_names), dict(skipped)))


def load_nli(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """SNLI or MNLI: JSONL (``.jsonl``/``.json``: ``sentence1``, ``sentence2``, ``gold_label``) or the
    TSV release (``.tsv``/``.txt``, with a header including ``gold_label``). Labels are
    entailment/neutral/contradiction (:data:`NLI_LABELS`, or ``label_names`` for another set such as
    RTE's entailment/not_entailment); rows whose gold label is ``-`` (the annotators did not agree)
    are skipped and counted in ``skipped``."""
    path, skipped = Path(path), Counter()
    label_names = list(label_names or NLI_LABELS)
    if path.suffix in (".jsonl", ".json"):
        rows = _read_jsonl(path, skipped)
    elif path.suffix in (".tsv", ".txt"):
        rows = _read_tsv(path, skipped)
    else:
        raise FormatError(path, None, "NLI files must end in .jsonl/.json (JSON lines) or .tsv/.txt")
    examples = _text_examples(rows, path, label_names, skipped, skip_labels=("-",))
    return finish_loading(TaskData(examples, str(path), label_names, dict(skipped)))


# --------------------------------------------------------------------------- NER
def iob1_to_bio(tags: list[str]) -> list[str]:
    """CoNLL-2003's IOB1 -> BIO. In IOB1 an entity starts with I-; B- is only used when an entity
    directly follows another of the same type. The rule: an ``I-X`` that starts an entity (first tag,
    or after ``O``, or after a tag of another type) becomes ``B-X``. BIO input comes out unchanged."""
    bio, previous = [], "O"
    for tag in tags:
        if tag.startswith("I-") and (previous == "O" or previous[2:] != tag[2:]):
            tag = "B-" + tag[2:]
        bio.append(tag)
        previous = tag
    return bio


def _check_tag(tag: str, path: Path, line: int, label_names: list[str] | None) -> None:
    if tag != "O" and not (tag[:2] in ("B-", "I-") and len(tag) > 2):
        raise FormatError(path, line, f"unknown tag {tag!r}: expected O, B-TYPE or I-TYPE")
    if label_names is not None and tag != "O" and "B-" + tag[2:] not in label_names:
        raise FormatError(path, line, f"unknown tag {tag!r}: expected one of {label_names}")


def load_conll(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """CoNLL-2003 NER: one word per line, whitespace-separated columns with the tag last (2 columns,
    ``word tag``, or 4, ``word POS chunk tag``; every line must have the same number), a blank line
    between sentences, ``-DOCSTART-`` lines between documents. Tags are converted from IOB1 to BIO
    (:func:`iob1_to_bio`; ``changed`` counts the rewritten tags); the middle columns are not used.
    ``label_names`` lists the tags found, ``O`` first, unless given (then every tag must be in it,
    so train and dev files share one label list)."""
    path, skipped = Path(path), Counter()
    examples: list[TokenExample] = []
    tokens: list[str] = []
    tags: list[str] = []
    n_columns, changed, document = None, 0, 0

    def end_sentence() -> None:
        nonlocal changed
        if tokens:
            bio = iob1_to_bio(tags)
            changed += sum(a != b for a, b in zip(tags, bio))
            examples.append(TokenExample(list(tokens), bio, id=f"{document}-{len(examples)}"))
            tokens.clear()
            tags.clear()

    for number, line in _lines(path):
        columns = line.split()
        if not columns:
            end_sentence()
            continue
        if columns[0] == "-DOCSTART-":
            end_sentence()
            document += 1
            continue
        if n_columns is None:
            if len(columns) < 2:
                raise FormatError(path, number, f"expected 'word ... tag' (2 or more columns), got {line!r}")
            n_columns = len(columns)
        if len(columns) != n_columns:
            raise FormatError(path, number, f"expected {n_columns} columns (as on the first word line), "
                                            f"got {len(columns)}: {line!r}")
        _check_tag(columns[-1], path, number, label_names)
        tokens.append(columns[0])
        tags.append(columns[-1])
    end_sentence()
    found = sorted({t for e in examples for t in e.tags} - {"O"}, key=lambda t: (t[2:], t[:2]))
    names = list(label_names) if label_names else ["O"] + found
    return finish_loading(TaskData(examples, str(path), names, dict(skipped),
                                   {"IOB1 tags rewritten as B-": changed} if changed else {}))


# --------------------------------------------------------------------------- SQuAD
def _line_of_id(text: str, qid: str) -> int | None:
    """The 1-based line of ``"id": "<qid>"`` in a JSON text, to name the line of an error (only
    computed when there is an error: it scans the file)."""
    match = re.search(r'"id"\s*:\s*' + re.escape(json.dumps(qid)), text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _answers(raw: Any, context: str, qid: str, key: str, fail: Callable[[str], FormatError]) -> list[Answer]:
    if not isinstance(raw, list):
        raise fail(f"question {qid!r}: {key!r} must be a list")
    answers = []
    for a in raw:
        try:
            answer = Answer(str(a["text"]), int(a["answer_start"]))
        except (KeyError, TypeError, ValueError):
            raise fail(f"question {qid!r}: each of {key!r} needs 'text' and an integer 'answer_start', "
                       f"got {a!r}") from None
        found = context[answer.answer_start:answer.answer_start + len(answer.text)]
        if answer.answer_start < 0 or found != answer.text:
            raise fail(f"question {qid!r}: answer {answer.text!r} is not at answer_start "
                       f"{answer.answer_start} (the context has {found!r} there)")
        answers.append(answer)
    return answers


def load_squad(path: str | Path) -> TaskData:
    """SQuAD v1.1 or v2.0 JSON: ``data[].paragraphs[].context`` and ``qas[]`` with ``id``,
    ``question``, ``answers[].text/answer_start`` (character offsets) and, in v2.0, ``is_impossible``
    and ``plausible_answers``. Every answer must be found at its offset in the context (the error
    names the question id and its line). All answers of a question are kept."""
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    try:
        root = json.loads(text)
    except json.JSONDecodeError as e:
        raise FormatError(path, e.lineno, f"bad JSON: {e.msg} (column {e.colno})") from None
    if not isinstance(root, dict) or not isinstance(root.get("data"), list):
        raise FormatError(path, 1, "expected a JSON object with a 'data' list (SQuAD format)")
    examples: list[QAExample] = []
    for article in root["data"]:
        for paragraph in article.get("paragraphs", []):
            if not isinstance(paragraph, dict) or "context" not in paragraph or "qas" not in paragraph:
                raise FormatError(path, None, f"article {article.get('title')!r}: each paragraph needs "
                                              f"'context' and 'qas'")
            for qa in paragraph["qas"]:
                qid = str(qa.get("id"))

                def fail(message: str, qid: str = qid) -> FormatError:
                    return FormatError(path, _line_of_id(text, qid), message)

                if "id" not in qa or "question" not in qa:
                    raise FormatError(path, None, f"a question needs 'id' and 'question', got {qa!r}")
                impossible = bool(qa.get("is_impossible", False))
                answers = _answers(qa.get("answers", []), paragraph["context"], qid, "answers", fail)
                if impossible and answers:
                    raise fail(f"question {qid!r} is_impossible but has answers")
                if not impossible and not answers:
                    raise fail(f"question {qid!r} has no answers and is not marked is_impossible")
                plausible = _answers(qa.get("plausible_answers", []), paragraph["context"], qid,
                                     "plausible_answers", fail)
                examples.append(QAExample(qid, qa["question"], paragraph["context"], answers,
                                          str(article.get("title", "")), impossible, plausible))
    return finish_loading(TaskData(examples, str(path)))


# --------------------------------------------------------------------------- SWAG
def load_swag(path: str | Path) -> TaskData:
    """SWAG-style multiple choice: a CSV (quoted, as in the SWAG release) with ``sent1`` (the context),
    ``sent2`` (the start each ending completes), ``ending0`` .. ``endingN`` and ``label`` (absent in
    the test split). A file with only ``startphrase`` uses it as the context and an empty start."""
    path = Path(path)
    examples: list[ChoiceExample] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
            endings = [c for c in header if c.startswith("ending") and c[6:].isdigit()]
            endings.sort(key=lambda c: int(c[6:]))
            if len(endings) < 2 or not ({"sent1", "sent2"} <= set(header) or "startphrase" in header):
                raise FormatError(path, 1, f"SWAG header needs sent1/sent2 (or startphrase) and ending0, "
                                           f"ending1, ...; got {header}")
            while True:
                line = reader.line_num + 1
                values = next(reader, None)
                if values is None:
                    break
                if len(values) != len(header):
                    raise FormatError(path, line, f"expected {len(header)} columns (as in the header), "
                                                  f"got {len(values)}")
                row = dict(zip(header, values))
                label = None
                if "label" in row:
                    label = _label_index(row["label"], [str(i) for i in range(len(endings))], path, line)
                context, start = (row["sent1"], row["sent2"]) if "sent1" in row else (row["startphrase"], "")
                examples.append(ChoiceExample(context, start, [row[c] for c in endings], label,
                                              id=row.get("fold-ind") or row.get("id")))
        except csv.Error as e:
            raise FormatError(path, reader.line_num, f"bad CSV: {e}") from None
    return finish_loading(TaskData(examples, str(path), [str(i) for i in range(len(endings))]))


# --------------------------------------------------------------------------- summaries
def _summary_example(row: dict, path: Path, line: int) -> SummaryExample:
    document = _field(row, ["document", "article", "text"], path, line)  # XSum, CNN-DM, others
    summary = _field(row, ["summary", "highlights"], path, line)
    sentences = row.get("sentences")
    if isinstance(document, list):  # a document given as its list of sentences
        sentences, document = document, " ".join(document)
    indices = row.get("summary_indices")
    if not isinstance(document, str) or not isinstance(summary, str):
        raise FormatError(path, line, "document and summary must be strings")
    if sentences is not None and not (isinstance(sentences, list) and all(isinstance(s, str) for s in sentences)):
        raise FormatError(path, line, "'sentences' must be a list of strings")
    if indices is not None:
        if sentences is None:
            raise FormatError(path, line, "'summary_indices' needs the document's 'sentences'")
        if (not isinstance(indices, list) or not all(isinstance(i, int) for i in indices)
                or indices != sorted(set(indices)) or any(not 0 <= i < len(sentences) for i in indices)):
            raise FormatError(path, line, f"'summary_indices' must be sorted distinct indices into the "
                                          f"{len(sentences)} sentences, got {indices!r}")
    return SummaryExample(document, summary, sentences, indices, id=None if row.get("id") is None else str(row["id"]))


def load_summaries(path: str | Path) -> TaskData:
    """Documents with reference summaries, JSON lines as in Hugging Face's XSum (``document``,
    ``summary``) or CNN/DailyMail (``article``, ``highlights``). Extractive data also gives the
    document's ``sentences`` (or ``document`` as a list of sentences) and ``summary_indices``."""
    path, skipped = Path(path), Counter()
    examples = [_summary_example(row, path, line) for line, row in _read_jsonl(path, skipped)]
    return finish_loading(TaskData(examples, str(path), skipped=dict(skipped)))


# --------------------------------------------------------------------------- translation
def load_parallel(path: str | Path, source_lang: str = "en", target_lang: str = "fr") -> TaskData:
    """Parallel sentence pairs: a TSV without header, ``source<TAB>target`` on each line, or JSON lines
    ``{"translation": {"en": ..., "fr": ...}}`` as in Hugging Face's wmt/opus datasets (the languages
    are picked by ``source_lang`` and ``target_lang``; the TSV ignores them)."""
    path, skipped = Path(path), Counter()
    examples: list[ParallelExample] = []
    if path.suffix in (".jsonl", ".json"):
        for line, row in _read_jsonl(path, skipped):
            pair = _field(row, ["translation"], path, line)
            if not isinstance(pair, dict) or source_lang not in pair or target_lang not in pair:
                raise FormatError(path, line, f"'translation' must map {source_lang!r} and {target_lang!r} "
                                              f"to sentences, got {pair!r}")
            examples.append(ParallelExample(str(pair[source_lang]), str(pair[target_lang]), row.get("id")))
    else:
        for line, text in _lines(path):
            if not text.strip():
                skipped["blank line"] += 1
                continue
            values = text.split("\t")
            if len(values) != 2:
                raise FormatError(path, line, f"expected 'source<TAB>target' (2 columns), got {len(values)}")
            examples.append(ParallelExample(values[0], values[1]))
    return finish_loading(TaskData(examples, str(path), skipped=dict(skipped)))
