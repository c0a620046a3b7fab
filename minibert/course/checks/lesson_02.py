"""Lesson 02: input embeddings."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import exercise, expect_number
from minibert.embeddings import BertEmbeddings
from minibert.modeling import BertModel

POSITION = 300
DISTANCE = 12  # exercise 02.4: the lesson printed distances 1 and 100 only


def _is_int(answer: Any) -> bool:
    return isinstance(answer, int) and not isinstance(answer, bool)


@functools.lru_cache(maxsize=1)
def _minilm_positions() -> torch.Tensor:
    return BertModel.from_pretrained("minilm").embeddings.position_embeddings.weight.detach()  # (512, H)


@exercise("02.1", "How many parameters does BERT-large's embedding layer have (BertConfig.from_preset('large'))?")
def _large_embedding_parameters(answer: Any) -> str | None:
    with torch.device("meta"):  # shapes only: no memory for 32M numbers
        expected = sum(p.numel() for p in BertEmbeddings(BertConfig.from_preset("large")).parameters())
    if not _is_int(answer):
        return "answer with a whole number"
    if answer == expected:
        return None
    if answer == expected - 2 * BertConfig.from_preset("large").hidden_size:
        return "almost: LayerNorm's gamma and beta (2H numbers) belong to the embedding layer too"
    return "add the three tables (vocab, positions, segments) times H, and LayerNorm's 2H"


@exercise("02.2", f"Which position of MiniLM's position embeddings is most similar (cosine) to position {POSITION}, "
                  "apart from itself?")
def _nearest_position(answer: Any) -> str | None:
    table = torch.nn.functional.normalize(_minilm_positions(), dim=-1)
    similarity = table @ table[POSITION]  # (512,)
    similarity[POSITION] = -2.0
    if not _is_int(answer):
        return "answer with a position number (an int)"
    if answer == POSITION:
        return "every position is most similar to itself (cosine 1); the question asks for another one"
    return None if answer == int(similarity.argmax()) else "compute viz.cosine_similarity_matrix and look at its row"


@exercise("02.3", "The shape of BERT-base's embedding output for 4 sentences padded to 16 tokens (a tuple).")
def _output_shape(answer: Any) -> str | None:
    with torch.device("meta"):
        ids = torch.zeros(4, 16, dtype=torch.long)
        expected = tuple(BertEmbeddings(BertConfig.from_preset("base"))(ids).shape)
    if not isinstance(answer, (tuple, list, torch.Size)):
        return "answer with a tuple such as (B, T, H)"
    if tuple(answer) == expected:
        return None
    if tuple(answer)[:2] == expected[:2]:
        return "the last dimension is the hidden size H of BERT-base, not MiniLM's"
    return "(B, T, H): batch, tokens, hidden size of the base preset"


@exercise("02.4", f"What is the mean cosine similarity of MiniLM's position embeddings at distance {DISTANCE}, "
                  f"averaged over all pairs (t, t + {DISTANCE})? (Then compare it with distance 10.)", experiment=True)
def _similarity_at_distance(answer: Any) -> str | None:
    value = expect_number(answer)
    table = _minilm_positions()
    expected = torch.nn.functional.cosine_similarity(table[:-DISTANCE], table[DISTANCE:], dim=-1).mean().item()
    if abs(value - expected) <= 0.005:
        return None
    one_pair = torch.nn.functional.cosine_similarity(table[0], table[DISTANCE], dim=0).item()
    if abs(value - one_pair) <= 0.005:
        return f"that is one pair (0, {DISTANCE}); average over every pair (t, t + {DISTANCE})"
    return f"take the mean of the diagonal {DISTANCE} of the similarity matrix: torch.diagonal(sim, {DISTANCE}).mean()"
