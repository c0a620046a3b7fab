"""What a lesson says must hold: no typed-in results, demos on held-out text, exercises that can fail.

* **Numbers in prose.** A result is printed by code; markdown keeps explanation and fixed facts. A number in
  a markdown cell is accepted only if it is a reference (lesson, section, exercise, list item), appears in
  the lesson's code (a configuration: ``STEPS = 200``), appears in an output nbval compares (so a rerun
  that changed it would fail), or is one of the few fixed facts below, each with its source. A number that
  only an ignored output (``# NBVAL_IGNORE_OUTPUT``) printed is refused: a rerun could change it unseen.
* **Demos on held-out examples.** No string in a lesson's code is a training example of a course task, and
  no sentence a lesson asks about (fill-mask included) is a training sentence of the pre-training corpus,
  except the course brief's own examples, which the corpus holds on purpose (``BRIEF``).
"""
from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

# Fixed facts a lesson may state in prose, with their source. Keep this short: anything else is printed.
FACTS = {
    "110M", "340M", "110", "340",          # BERT-base / BERT-large parameters (Devlin et al. 2019, §3)
    "512",                                   # BERT's maximum input length in tokens (Devlin et al. 2019, §3)
    "768", "1024", "1,024", "3072", "4096",  # hidden and feed-forward sizes of BERT-base / -large (ibid.)
    "12", "24", "16",                        # layers of BERT-base / -large, heads of BERT-large (ibid.)
    "30,522", "30522",                       # bert-base-uncased's WordPiece vocabulary (its vocab.txt)
    "15%", "15", "80%", "10%", "80/10/10",   # the masking recipe (Devlin et al. 2019, §3.1)
    "2018", "2019",                          # BERT's preprint and publication years
    "3.3B", "800M", "2,500M",                # BERT's pre-training words: BooksCorpus + Wikipedia (ibid. §3.1)
    "22.7M", "22,713,216",                   # MiniLM's parameters (its config; lesson 05 counts them)
    "1M", "1,000,000", "256",                # BERT's pre-training steps and batch (ibid. Appendix A.2)
    "1e-4", "5e-5", "3e-5", "2e-5", "0.01",  # BERT's learning rates and weight decay (ibid. Appendix A)
    "0.1",                                   # BERT's dropout (ibid.)
}
NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d(?:[\d,]*\d)?(?:\.\d+)?|\.\d+)(?:e-?\d+)?(?:%|[kKMB]\b)?(?![\w])")
REFERENCES = [
    r"\blessons? \d\d(?:\s*(?:[–-]|and|to|,)\s*\d\d)*", r"§\s*\d+(?:\s*[–-]\s*§?\d+)*", r"\bexercises? \d\d\.\d",
    r"\b\d\d\.\d\b(?= )", r"^\s*#+\s*\d+\.", r"^\s*\d+\.\s", r"\b\d\d_[a-z_]+\.ipynb",
    r"(?<![\d.,])0\d(?![\d.,])",                      # a lesson's number: 00 ... 09
    r"(?<=\|)\s*\d\d(?:\s*[–-]\s*\d\d)?\s*(?=\|)",       # a lesson's number in a table's cell
    r"(?<![\d.,])(?:19[5-9]\d|20[0-2]\d)(?![\d%]|[.,]\d)",  # a year (of a paper, a dataset: CoNLL-2003)
]


def cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def checked_output_text(cell: dict) -> str:
    """The outputs nbval compares: none for an ignored cell, and no images."""
    if cell["cell_type"] != "code" or "NBVAL_IGNORE_OUTPUT" in "".join(cell["source"]):
        return ""
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append("".join(output["text"]))
        for kind in ("text/plain", "text/markdown", "text/html"):
            texts.append("".join(output.get("data", {}).get(kind, "")))
    return "\n".join(texts)


def prose_numbers(markdown: str) -> list[str]:
    text = re.sub(r"```.*?```", " ", markdown, flags=re.S)
    text = re.sub(r"\$\$.*?\$\$|\$[^$\n]+\$|`[^`\n]+`", " ", text, flags=re.S)  # math and code
    text = re.sub(r"\]\([^)]*\)|<[^>]+>|https?://\S+", " ", text)                # link targets, HTML tags
    for pattern in REFERENCES:
        text = re.sub(pattern, " ", text, flags=re.M | re.I)
    return [m.group(0) for m in NUMBER.finditer(text)]


