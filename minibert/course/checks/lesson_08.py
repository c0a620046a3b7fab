"""Lesson 08: next sentence prediction."""
from __future__ import annotations

import random
from collections import Counter
from typing import Any

from minibert.course.exercises import exercise, expect_function, learners_code
from minibert.pretraining_data import IS_NEXT, NOT_NEXT, truncate_seq_pair


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
    return None if answer == len(a) else "tokens are always removed from the LONGER segment, one at a time"


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
