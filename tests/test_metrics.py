import math
import warnings

import pytest
import sacrebleu
import seqeval.metrics
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import rouge_scorer
from sklearn.metrics import confusion_matrix as sk_confusion_matrix
from sklearn.metrics import f1_score

from minibert.tasks import metrics as M

# --------------------------------------------------------------------------- classification

labels_lists = st.integers(1, 30).flatmap(
    lambda n: st.tuples(st.lists(st.sampled_from("abcd"), min_size=n, max_size=n),
                        st.lists(st.sampled_from("abcde"), min_size=n, max_size=n)))


@settings(max_examples=60, deadline=None)
@given(labels_lists)
def test_macro_f1_and_confusion_match_sklearn(pair):
    y_true, y_pred = pair
    assert M.macro_f1(y_true, y_pred) == pytest.approx(f1_score(y_true, y_pred, average="macro"))
    labels = sorted(set(y_true) | set(y_pred)) + ["unseen"]  # an extra label keeps sklearn from warning
    assert M.confusion_matrix(y_true, y_pred, labels) == sk_confusion_matrix(y_true, y_pred, labels=labels).tolist()
    assert M.confusion_matrix(y_true, y_pred) == [row[:-1] for row in M.confusion_matrix(y_true, y_pred, labels)[:-1]]


def test_classification_by_hand():
    y_true = [0, 0, 0, 0, 1, 1]
    y_pred = [0, 0, 0, 0, 0, 1]
    assert M.accuracy(y_true, y_pred) == pytest.approx(5 / 6)
    # class 0: tp 4, fp 1, fn 0 → 8/9; class 1: tp 1, fp 0, fn 1 → 2/3
    assert M.macro_f1(y_true, y_pred) == pytest.approx((8 / 9 + 2 / 3) / 2)
    assert M.confusion_matrix(y_true, y_pred) == [[4, 0], [1, 1]]
    assert M.confusion_matrix(y_true, y_pred, labels=[1, 0]) == [[1, 1], [0, 4]]


