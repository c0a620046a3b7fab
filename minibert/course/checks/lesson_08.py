"""Lesson 08: next sentence prediction."""
from __future__ import annotations

import functools
import random
from collections import Counter
from typing import Any

from minibert.course.baselines_lm import OverlapRule, frequent_tokens
from minibert.course.corpus import course_corpus, course_vocab_dir
from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course.experiments.nsp_pairs import make_pairs
from minibert.pretraining_data import IS_NEXT, NOT_NEXT, tokenize_documents, truncate_seq_pair
from minibert.tokenizer import BertTokenizer

LONGER = 128  # max_seq_length of the experiment (exercise 08.4); the lesson cuts pairs of 64


def _whole_number(answer: Any) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@exercise("08.1", "Which next_sentence_label does BERT give the brief's pair "
                  "('I love playing football.', 'The sky is blue.')?")
def _negative_label(answer: Any) -> str | None:
    if not _whole_number(answer):
        return "answer with the label, 0 or 1"
    if answer == NOT_NEXT:
        return None
    return "the sky has nothing to do with football" if answer == IS_NEXT else "labels are 0 (IsNext) or 1 (NotNext)"


@exercise("08.2", "truncate_seq_pair(tokens_a, tokens_b, max_num_tokens=40, rng) with 30 tokens in A and 20 in B: "
                  "how many tokens of A are left?")
def _tokens_left(answer: Any) -> str | None:
    a, b = list(range(30)), list(range(20))
    truncate_seq_pair(a, b, 40, random.Random(0))
    if not _whole_number(answer):
        return "answer with a whole number of tokens"
    if answer == len(a):
        return None
    if answer == 25:
        return "not half from each: tokens are removed from the LONGER segment only, one at a time"
    return "tokens are always removed from the LONGER segment, one at a time, until the pair fits"


@exercise("08.3", "Write other_document(n_documents, document_index, rng) -> a uniformly random document index in "
                  "range(n_documents) that is never document_index (rng is a random.Random).")
def _other_document(answer: Any) -> str | None:
    expect_function(answer, "other_document(n_documents, document_index, rng)")
    rng = random.Random(0)
    for n, index in ((2, 0), (2, 1), (5, 0), (5, 4), (7, 3)):
        with learners_code(f"other_document({n}, {index}, rng)"):
            draws = Counter(answer(n, index, rng) for _ in range(300 * n))
        if index in draws:
            return f"other_document({n}, {index}, rng) returned {index}, the document itself"
        if set(draws) != set(range(n)) - {index}:
            return f"other_document({n}, {index}, rng) returned {sorted(draws)}; expected every other index in range({n})"
        if max(draws.values()) > 1.5 * min(draws.values()):
            return f"other_document({n}, {index}, rng) is not uniform: {dict(sorted(draws.items()))}"
    return None


@functools.lru_cache(maxsize=None)
def _overlap_accuracy(max_seq_length: int) -> float:
    """The content-word overlap rule of lesson 08, pairs of ``max_seq_length``: held-out accuracy."""
    tokenizer = BertTokenizer.from_pretrained(course_vocab_dir())
    docs = tokenize_documents(course_corpus("train")[:2000], tokenizer)
    dev_docs = tokenize_documents(course_corpus("dev"), tokenizer)
    frequent = frequent_tokens(s for d in docs for s in d)
    rule = OverlapRule.fit(make_pairs(docs, False, 1, max_seq_length), frequent)
    return rule.accuracy(make_pairs(dev_docs, False, 2, max_seq_length))


@exercise("08.4", f"Experiment: with max_seq_length={LONGER} instead of 64, fit lesson 08's overlap rule on the correct "
                  "training pairs (seed 1) and score it on the correct held-out pairs (seed 2). Its accuracy?",
          experiment=True)
def _overlap_on_longer_pairs(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with a share between 0 and 1, not a percentage")
    if abs(value - _overlap_accuracy(LONGER)) < 0.005:
        return None
    if abs(value - _overlap_accuracy(64)) < 0.005:
        raise Hint(f"that is the accuracy at 64 tokens: cut both the training and the held-out pairs with "
                   f"max_seq_length={LONGER}")
    return ("make_pairs(docs, buggy=False, seed=1, max_seq_length=...) for training, seed=2 on the dev documents; "
            "OverlapRule.fit on the first, .accuracy on the second")
