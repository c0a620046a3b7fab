"""Lesson 02: input embeddings."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.embeddings import BertEmbeddings
from minibert.course.exercises import exercise
from minibert.modeling import BertModel

POSITION = 300


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
    return None if answer == expected else "add the three tables (vocab, positions, segments) times H, and LayerNorm's 2H"


@exercise("02.2", f"Which position of MiniLM's position embeddings is most similar (cosine) to position {POSITION}, "
                  "apart from itself?")
def _nearest_position(answer: Any) -> str | None:
    table = torch.nn.functional.normalize(_minilm_positions(), dim=-1)
    similarity = table @ table[POSITION]  # (512,)
    similarity[POSITION] = -2.0
    if not _is_int(answer):
        return "answer with a position number (an int)"
    return None if answer == int(similarity.argmax()) else "compute viz.cosine_similarity_matrix and look at its row"


@exercise("02.3", "The shape of BERT-base's embedding output for 4 sentences padded to 16 tokens (a tuple).")
def _output_shape(answer: Any) -> str | None:
    with torch.device("meta"):
        ids = torch.zeros(4, 16, dtype=torch.long)
        expected = tuple(BertEmbeddings(BertConfig.from_preset("base"))(ids).shape)
    if not isinstance(answer, (tuple, list, torch.Size)):
        return "answer with a tuple such as (B, T, H)"
    return None if tuple(answer) == expected else "(B, T, H): batch, tokens, hidden size of the base preset"
