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


# Exercise 05.4: another pair, at another layer (hidden_states[LAYER]: the output of encoder layer LAYER).
PAIR, LAYER = ("The bank closed my account.", "We walked along the bank at dusk."), 1


@functools.lru_cache(maxsize=8)
def _word_vectors(text: str, word: str) -> torch.Tensor:
    """The vectors of ``word`` in ``text`` after every layer, (L+1, H): 0 is the embedding layer's output."""
    model, tokenizer = _minilm()
    batch = tokenizer(text, return_tensors="pt")
    position = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist()).index(word)
    with torch.no_grad():
        return torch.stack(model(**batch, output_hidden_states=True).hidden_states)[:, 0, position]


def _cosine(pair: tuple[str, str], word: str, layer: int) -> float:
    a, b = (_word_vectors(text, word)[layer] for text in pair)
    return torch.nn.functional.cosine_similarity(a, b, dim=0).item()


@exercise("05.1", "What is the checkpoint key of the weight matrix W_1 (H -> 4H) of the feed-forward block of "
                  "layer 3?")
def _ffn_key(answer: Any) -> str | None:
    model = _meta_minilm()
    target = model.encoder.layer[3].intermediate.dense.weight
    expected = next(name for name, p in model.named_parameters() if p is target)
    if answer == expected:
        return None
    if answer == expected.replace("intermediate", "output"):
        return "that is W_2 (4H -> H); W_1, the widening one, lives in the 'intermediate' module"
    return "keys are module paths: encoder.layer.<n>.<sub-module>...weight; W_1 lives in the 'intermediate' module"


@exercise("05.2", "How many of MiniLM's parameters are in its token-embedding table?")
def _token_table(answer: Any) -> str | None:
    embeddings = _meta_minilm().embeddings
    expected = embeddings.word_embeddings.weight.numel()
    if answer == expected:
        return None
    if answer == sum(p.numel() for p in embeddings.parameters()):
        return "that is the whole embedding layer; the question asks for the token table alone"
    return "one row of H numbers per vocabulary entry: vocab_size x hidden_size"


@exercise("05.3", "Cosine similarity (2 decimals) of the last-layer vectors of 'bank' in 'I sat on the bank.' "
                  "and 'I robbed the bank.'")
def _bank_cosine(answer: Any) -> str | None:
    value = expect_number(answer)
    pair = ("I sat on the bank.", "I robbed the bank.")
    if abs(value - _cosine(pair, "bank", -1)) <= 0.006:
        return None
    if abs(value - 1.0) <= 0.006:
        return "1 is the input embeddings' similarity (the same row of the table); take the last layer's vectors"
    return "take last_hidden_state at the position of 'bank' in each"


@exercise("05.4", f"Another pair at another layer: the cosine similarity (2 decimals) of the vectors of 'bank' in "
                  f"{PAIR[0]!r} and {PAIR[1]!r} after layer {LAYER} (hidden_states[{LAYER}]). "
                  "(Compare it with the last layer's.)", experiment=True)
def _bank_cosine_at_layer(answer: Any) -> str | None:
    value = expect_number(answer)
    if abs(value - _cosine(PAIR, "bank", LAYER)) <= 0.006:
        return None
    if abs(value - _cosine(PAIR, "bank", -1)) <= 0.006:
        return f"that is the last layer; take hidden_states[{LAYER}] (output_hidden_states=True)"
    for off_by_one in (LAYER - 1, LAYER + 1):
        if abs(value - _cosine(PAIR, "bank", off_by_one)) <= 0.006:
            return f"hidden_states[0] is the embedding layer, so the output of layer {LAYER} is hidden_states[{LAYER}]"
    return "take hidden_states[layer] at the position of 'bank' in each sentence, then the cosine"
