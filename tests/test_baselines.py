"""The simple baselines of minibert.course.baselines: each does what its docstring says on small
examples, they are deterministic, and the datasheet's table is what they give on the course data."""
from __future__ import annotations

import json

import pytest

from minibert.course import baseline_table, baselines
from minibert.tasks.classification import TextExample
from minibert.tasks.metrics import rouge
from minibert.tasks.multiple_choice import ChoiceExample
from minibert.tasks.ner import TokenExample
from minibert.tasks.qa import Answer, QAExample
from minibert.tasks.summarization import SummaryExample
from minibert.tasks.translation import ParallelExample


def test_bags_of_words_and_bigrams():
    assert baselines.words("Not bad, at all.") == ["not", "bad", ",", "at", "all", "."]
    assert baselines.bag("not bad", prefix="h:") == ["h:not", "h:bad", "h:not bad"]
    assert baselines.bag("not bad", bigrams=False) == ["not", "bad"]


def test_logistic_regression_learns_and_is_deterministic():
    bags = [["good", "film"], ["bad", "film"], ["good", "book"], ["bad", "book"]] * 5
    labels = [1, 0, 1, 0] * 5
    first = baselines.fit_linear(bags, labels, 2)([["good"], ["bad"], ["unseen"]])
    again = baselines.fit_linear(bags, labels, 2)([["good"], ["bad"], ["unseen"]])
    assert first.argmax(-1).tolist()[:2] == [1, 0] and first.equal(again)
    assert abs(float(first[2, 0] - first[2, 1])) < 1e-6  # nothing known: the bias alone, balanced


def test_sentiment_and_nli_baselines_report_every_method():
    train = [TextExample("good film", label=1), TextExample("bad film", label=0)] * 10
    dev = [TextExample("good book", label=1), TextExample("bad book", label=0)]
    scores = baselines.sentiment(train, dev)
    assert scores == {"majority": 0.5, "bag of words": 1.0, "bag of uni+bigrams": 1.0}
    pairs = [TextExample("A man is running.", "A man is running.", 0), TextExample("A man is running.", "Nobody is.", 2),
             TextExample("A man is running.", "A man is tall.", 1)] * 5
    assert set(baselines.nli(pairs, pairs)) == {"majority", "hypothesis only (uni+bigrams)",
                                                "premise + hypothesis (uni+bigrams, new words)"}


def _qa(question: str, context: str, answer: str, qid: str = "q") -> QAExample:
    return QAExample(qid, question, context, [Answer(answer, context.index(answer))])


def test_qa_best_sentence_and_span():
    context = "Most people in Kenya speak Swahili. The capital of France is Paris. Lyon is a city."
    assert baselines.best_sentence("What is the capital of France?", context) == "The capital of France is Paris."
    assert baselines.best_span("What is the capital of France?", context, "last unasked run") == "Paris"
    assert baselines.best_span("What is the capital of France?", context, "1 words after the question's words") \
        == "Paris"
    example = _qa("What is the capital of France?", context, "Paris")
    scores = baselines.qa([example], [example])
    assert scores["best-overlap sentence"] == pytest.approx(100 / 3)  # "capital of france is paris": 1 word of 5
    assert max(scores.values()) == 100.0
    unanswerable = QAExample("u", "Who founded Lyon?", context, [], is_impossible=True)
    v2 = baselines.qa_v2([example], [example, unanswerable])
    assert v2["always no answer"] == 50.0


