"""Lesson 06: seeing attention."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import Hint, exercise, expect_number
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer

CLS_TEXT = "Where did you park the car?"  # exercise 06.1: a sentence the lesson does not score
# Exercise 06.4: the lesson's weak [SEP] head, on a sentence written for the exercise.
SEP_TEXT, SEP_HEAD = "My sister plays the violin every evening.", (0, 5)


@functools.lru_cache(maxsize=1)
def _minilm() -> tuple[BertModel, BertTokenizer]:
    return BertModel.from_pretrained("minilm"), BertTokenizer.from_pretrained("minilm")


@functools.lru_cache(maxsize=4)
def _attention(text: str) -> tuple[torch.Tensor, list[str]]:
    """MiniLM's attention for one text as (L, A, T, T), and its tokens."""
    # viz needs matplotlib (the lessons extra): import it only when asked
    from minibert.course.viz import stack_attentions

    model, tokenizer = _minilm()
    batch = tokenizer(text, return_tensors="pt")
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    with torch.no_grad():
        attentions = model(**batch, output_attentions=True).attentions
    return stack_attentions(attentions, tokens), tokens


def _as_head(answer: Any) -> tuple[int, int]:
    try:
        layer, head = (int(v) for v in answer)
    except (TypeError, ValueError):
        raise Hint("answer with a pair (layer, head), e.g. (3, 7)") from None
    return layer, head


@exercise("06.1", f"Which (layer, head) of MiniLM gives the most attention to [CLS] in {CLS_TEXT!r}? "
                  "(Is it the [CLS] head the lesson found on the brief's pair?)")
def _cls_head(answer: Any) -> str | None:
    from minibert.course.viz import head_patterns, top_heads

    attention, tokens = _attention(CLS_TEXT)
    (layer, head, _), (second_layer, second_head, _) = top_heads(head_patterns(list(attention), tokens), "[CLS]", k=2)
    given = _as_head(answer)
    if given == (layer, head):
        return None
    if given == (second_layer, second_head):
        return "close: that head is the runner-up on this sentence"
    return "score every head on this sentence: viz.head_patterns(...)['[CLS]'] and take the best (layer, head)"


@exercise("06.2", "How many attention probabilities (all layers and heads) does MiniLM compute for a 15-token input?")
def _probability_count(answer: Any) -> str | None:
    config = BertConfig.from_pretrained("minilm")
    expected = config.num_hidden_layers * config.num_attention_heads * 15 * 15  # L tables of (A, T, T)
    if answer == expected:
        return None
    if answer == config.num_attention_heads * 15 * 15:
        return "that is one layer; every layer has its own (heads, T, T) table"
    return "each layer returns (heads, T, T) probabilities"


@exercise("06.3", "In layer 5, head 5, which token does 'playing' attend to most in 'I love playing football.'?")
def _playing_looks_at(answer: Any) -> str | None:
    attention, tokens = _attention("I love playing football.")
    expected = tokens[attention[5, 5, tokens.index("playing")].argmax().item()]
    if answer == expected:
        return None
    if answer == "playing":
        return "row 'playing' of the table, then the column with the largest weight: which token is it?"
    return "look at row 'playing' of attention[5, 5] and take its argmax"


@exercise("06.4", f"What percentage of its attention does layer {SEP_HEAD[0]} head {SEP_HEAD[1]} give to [SEP] in "
                  f"{SEP_TEXT!r} (the attention on [SEP], averaged over all query tokens, in %)? Compare it with "
                  "uniform attention, 100 / T %.", experiment=True)
def _sep_share(answer: Any) -> str | None:
    value = expect_number(answer)
    attention, tokens = _attention(SEP_TEXT)
    share = 100 * attention[SEP_HEAD][:, tokens.index("[SEP]")]  # (T,): each query token's % on [SEP]
    if abs(value - share.mean().item()) <= 0.5:
        return None
    if abs(100 * value - share.mean().item()) <= 0.5:
        return "that is a fraction; the question asks for a percentage (times 100)"
    if abs(value - 100 / len(tokens)) <= 0.5:
        return "that is what uniform attention would give; measure the head's"
    if abs(value - share.max().item()) <= 0.5:
        return "that is the largest row; average over all the query tokens"
    return f"100 * attention[{SEP_HEAD[0]}, {SEP_HEAD[1]}][:, tokens.index('[SEP]')].mean()"
