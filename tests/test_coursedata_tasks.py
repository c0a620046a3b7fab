"""The course's task datasets: they load through the public-format loaders with the documented sizes
and balance, hold the course brief's examples, and are exactly what the generators write."""
from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from minibert.course.datagen import (task_multiple_choice, task_ner, task_nli, task_qa, task_qa_v2, task_sentiment,
                                 task_summarization, task_translation)
from minibert.course.datagen.task_all import GENERATORS
from minibert.course.datagen.task_common import tasks_dir

DATA_DIR = tasks_dir()
from minibert.tasks.formats import (NLI_LABELS, load_conll, load_glue_tsv, load_nli, load_parallel, load_squad,
                                    load_summaries, load_swag)

SPLITS = ("train", "dev", "test")


def _files(task: str) -> list[Path]:
    return sorted((DATA_DIR / task).iterdir())


# ----------------------------------------------------------------------------- the committed files
def test_committed_files_are_what_the_generators_write(tmp_path):
    """Regenerating with the default seed gives the committed bytes (data/ is in sync, and
    generation is deterministic)."""
    for generator in GENERATORS:
        generator.write(tmp_path / generator.TASK)
        written = sorted(p.name for p in (tmp_path / generator.TASK).iterdir())
        assert written == [p.name for p in _files(generator.TASK)]
        for name in written:
            assert (tmp_path / generator.TASK / name).read_bytes() == (DATA_DIR / generator.TASK / name).read_bytes(), \
                f"{generator.TASK}/{name} differs from its generator's output: rerun python -m minibert.course.datagen.task_all"


def test_total_size_is_small():
    assert sum(p.stat().st_size for p in DATA_DIR.rglob("*") if p.is_file()) < 8_000_000