def test_classification_errors():
    with pytest.raises(ValueError, match="3 items but y_pred has 2"):
        M.accuracy([0, 1, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        M.macro_f1([], [])
    with pytest.raises(ValueError, match="not in labels"):
        M.confusion_matrix([0, 2], [0, 1], labels=[0, 1])


# --------------------------------------------------------------------------- SQuAD

@pytest.mark.parametrize("text, normalized", [
    ("The U.S.A.", "usa"),
    ("  An apple, a day!  ", "apple day"),
    ("theater anthem", "theater anthem"),  # articles only as whole words
    ("Ça, c'est «bon»", "ça cest «bon»"),  # only ASCII punctuation goes
    ("the", ""),
])
def test_normalize_answer(text, normalized):
    assert M.normalize_answer(text) == normalized


def test_exact_match_and_f1_by_hand():
    assert M.exact_match("The Eiffel Tower.", "eiffel tower") == 1.0
    assert M.exact_match("Eiffel", "eiffel tower") == 0.0
    # pred {cat, sat}, gold {cat, sat, down}: precision 1, recall 2/3
    assert M.f1("the cat sat", "a cat sat down") == pytest.approx(0.8)
    # a bag of words: "cat" matches once; precision 1/3, recall 1
    assert M.f1("cat cat cat", "cat") == pytest.approx(0.5)
    assert M.f1("dog", "cat") == 0.0
    assert M.f1("", "") == 1.0  # v2: no answer predicted for an unanswerable question
    assert M.f1("", "cat") == 0.0 and M.f1("the", "cat") == 0.0


def test_squad_best_over_gold_answers():
    refs = {"q1": ["Paris", "Paris, France"], "q2": ["red car", "blue car"]}
    assert M.squad({"q1": "paris", "q2": "the red car"}, refs) == {"exact_match": 100.0, "f1": 100.0}
    out = M.squad({"q1": "Paris France", "q2": "car"}, refs)
    assert out["exact_match"] == pytest.approx(50.0)
    assert out["f1"] == pytest.approx(100 * (1 + 2 / 3) / 2)
    with pytest.raises(KeyError, match="no prediction"):
        M.squad({"q1": "Paris"}, refs)
    with pytest.raises(ValueError, match="squad_v2"):
        M.squad({"q1": ""}, {"q1": []})


V2_REFS = {"q1": ["Paris"], "q2": [], "q3": [], "q4": ["1889", "in 1889"]}


def test_squad_v2_has_ans_no_ans():
    preds = {"q1": "Paris", "q2": "", "q3": "London", "q4": ""}
    out = M.squad_v2(preds, V2_REFS)
    assert out == {"exact": 50.0, "f1": 50.0, "total": 4,
                   "HasAns_exact": 50.0, "HasAns_f1": 50.0, "HasAns_total": 2,
                   "NoAns_exact": 50.0, "NoAns_f1": 50.0, "NoAns_total": 2}


def test_squad_v2_gold_answers_that_normalize_to_nothing_are_matched_by_the_empty_answer():
    out = M.squad_v2({"q": "", "r": "the"}, {"q": ["the", "."], "r": ["the"]})
    assert out == {"exact": 100.0, "f1": 100.0, "total": 2, "HasAns_exact": 100.0, "HasAns_f1": 100.0,
                   "HasAns_total": 2}  # as evaluate-v2.0.py: answerable, but only "" matches


def test_squad_v2_thresholds():
    preds = {"q1": "Paris", "q2": "Lyon", "q3": "London", "q4": "1889"}
    na_probs = {"q1": -2.0, "q2": 3.0, "q3": 1.0, "q4": 0.5}
    out = M.squad_v2(preds, V2_REFS, na_probs=na_probs)
    # threshold 1.0: only q2 (3.0 > 1.0) becomes "no answer", which is right → q1, q2, q4 right
    assert out["exact"] == 75.0
    # walk: all "" → 2 (q2, q3); +q1 → 3; +q4 → 4 (best, at 0.5); +q3 → 3; +q2 → 2
    assert out["best_exact"] == 100.0 and out["best_exact_thresh"] == 0.5
    assert out["best_f1"] == 100.0 and out["best_f1_thresh"] == 0.5
    assert M.squad_v2(preds, V2_REFS, na_probs=na_probs, na_prob_thresh=0.5)["exact"] == 100.0


def test_best_threshold_when_answering_nothing_is_best():
    preds = {"q1": "wrong", "q2": "Lyon", "q3": "London", "q4": "wrong"}
    na_probs = {"q1": 0.1, "q2": 0.2, "q3": 0.3, "q4": 0.4}
    score, threshold = M.find_best_threshold(preds, M._v2_raw_scores(preds, V2_REFS)[0], na_probs,
                                             {"q1": True, "q2": False, "q3": False, "q4": True})
    assert score == 50.0 and threshold == -math.inf
    assert M.squad_v2(preds, V2_REFS, na_probs=na_probs, na_prob_thresh=threshold)["exact"] == score


# --------------------------------------------------------------------------- NER

def test_get_entities_bio_iob1_and_stray_i():
    tags = ["B-PER", "I-PER", "O", "I-LOC", "I-LOC", "B-LOC", "I-ORG", "I-ORG", "B-ORG", "B-ORG"]
    assert M.get_entities(tags) == [("PER", 0, 1), ("LOC", 3, 4), ("LOC", 5, 5), ("ORG", 6, 7),
                                    ("ORG", 8, 8), ("ORG", 9, 9)]
    assert M.get_entities(["O", "I-MISC"]) == [("MISC", 1, 1)]
    assert M.get_entities([]) == []
    with pytest.raises(ValueError, match="E-PER"):
        M.get_entities(["E-PER"])


TRICKY = [
    (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "I-PER", "O", "B-LOC"]),
    (["B-PER", "I-PER", "O", "B-LOC"], ["B-PER", "O", "O", "I-LOC"]),
    (["I-ORG", "I-ORG", "B-ORG", "O"], ["B-ORG", "I-ORG", "I-ORG", "O"]),
    (["B-MISC", "I-PER", "I-PER", "O"], ["B-MISC", "B-PER", "I-PER", "I-MISC"]),
    (["O", "O", "O"], ["O", "B-LOC", "O"]),
    (["B-LOC"], ["O"]),
]


def test_entity_scores_equal_seqeval_on_fixtures():
    y_true, y_pred = [t for t, _ in TRICKY], [p for _, p in TRICKY]
    ours = M.entity_scores(y_true, y_pred)
    assert ours["precision"] == pytest.approx(seqeval.metrics.precision_score(y_true, y_pred))
    assert ours["recall"] == pytest.approx(seqeval.metrics.recall_score(y_true, y_pred))
    assert ours["f1"] == pytest.approx(seqeval.metrics.f1_score(y_true, y_pred))
    assert M.token_accuracy(y_true, y_pred) == pytest.approx(seqeval.metrics.accuracy_score(y_true, y_pred))


TAGS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG"]
sentences = st.lists(st.integers(1, 8), min_size=1, max_size=5).flatmap(
    lambda lengths: st.tuples(*[st.tuples(st.lists(st.sampled_from(TAGS), min_size=n, max_size=n),
                                          st.lists(st.sampled_from(TAGS), min_size=n, max_size=n))
                                for n in lengths]))


@settings(max_examples=150, deadline=None)
@given(sentences)
def test_entities_equal_seqeval_on_random_tags(pairs):
    y_true, y_pred = [list(t) for t, _ in pairs], [list(p) for _, p in pairs]
    for tags in y_true:
        assert M.get_entities(tags) == seqeval.metrics.sequence_labeling.get_entities(tags)
    ours = M.entity_scores(y_true, y_pred)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # seqeval warns when there is no predicted entity
        expected = (seqeval.metrics.precision_score(y_true, y_pred), seqeval.metrics.recall_score(y_true, y_pred),
                    seqeval.metrics.f1_score(y_true, y_pred))
    assert (ours["precision"], ours["recall"], ours["f1"]) == pytest.approx(expected)


def test_entity_scores_errors():
    with pytest.raises(ValueError, match="sentence 0: 2 gold tags but 1 predicted"):
        M.entity_scores([["O", "O"]], [["O"]])


# --------------------------------------------------------------------------- ROUGE and BLEU

def test_rouge_by_hand():
    pred, ref = "The cat sat on the mat.", "the cat is on the mat"
    # unigrams: the×2, cat, on, mat match → 5 of 6 on each side
    assert M.rouge_n(pred, ref, 1) == pytest.approx(5 / 6)
    # bigrams: "the cat", "on the", "the mat" → 3 of 5
    assert M.rouge_n(pred, ref, 2) == pytest.approx(3 / 5)
    # LCS: the cat on the mat → 5
    assert M.rouge_l(pred, ref) == pytest.approx(5 / 6)
    assert M.rouge_l("a b c d", "d c b a") == pytest.approx(1 / 4)
    assert M.rouge([pred, ""], [ref, "anything"]) == pytest.approx(
        {"rouge1": 5 / 12, "rouge2": 3 / 10, "rougeL": 5 / 12})


words = st.lists(st.sampled_from(["the", "cat", "Sat", "on", "mat,", "dog!", "2024", "a-b", "é"]), max_size=12)


@settings(max_examples=60, deadline=None)
@given(words, words)
def test_rouge_equals_rouge_score_without_stemming(pred, ref):
    pred, ref = " ".join(pred), " ".join(ref)
    expected = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False).score(ref, pred)
    assert M.rouge_n(pred, ref, 1) == pytest.approx(expected["rouge1"].fmeasure)
    assert M.rouge_n(pred, ref, 2) == pytest.approx(expected["rouge2"].fmeasure)
    assert M.rouge_l(pred, ref) == pytest.approx(expected["rougeL"].fmeasure)


def test_bleu_wraps_sacrebleu():
    hyps = ["the cat sat on the mat", "a dog barked loudly at night"]
    assert M.bleu(hyps, hyps) == pytest.approx(100.0)
    refs = [["the cat is on the mat", "a cat sat on the mat"], ["the dog barked at night", "a dog barked"]]
    expected = sacrebleu.corpus_bleu(hyps, [["the cat is on the mat", "the dog barked at night"],
                                            ["a cat sat on the mat", "a dog barked"]]).score
    assert M.bleu(hyps, refs) == pytest.approx(expected)
    assert 0 < M.bleu(hyps, [r[0] for r in refs]) < expected  # fewer references, lower score
    with pytest.raises(ValueError, match="same number of references"):
        M.bleu(hyps, [["x"], ["y", "z"]])
