"""Lesson 17: sentence embeddings and search."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course.retrieval import retrieval_set
from minibert.sentence_embeddings import BM25, mean_pooling, mean_reciprocal_rank, rank_of, terms

RANKS = [1, 3, 2, 10]
QUERIES, DOCUMENTS, TOP = 50, 1_000, 20
BM25_SETTING = dict(k1=1.2, b=0.0)  # exercise 17.4


@exercise("17.1", "Write mean_pool(last_hidden_state, attention_mask): (B, T, H) and (B, T) of 1/0 -> (B, H), "
                  "the mean of the real tokens' vectors (not normalised).")
def _mean_pool(answer: Any) -> str | None:
    expect_function(answer, "mean_pool(last_hidden_state, attention_mask)")
    torch.manual_seed(0)
    hidden = torch.randn(3, 5, 4)
    mask = torch.tensor([[1, 1, 1, 1, 1], [1, 1, 1, 0, 0], [1, 0, 0, 0, 0]])
    with learners_code("mean_pool(hidden, mask)"):
        result = answer(hidden, mask)
    if not isinstance(result, torch.Tensor) or result.shape != (3, 4):
        return "return a (B, H) tensor: one vector per sequence"
    if torch.allclose(result, hidden.mean(1)):
        return "the padding positions are averaged in: multiply by the mask and divide by the number of real tokens"
    if torch.allclose(result, hidden[:, 0]):
        return "that is the [CLS] vector, not the mean"
    if torch.allclose(result, torch.nn.functional.normalize(mean_pooling(hidden, mask), dim=-1)):
        return "right mean, but do not normalise it here (that is the next module)"
    return None if torch.allclose(result, mean_pooling(hidden, mask), atol=1e-6) else "sum(h * m) / sum(m) over the tokens"


@exercise("17.2", f"Four queries find their answer at ranks {RANKS}. What is the mean reciprocal rank?")
def _mrr(answer: Any) -> str | None:
    value = expect_number(answer)
    if abs(value - mean_reciprocal_rank(torch.tensor(RANKS))) < 1e-6:
        return None
    if abs(value - 1 / (sum(RANKS) / len(RANKS))) < 1e-6:
        return "the mean of the reciprocals, not the reciprocal of the mean rank"
    return "average 1 / rank over the four queries"


@exercise("17.3", f"{QUERIES} queries, {DOCUMENTS:,} documents: the bi-encoder embeds every document once and every "
                  f"query once, then a cross-encoder re-ranks each query's top {TOP}. How many forward passes in all?")
def _forward_passes(answer: Any) -> str | None:
    value = expect_number(answer)
    if value == DOCUMENTS + QUERIES + QUERIES * TOP:
        return None
    if value == QUERIES * DOCUMENTS:
        return "that is a cross-encoder over every pair; here it only reads each query's short list"
    if value == DOCUMENTS + QUERIES:
        return "add the cross-encoder's passes: one per (query, candidate) pair"
    return "documents once, queries once, plus one pass per re-ranked pair"


@functools.lru_cache(maxsize=None)
def _bm25_mrr(k1: float, b: float) -> float:
    data = retrieval_set("dev")
    scores = BM25([terms(d) for d in data.documents], k1=k1, b=b).score_all([terms(q) for q in data.queries])
    return mean_reciprocal_rank(rank_of(data.rank(scores), data.relevant))


@exercise("17.4", f"Experiment: BM25 with k1 = {BM25_SETTING['k1']} and b = {BM25_SETTING['b']} (no length "
                  "normalisation) on the dev questions of section 2, ranked with the same rule (retrieval_set('dev')"
                  ".rank). Its MRR?", experiment=True)
def _bm25_experiment(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("MRR is at most 1")
    if abs(value - _bm25_mrr(**BM25_SETTING)) < 0.002:
        return None
    if abs(value - _bm25_mrr(1.5, 0.75)) < 0.002:
        return "that is BM25 with its defaults (k1 = 1.5, b = 0.75), as in the lesson: pass k1=1.2, b=0.0"
    return "se.BM25(documents' terms, k1=1.2, b=0.0).score_all(queries' terms), then data.rank, rank_of and the MRR"
