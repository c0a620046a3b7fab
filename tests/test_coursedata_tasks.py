"""The course's task datasets: they load through the public-format loaders with the documented sizes
and balance, hold the course brief's examples, and are exactly what the generators write."""
from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from minibert.course import baselines
from minibert.course.datagen import (
    task_multiple_choice,
    task_ner,
    task_nli,
    task_qa,
    task_qa_v2,
    task_sentiment,
    task_summarization,
    task_translation,
    world_split,
)
from minibert.course.datagen.task_all import GENERATORS
from minibert.course.datagen.task_common import tasks_dir
from minibert.tasks.classification import load_glue_tsv
from minibert.tasks.multiple_choice import load_swag
from minibert.tasks.ner import load_conll
from minibert.tasks.nli import NLI_LABELS, load_nli
from minibert.tasks.qa import load_squad
from minibert.tasks.summarization import load_summaries
from minibert.tasks.translation import load_parallel

DATA_DIR = tasks_dir()

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
    """The same hypothesis frame takes every label with some premise, none of them much more often."""
    data = load_nli(DATA_DIR / "nli" / "train.jsonl")

    def labels(pattern: str) -> Counter:
        return Counter(NLI_LABELS[e.label] for e in data if re.fullmatch(pattern, e.text_pair))

    for frame in (r"(The \w+|\w+) is in [^.]+\.", r"(The \w+|\w+) is not in [^.]+\.",
                  r"(The \w+|\w+) is wearing an? \w+ \w+\.", r"(The \w+|\w+) is not wearing an? \w+ \w+\.",
                  r"(The \w+|\w+) is [a-z ]+ with (his|her|its|another) \w+\."):
        counts = labels(frame)
        assert set(counts) == set(NLI_LABELS) and max(counts.values()) < 0.6 * sum(counts.values()), (frame, counts)


def test_nli_premise_words_in_the_hypothesis_do_not_give_the_label():
    """A hypothesis made of premise words only can be a contradiction (another garment's colour) or
    neutral, not only an entailment."""
    data = load_nli(DATA_DIR / "nli" / "train.jsonl")
    copied = Counter(NLI_LABELS[e.label] for e in data
                     if set(baselines.words(e.text_pair)) <= set(baselines.words(e.text)) | {"the"})
    assert min(copied.values()) > 0.05 * sum(copied.values()), copied


def test_qa_brief_example_and_sizes():
    train, dev = (load_squad(DATA_DIR / "qa" / f"{s}.json") for s in ("train", "dev"))
    assert not [e for e in train if "France" in e.question or "France" in e.context]  # held out
    france = dev[0]  # the lessons' demo: a dev question
    assert france.question == "What is the capital of France?" and france.context.startswith("The capital of France is Paris.")
    assert [a.text for a in france.answers] == ["Paris"] and france.answers[0].answer_start == 25
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
    train, dev = (load_conll(DATA_DIR / "ner" / f"{s}.txt") for s in ("train", "dev"))
    assert dev[0].tokens == "Barack Obama was born in Hawaii .".split()  # the lessons' demo: a dev sentence
    assert dev[0].tags == ["B-PER", "I-PER", "O", "O", "O", "B-LOC", "O"]
    assert not [e for e in train if {"Obama", "Hawaii"} & set(e.tokens)]
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
    data = load_swag(DATA_DIR / "multiple_choice" / "dev.csv")  # Paris is held out of training
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


# ----------------------------------------------------------------------------- held out: dev and test need reading
def _names(part: world_split.WorldPart) -> set[str]:
    """The names of a world part that the tasks write: countries, cities, regions, people, organisations,
    first, last and pet names (without a leading "the")."""
    names = {c.display for c in part.countries} | {c.name for c in part.cities} | set(part.regions)
    names |= {p.name for p in part.people} | {o.name for o in part.organisations}
    names |= set(part.first_names) | set(part.last_names) | set(part.pet_names)
    return {n.removeprefix("the ") for n in names}


