"""Lesson 05: real pre-trained weights."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import exercise, expect_number
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer


def _meta_minilm() -> BertModel:
    with torch.device("meta"):  # the names and shapes of MiniLM's parameters, without reading the weights
        return BertModel(BertConfig.from_pretrained("minilm"))


@functools.lru_cache(maxsize=1)
def _minilm() -> tuple[BertModel, BertTokenizer]:
    return BertModel.from_pretrained("minilm"), BertTokenizer.from_pretrained("minilm")


@functools.lru_cache(maxsize=4)
def _last_layer_vector(text: str, word: str) -> torch.Tensor:
    model, tokenizer = _minilm()
    batch = tokenizer(text, return_tensors="pt")
    position = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist()).index(word)
    with torch.no_grad():
        return model(**batch).last_hidden_state[0, position]  # (H,)


@exercise("05.1", "What is the checkpoint key of the weight matrix W_1 (H -> 4H) of the feed-forward block of "
                  "layer 3?")
def _ffn_key(answer: Any) -> str | None:
    model = _meta_minilm()
    target = model.encoder.layer[3].intermediate.dense.weight
    expected = next(name for name, p in model.named_parameters() if p is target)
    if answer == expected:
        return None
    return "keys are module paths: encoder.layer.<n>.<sub-module>...weight; W_1 lives in the 'intermediate' module"


@exercise("05.2", "How many of MiniLM's parameters are in its token-embedding table?")
def _token_table(answer: Any) -> str | None:
    expected = _meta_minilm().embeddings.word_embeddings.weight.numel()
    return None if answer == expected else "one row of H numbers per vocabulary entry: vocab_size x hidden_size"


@exercise("05.3", "Cosine similarity (2 decimals) of the last-layer vectors of 'bank' in 'I sat on the bank.' "
                  "and 'I robbed the bank.'")
def _bank_cosine(answer: Any) -> str | None:
    value = expect_number(answer)
    a, b = _last_layer_vector("I sat on the bank.", "bank"), _last_layer_vector("I robbed the bank.", "bank")
    expected = torch.nn.functional.cosine_similarity(a, b, dim=0).item()
    return None if abs(value - expected) <= 0.006 else "take last_hidden_state at the position of 'bank' in each"
