"""The counting and rule baselines of lessons 07-09 (minibert.course.baselines_lm)."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from minibert.course.baselines_lm import (
    MLM_BASELINES,
    BlankGuessers,
    OverlapRule,
    frequent_tokens,
    majority_label,
    mlm_baseline_accuracy,
    nsp_baseline_accuracy,
    shared_content_words,
)

CLS, SEP, MASK = 2, 3, 4
SPECIAL = {0, 1, CLS, SEP, MASK}
# "the cat sat", "the dog sat", "the cat ran", "a cat sat": 10 = the, 11 = cat, 12 = sat, 13 = dog, 14 = ran, 15 = a
TRAIN = [[CLS, 10, 11, 12, SEP], [CLS, 10, 13, 12, SEP], [CLS, 10, 11, 14, SEP], [CLS, 15, 11, 12, SEP]]


@pytest.fixture()
def guessers():
    return BlankGuessers.fit(TRAIN, SPECIAL)


def test_each_guesser_reads_its_own_context(guessers):
    assert guessers.unigram == 10                                    # "the" and "cat", 3 each: the smaller id
    assert guessers.guess("bigram (left)", 10, None) == 11           # after "the": cat (2) over dog (1)
    assert guessers.guess("bigram (right)", None, 14) == 11          # before "ran": cat
    assert guessers.guess("both neighbours", 10, 12) == 11           # the _ sat: cat and dog once each: the smaller id
    assert guessers.guess("bigram (left)", CLS, None) == 10          # first word: "the" (3) over "a" (1)
    assert guessers.guess("unigram", 99, 99) == 10


def test_unseen_or_masked_context_backs_off(guessers):
    assert guessers.guess("bigram (left)", MASK, 12) == guessers.unigram      # [MASK] never occurs in training
    assert guessers.guess("both neighbours", MASK, 14) == 11                  # -> right neighbour
    assert guessers.guess("both neighbours", 15, 99) == 11                    # -> left neighbour ("a" -> cat)
    assert guessers.guess("both neighbours", 98, 99) == guessers.unigram
    with pytest.raises(ValueError, match="unknown baseline"):
        guessers.guess("trigram", 1, 2)
    with pytest.raises(ValueError, match="no ordinary tokens"):
        BlankGuessers.fit([[CLS, SEP]], SPECIAL)


def test_a_fit_does_not_depend_on_the_order_of_the_text():
    assert BlankGuessers.fit(TRAIN, SPECIAL) == BlankGuessers.fit(TRAIN[::-1], SPECIAL)


def test_accuracy_is_over_the_labelled_positions_only(guessers):
    # "the [MASK] sat" (cat), "[MASK] dog sat" (the): labels -100 elsewhere
    examples = [([CLS, 10, MASK, 12, SEP], [-100, -100, 11, -100, -100]),
                ([CLS, MASK, 13, 12, SEP], [-100, 10, -100, -100, -100])]
    accuracy = mlm_baseline_accuracy(guessers, examples)
    assert set(accuracy) == set(MLM_BASELINES)
    assert accuracy["both neighbours"] == 1.0 and accuracy["unigram"] == 0.5
    # per batch, weighted by examples (as make_eval_fn): a batch with one label (unigram wrong) and one with
    # two (unigram right once): pooled 1/3, per batch (0 + 1/2) / 2
    one = ([CLS, 10, MASK, 14, SEP], [-100, -100, 11, -100, -100])
    two = ([CLS, MASK, MASK, 12, SEP], [-100, 10, 11, -100, -100])
    assert mlm_baseline_accuracy(guessers, [one, two])["unigram"] == pytest.approx(1 / 3)
    assert mlm_baseline_accuracy(guessers, [one, two], batch_size=1)["unigram"] == pytest.approx(0.25)
    with pytest.raises(ValueError, match="no labelled positions"):
        mlm_baseline_accuracy(guessers, [([CLS, 10, SEP], [-100, -100, -100])])


@dataclass
class Pair:
    tokens_a: list[int]
    tokens_b: list[int]
    next_sentence_label: int


def test_overlap_rule_picks_its_threshold_on_the_training_pairs():
    frequent = frequent_tokens([[1, 1, 1, 2, 2, 2, 5]], n=2)
    assert frequent == {1, 2}
    assert shared_content_words([1, 2, 5, 6], [1, 2, 5, 6, 7], frequent) == 2   # 5 and 6; 1 and 2 are function words
    pairs = [Pair([1, 5, 6], [5, 6, 2], 0), Pair([1, 7, 8], [7, 8], 0), Pair([1, 5], [9, 1], 1), Pair([5], [6], 1)]
    rule = OverlapRule.fit(pairs, frequent)
    assert rule.threshold == 1 and rule.accuracy(pairs) == 1.0
    assert rule.predict([5, 1], [5]) == 0 and rule.predict([1, 2], [1, 2]) == 1
    assert majority_label([1, 1, 0]) == 1 and majority_label([0, 1]) == 0
    scores = nsp_baseline_accuracy(pairs, pairs, frequent)
    assert scores == {"majority": 0.5, "overlap": 1.0}