def _mentioned(names: set[str], texts: set[str]) -> set[str]:
    pattern = re.compile(r"(?<!\w)(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")(?!\w)")
    return {m for text in texts for m in pattern.findall(text)}


def test_the_world_parts_do_not_share_a_name():
    assert not _names(world_split.TRAIN_PART) & _names(world_split.HELD_OUT_PART)
    assert "France" in {c.name for c in world_split.HELD_OUT_PART.countries}
    assert "Barack Obama" in {p.name for p in world_split.HELD_OUT_PART.people}


def test_ner_dev_and_test_mentions_are_not_training_entities():
    train = load_conll(DATA_DIR / "ner" / "train.txt")
    for split in ("dev", "test"):
        held_out = load_conll(DATA_DIR / "ner" / f"{split}.txt")
        assert baselines.mention_overlap(train, held_out) < 0.05  # the brief asks for well under a quarter
        assert baselines.ner(train, held_out)["longest-match lookup"] < 0.1
        # and a quarter of the sentences have shapes training never has
        shapes = {tuple(w for w, t in zip(e.tokens, e.tags) if t == "O") for e in train}
        unseen = sum(tuple(w for w, t in zip(e.tokens, e.tags) if t == "O") not in shapes for e in held_out)
        assert unseen > 0.2 * len(held_out)


def test_qa_dev_and_test_ask_about_what_training_never_mentions():
    contexts = {s: {e.context for e in load_squad(DATA_DIR / "qa" / f"{s}.json")} for s in SPLITS}
    train_names, held_names = _names(world_split.TRAIN_PART), _names(world_split.HELD_OUT_PART)
    assert not _mentioned(held_names, contexts["train"])
    for split in ("dev", "test"):
        assert not _mentioned(train_names, contexts[split]), split
        assert len(_mentioned(held_names, contexts[split])) > 50  # most of the held-out part is used
        questions = load_squad(DATA_DIR / "qa" / f"{split}.json")
        assert all(_mentioned(held_names, {e.question}) for e in questions)  # each asks about the held-out part


def test_sentiment_dev_and_test_review_other_things():
    def targets(domains) -> set[str]:
        return {t for subjects, aspects in domains.values() for t in subjects + aspects}

    train_targets, held_targets = targets(task_sentiment.TRAIN_DOMAINS), targets(task_sentiment.HELD_OUT_DOMAINS)
    assert not train_targets & held_targets
    texts = {s: {e.text for e in load_glue_tsv(DATA_DIR / "sentiment" / f"{s}.tsv")} for s in SPLITS}
    assert not _mentioned(held_targets, texts["train"])
    for split in ("dev", "test"):
        assert not _mentioned(train_targets, texts[split]) and len(_mentioned(held_targets, texts[split])) > 30
        unseen_words = set(task_sentiment.HELD_OUT_POSITIVE + task_sentiment.HELD_OUT_NEGATIVE)
        assert sum(bool(unseen_words & set(t.split())) for t in texts[split]) > len(texts[split]) / 4
    assert not {w for t in texts["train"] for w in t.split()} & unseen_words


@pytest.mark.parametrize("task, load, text", [
    ("nli", load_nli, lambda e: e.text + " " + e.text_pair),
    ("multiple_choice", load_swag, lambda e: " ".join([e.context, e.start, *e.endings])),
    ("summarization", load_summaries, lambda e: e.document),
])
def test_other_tasks_name_the_held_out_world_in_dev_and_test(task, load, text):
    ext = {"nli": "jsonl", "multiple_choice": "csv", "summarization": "jsonl"}[task]
    texts = {s: {text(e) for e in load(DATA_DIR / task / f"{s}.{ext}")} for s in SPLITS}
    train_names, held_names = _names(world_split.TRAIN_PART), _names(world_split.HELD_OUT_PART)
    assert not _mentioned(held_names, texts["train"])
    for split in ("dev", "test"):
        assert not _mentioned(train_names, texts[split]) and _mentioned(held_names, texts[split])


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