def accepted(number: str, code: str, outputs: str) -> bool:
    bare = number.rstrip("%kKMB")
    if number in FACTS or bare in FACTS:
        return True
    if re.fullmatch(r"[0-9]", bare):  # a digit in words' place ("2 layers", "step 3")
        return True
    return any(re.search(rf"(?<![\d.]){re.escape(form)}(?![\d])", text)
               for form in {number, bare, bare.replace(",", "")} for text in (code, outputs))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_numbers_in_prose_are_printed_by_code_or_are_facts(lesson):
    notebook = cells(lesson)
    code = "\n".join("".join(c["source"]) for c in notebook if c["cell_type"] == "code")
    outputs = "\n".join(checked_output_text(c) for c in notebook)
    unsourced = [(i, n) for i, c in enumerate(notebook) if c["cell_type"] == "markdown"
                 for n in prose_numbers("".join(c["source"])) if not accepted(n, code, outputs)]
    assert not unsourced, (f"{lesson.name}: numbers typed into markdown that no checked output prints, no code "
                           f"sets and no fixed fact covers (cell, number): {unsourced}")


# ------------------------------------------------------------------------------------------- demos

# The course brief's own sentences: the corpus holds them on purpose (data/README.md), so that the
# learner's model can be asked about them; every lesson that does also asks about held-out text.
BRIEF = {"the cat sat on the mat.", "i love playing football.", "it's my favorite sport.", "the sky is blue.",
         "the capital of france is paris.", "barack obama was born in hawaii.", "i love this movie.",
         "what is the capital of france?"}


def normalise(text: str) -> str:
    return " ".join(re.sub(r"\s+([.,!?;:'])", r"\1", text.lower()).split())


@lru_cache(maxsize=None)
def training_texts() -> frozenset[str]:
    """Every training example text of the course tasks (sentences, questions, contexts, pairs, documents)."""
    from minibert.course.datagen.task_common import tasks_dir
    from minibert.tasks import classification, multiple_choice, ner, nli, qa, summarization, translation

    tasks = tasks_dir()
    texts: set[str] = set()
    texts |= {e.text for e in classification.load_glue_tsv(tasks / "sentiment" / "train.tsv").examples}
    for e in nli.load_nli(tasks / "nli" / "train.jsonl").examples:
        texts |= {e.text, e.text_pair}
    for e in qa.load_squad(tasks / "qa" / "train.json").examples:
        texts |= {e.question, e.context}
    texts |= {" ".join(e.tokens) for e in ner.load_conll(tasks / "ner" / "train.txt").examples}
    for e in multiple_choice.load_swag(tasks / "multiple_choice" / "train.csv").examples:
        texts |= {e.context, e.start, *e.endings, f"{e.start} {e.endings[e.label]}"}
    for e in summarization.load_summaries(tasks / "summarization" / "train.jsonl").examples:
        texts |= set(e.sentences)
    texts |= {e.source for e in translation.load_parallel(tasks / "translation" / "train.tsv").examples}
    return frozenset(normalise(t) for t in texts if len(t.split()) >= 3)


@lru_cache(maxsize=None)
def corpus_sentences() -> frozenset[str]:
    from minibert.course.corpus import course_corpus

    return frozenset(normalise(s) for doc in course_corpus("train") for s in doc)


def string_literals(source: str) -> list[str]:
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def sentences_of(literal: str) -> list[str]:
    parts = re.split(r"(?<=[.!?])\s+", literal.strip())
    return [normalise(p) for p in parts + [literal] if len(p.split()) >= 3]


def is_training_sentence(sentence: str) -> bool:
    """A training sentence; with ``[MASK]`` (a fill-mask question), one whose blank(s) a training sentence
    fills, unless a sentence of the brief fills them too."""
    if "[mask]" in sentence:
        pattern = re.compile(re.escape(sentence).replace(re.escape("[mask]"), r"\S+?") + "$")
        if any(pattern.match(s) for s in BRIEF):
            return False
        return any(pattern.match(s) for s in corpus_sentences() | training_texts() if len(s) >= len(sentence) - 8)
    return sentence in training_texts() or sentence in corpus_sentences()


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_demos_use_held_out_text(lesson):
    found = []
    for cell in cells(lesson):
        if cell["cell_type"] != "code":
            continue
        for literal in string_literals("".join(cell["source"])):
            found += [s for s in sentences_of(literal) if s not in BRIEF and is_training_sentence(s)]
    assert not found, f"{lesson.name} demonstrates on training text: {sorted(set(found))}"