def test_sentiment_sizes_and_exact_balance():
    for split, size in zip(SPLITS, task_sentiment.SIZES):
        data = load_glue_tsv(DATA_DIR / "sentiment" / f"{split}.tsv", label_names=["negative", "positive"])
        assert len(data) == size and data.skipped == {}
        assert Counter(e.label for e in data) == {0: size // 2, 1: size // 2}


NEGATIONS = ("not", "never", "far from", "hardly")


def _polarity(clause: str) -> int:
    """An independent reading of one clause: its opinion word, flipped by a negation."""
    words = clause.split()
    positive = [w for w in words if w in task_sentiment.POSITIVE]
    negative = [w for w in words if w in task_sentiment.NEGATIVE]
    assert len(positive) + len(negative) == 1, clause
    flipped = any(re.search(rf"\b{n}\b", clause) for n in NEGATIONS)
    return int(bool(positive) != flipped)


def test_sentiment_contrast_is_decided_by_the_clause_after_but():
    data = load_glue_tsv(DATA_DIR / "sentiment" / "train.tsv")
    contrasts = [e for e in data if " but " in e.text]
    assert len(contrasts) > 1000
    for e in contrasts:
        first, second = e.text.rstrip(" .").split(" but ")
        first = first.split(" : ")[-1]
        assert _polarity(second) == e.label != _polarity(first), e.text
    # the words alone do not decide: "bad" is in positive reviews ("not bad at all") and negative ones
    with_bad = Counter(e.label for e in data if re.search(r"\bbad\b", e.text))
    assert with_bad[0] > 100 and with_bad[1] > 100


def test_nli_sizes_balance_and_dash_rows():
    for split, n in zip(SPLITS, task_nli.N_PREMISES):
        data = load_nli(DATA_DIR / "nli" / f"{split}.jsonl")
        assert len(data) == 3 * n and data.label_names == NLI_LABELS
        assert Counter(e.label for e in data) == {0: n, 1: n, 2: n}
        assert data.skipped == ({"label '-'": task_nli.N_DISAGREED} if split == "train" else {})
    premises = [{e.text for e in load_nli(DATA_DIR / "nli" / f"{s}.jsonl")} for s in SPLITS]
    assert not (premises[0] & premises[1]) and not (premises[0] & premises[2]) and not (premises[1] & premises[2])


def test_nli_hypotheses_are_shared_across_labels():
    """The same hypothesis frame takes different labels with different premises."""
    data = load_nli(DATA_DIR / "nli" / "train.jsonl")

    def labels(pattern: str) -> set[str]:
        return {NLI_LABELS[e.label] for e in data if re.fullmatch(pattern, e.text_pair)}

    assert labels(r"Nobody is .*") == {"neutral", "contradiction"}
    assert labels(r"Someone is .*") == {"entailment", "neutral"}
    assert labels(r"(The \w+|\w+) is not .*") == {"entailment", "contradiction"}
    assert labels(r"(The \w+|\w+) is in [^.]+\.") == {"entailment", "contradiction"}


def test_qa_brief_example_and_sizes():
    train = load_squad(DATA_DIR / "qa" / "train.json")
    france = [e for e in train if e.question == "What is the capital of France?"]
    assert len(france) == 1 and france[0].context.startswith("The capital of France is Paris.")
    assert france[0].answers[0].text == "Paris" and france[0].answers[0].answer_start == 25
    for split, size in zip(SPLITS, task_qa.SIZES):
        data = load_squad(DATA_DIR / "qa" / f"{split}.json")
        assert len(data) == size and not any(e.is_impossible for e in data)
        # train has one answer per question, like SQuAD's; dev and test list the acceptable ones
        assert (max(len(e.answers) for e in data) > 1) == (split != "train")
    contexts = [{e.context for e in load_squad(DATA_DIR / "qa" / f"{s}.json")} for s in SPLITS]
    assert not (contexts[0] & contexts[1]) and not (contexts[0] & contexts[2]) and not (contexts[1] & contexts[2])


def test_qa_has_contexts_that_need_a_doc_stride():
    from transformers import BertTokenizerFast

    from minibert.hub import minilm_dir
    tok = BertTokenizerFast(str(minilm_dir() / "vocab.txt"))
    data = load_squad(DATA_DIR / "qa" / "train.json")
    contexts = sorted({e.context for e in data})
    long = {c for c, ids in zip(contexts, tok(contexts)["input_ids"]) if len(ids) - 2 > 200}
    assert len(long) >= 20
    late = [e for e in data if e.context in long
            and len(tok.tokenize(e.context[:e.answers[0].answer_start])) > 150]
    assert len(late) >= 20  # answers past the first 192-token window of question + context


def test_qa_v2_adds_unanswerable_questions():
    for split, size in zip(SPLITS, task_qa_v2.task_qa.SIZES):
        v1 = load_squad(DATA_DIR / "qa" / f"{split}.json")
        v2 = load_squad(DATA_DIR / "qa_v2" / f"{split}.json")
        answerable = [e for e in v2 if not e.is_impossible]
        assert len(answerable) == size and {e.question for e in answerable} == {e.question for e in v1}
        impossible = [e for e in v2 if e.is_impossible]
        assert 0.25 < len(impossible) / len(v2) < 0.4 and all(e.answers == [] for e in impossible)
        assert sum(bool(e.plausible_answers) for e in impossible) > len(impossible) / 2


def test_ner_brief_sentence_sizes_and_entity_types():
    train = load_conll(DATA_DIR / "ner" / "train.txt")
    assert train[0].tokens == "Barack Obama was born in Hawaii .".split()
    assert train[0].tags == ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
    for split, size in zip(SPLITS, task_ner.SIZES):
        data = load_conll(DATA_DIR / "ner" / f"{split}.txt")
        assert len(data) == size and data.changed == {}  # written in BIO already
        assert set(data.label_names) == {"O"} | {f"{p}-{t}" for p in "BI" for t in ("PER", "LOC", "ORG", "MISC")}
        begins = Counter(t[2:] for e in data for t in e.tags if t.startswith("B-"))
        assert min(begins.values()) > size / 10
    sentences = [{tuple(e.tokens) for e in load_conll(DATA_DIR / "ner" / f"{s}.txt")} for s in SPLITS]
    assert not (sentences[0] & sentences[1]) and not (sentences[0] & sentences[2])


def test_ner_four_columns_and_documents():
    lines = (DATA_DIR / "ner" / "dev.txt").read_text().splitlines()
    assert lines[0] == "-DOCSTART- -X- -X- O"
    assert {len(line.split()) for line in lines if line} == {4}
    assert sum(line.startswith("-DOCSTART-") for line in lines) >= 400 // 14


def test_multiple_choice_sizes_and_balance():
    for split, size in zip(SPLITS, task_multiple_choice.SIZES):
        data = load_swag(DATA_DIR / "multiple_choice" / f"{split}.csv")
        assert len(data) == size and all(len(e.endings) == 4 and len(set(e.endings)) == 4 for e in data)
        assert Counter(e.label for e in data) == {i: size // 4 for i in range(4)}


def test_multiple_choice_world_knowledge_items():
    data = load_swag(DATA_DIR / "multiple_choice" / "train.csv")
    flights = [e for e in data if e.start.endswith("booked a flight to") and "the Eiffel Tower" in e.context]
    assert flights and all(e.endings[e.label] == "Paris." for e in flights)


def test_summaries_sizes_and_key_sentences():
    for split, size in zip(SPLITS, task_summarization.SIZES):
        data = load_summaries(DATA_DIR / "summarization" / f"{split}.jsonl")
        assert len(data) == size
        for e in data:
            assert 6 <= len(e.sentences) <= 12 and len(e.summary_indices) == 2
            assert e.document == " ".join(e.sentences)
            assert e.summary == " ".join(e.sentences[i] for i in e.summary_indices)
        # the main fact is not always in the same place: position alone is not the answer
        assert len({e.summary_indices[1] for e in data}) >= 6


def test_translation_sizes_and_examples():
    sizes = {}
    for split, size in zip(SPLITS, task_translation.SIZES):
        data = load_parallel(DATA_DIR / "translation" / f"{split}.tsv")
        assert len(data) == size and data.skipped == {}
        sizes[split] = {e.target for e in data}
    assert not (sizes["train"] & sizes["dev"]) and not (sizes["train"] & sizes["test"])


@pytest.mark.parametrize("english, french", [
    ("the cat is black .", "le chat est noir ."),
    ("the old cows are not tired .", "les vieilles vaches ne sont pas fatiguées ."),
])
def test_translation_grammar_pieces(english, french):
    t = task_translation
    if english.startswith("the cat"):
        en, fr = t.noun_phrase(t.NOUN["cat"], "the")
        black = next(a for a in t.ADJECTIVES if a.en == "black")
        assert (f"{en} is {black.en} .", t.french([fr, "est", t._adjective(black, t.NOUN['cat'], False), "."])) \
            == (english, french)
    else:
        old = next(a for a in t.ADJECTIVES if a.en == "old")
        tired = next(a for a in t.ADJECTIVES if a.en == "tired")
        en, fr = t.noun_phrase(t.NOUN["cow"], "the", plural=True, adj=old)
        assert (f"{en} are not {tired.en} .",
                t.french([fr, "ne", "sont", "pas", t._adjective(tired, t.NOUN["cow"], True), "."])) == (english, french)


def test_translation_elision():
    t = task_translation
    assert t.french(["je", "ai", "un", "chat", "."]) == "j'ai un chat ."
    assert t.french(["il", "ne", "est", "pas", "là"]) == "il n'est pas là"
    assert t.french(["je", "ne", "ai", "pas", "de", "oiseau"]) == "je n'ai pas d'oiseau"
    assert t.french(["le oiseau"]) == "l'oiseau" and t.french(["je", "habite"]) == "j'habite"
    assert t.noun_phrase(t.NOUN["bird"], "the") == ("the bird", "l'oiseau")


# ----------------------------------------------------------------------------- determinism on small sizes
SMALL = [
    (task_sentiment, {"sizes": (20, 4, 4)}),
    (task_nli, {"n_premises": (6, 2, 2), "n_disagreed": 2}),
    (task_qa, {"sizes": (30, 10, 10)}),
    (task_qa_v2, {"sizes": (30, 10, 10)}),
    (task_ner, {"sizes": (30, 10, 10)}),
    (task_multiple_choice, {"sizes": (20, 8, 8)}),
    (task_summarization, {"sizes": (10, 3, 3)}),
    (task_translation, {"sizes": (50, 10, 10)}),
]


@pytest.mark.parametrize("module, sizes", SMALL, ids=[m.TASK for m, _ in SMALL])
def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path, module, sizes):
    def files(out: Path) -> dict[str, bytes]:
        return {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    module.write(tmp_path / "a", 7, **sizes)
    module.write(tmp_path / "b", 7, **sizes)
    module.write(tmp_path / "c", 8, **sizes)
    a = files(tmp_path / "a")
    assert sorted(a) == sorted(f"{s}.{ext}" for s in SPLITS for ext in {p.split(".")[1] for p in a})
    assert a == files(tmp_path / "b") and a != files(tmp_path / "c")


def test_generators_fail_loudly_when_templates_run_out():
    from minibert.course.datagen.task_common import draw_unique
    with pytest.raises(RuntimeError, match="only 2 different items"):
        draw_unique(lambda r: r.randrange(2), 3, random.Random(0))