def test_ner_lookup_takes_the_longest_training_entity():
    train = [TokenExample("Barack Obama visited New York .".split(), ["B-PER", "I-PER", "O", "B-LOC", "I-LOC", "O"]),
             TokenExample("York is old .".split(), ["B-LOC", "O", "O", "O"])]
    lexicon = baselines.entity_lexicon(train)
    assert lexicon == {("Barack", "Obama"): "PER", ("New", "York"): "LOC", ("York",): "LOC"}
    assert baselines.lookup_tags("I love New York and York".split(), lexicon) == \
        ["O", "O", "B-LOC", "I-LOC", "O", "B-LOC"]
    dev = [TokenExample("Anna met Barack Obama .".split(), ["B-PER", "O", "B-PER", "I-PER", "O"])]
    assert baselines.mention_overlap(train, dev) == 0.5
    assert baselines.ner(train, dev)["longest-match lookup"] == pytest.approx(2 / 3)  # 1 of 1 found, 1 of 2 gold


def test_multiple_choice_baselines():
    item = ChoiceExample("Zoe's horse was hungry.", "She gave the horse", ["a book.", "some hay for the horse."], 1)
    scores = baselines.multiple_choice([item] * 4, [item])
    assert scores["majority position"] == 1.0 and scores["word overlap with the context"] == 1.0


def test_summarization_lead_two():
    sentences = ["One thing happened.", "Then a second.", "The key fact."]
    doc = SummaryExample(" ".join(sentences), "One thing happened. The key fact.", sentences, [0, 2])
    assert baselines.summarization([], [doc], "rouge1") == \
        {"lead-2": rouge(["One thing happened. Then a second."], ["One thing happened. The key fact."])["rouge1"]}


def test_translation_lexicon_aligns_words():
    pairs = [ParallelExample(en, fr) for en, fr in [
        ("the cat sleeps .", "le chat dort ."), ("the dog sleeps .", "le chien dort ."),
        ("a cat eats .", "un chat mange ."), ("the dog eats .", "le chien mange .")]]
    lexicon = baselines.translation_lexicon(pairs)
    assert (lexicon["cat"], lexicon["dog"], lexicon["sleeps"], lexicon["the"]) == ("chat", "chien", "dort", "le")
    assert baselines.translation(pairs, [ParallelExample("the cat eats .", "le chat mange .")]) == \
        {"word by word (Dice lexicon)": pytest.approx(100.0)}


# ----------------------------------------------------------------------------- the course data
@pytest.fixture(scope="module")
def stored():
    return json.loads(baseline_table.scores_path().read_text(encoding="utf-8"))


def test_the_stored_scores_are_of_the_committed_files(stored):
    assert set(stored["tasks"]) == set(baseline_table.TASKS)
    for task, entry in stored["tasks"].items():
        assert entry["files_sha256"] == baseline_table.files_digest(task), \
            f"data/tasks/{task} changed: rerun python -m minibert.course.baseline_table --finetuned"
        assert entry["finetuned"]["dev"], task


@pytest.mark.parametrize("task", ["qa", "ner", "summarization", "translation"])
def test_the_stored_baselines_are_what_the_code_gives(stored, task):
    """The cheap tasks are recomputed here (the others take a few seconds each)."""
    def flat(scores: dict) -> dict:
        return {(name, split, metric): value for name, splits in scores.items()
                for split, metrics in splits.items() for metric, value in metrics.items()}
    assert flat(baseline_table.score_baselines(task)) == pytest.approx(flat(stored["tasks"][task]["baselines"]))


def test_the_datasheet_shows_the_stored_table(stored):
    readme = (baseline_table.data_dir() / "README.md").read_text(encoding="utf-8")
    assert f"{baseline_table.START}\n{baseline_table.table(stored)}\n{baseline_table.END}" in readme


def test_fine_tuned_models_beat_the_best_baseline_by_far(stored):
    """What the held-out data is for: the shortcuts fall far short of a model that reads."""
    for task, entry in stored["tasks"].items():
        metric = baseline_table.TASKS[task][2][0]
        scale = 100 if metric in ("f1", "exact_match", "bleu") and task != "ner" else 1
        best = max(s["dev"][metric] for s in entry["baselines"].values())
        assert entry["finetuned"]["dev"][metric] - best > 0.2 * scale, (task, best, entry["finetuned"]["dev"])
