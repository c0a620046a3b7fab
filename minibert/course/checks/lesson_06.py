"""Lesson 06: seeing attention."""
from __future__ import annotations

import functools
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import exercise
from minibert.modeling import BertModel
from minibert.tokenizer import BertTokenizer


@functools.lru_cache(maxsize=1)
def _minilm() -> tuple[BertModel, BertTokenizer]:
    return BertModel.from_pretrained("minilm"), BertTokenizer.from_pretrained("minilm")


@functools.lru_cache(maxsize=4)
def _attention(text: str) -> tuple[torch.Tensor, list[str]]:
    """MiniLM's attention for one text as (L, A, T, T), and its tokens."""
    from minibert.course.viz import stack_attentions  # viz needs matplotlib (the lessons extra): import only when asked

    model, tokenizer = _minilm()
    batch = tokenizer(text, return_tensors="pt")
    tokens = tokenizer.convert_ids_to_tokens(batch["input_ids"][0].tolist())
    with torch.no_grad():
        attentions = model(**batch, output_attentions=True).attentions
    return stack_attentions(attentions, tokens), tokens


@exercise("06.1", "Which (layer, head) of MiniLM attends most to the previous token in 'The cat sat on the mat.'?")
def _previous_token_head(answer: Any) -> str | None:
    from minibert.course.viz import head_patterns, top_heads

    attention, tokens = _attention("The cat sat on the mat.")
    layer, head, _ = top_heads(head_patterns(list(attention), tokens), "previous token", k=1)[0]
    try:
        given = tuple(int(v) for v in answer)
    except (TypeError, ValueError):
        return "answer with a pair (layer, head), e.g. (3, 7)"
    return None if given == (layer, head) else "use viz.head_patterns and viz.top_heads(patterns, 'previous token')"


@exercise("06.2", "How many attention probabilities (all layers and heads) does MiniLM compute for a 15-token input?")
def _probability_count(answer: Any) -> str | None:
    config = BertConfig.from_pretrained("minilm")
    expected = config.num_hidden_layers * config.num_attention_heads * 15 * 15  # L tables of (A, T, T)
    return None if answer == expected else "each layer returns (heads, T, T) probabilities"


@exercise("06.3", "In layer 5, head 5, which token does 'playing' attend to most in 'I love playing football.'?")
def _playing_looks_at(answer: Any) -> str | None:
    attention, tokens = _attention("I love playing football.")
    expected = tokens[attention[5, 5, tokens.index("playing")].argmax().item()]
    return None if answer == expected else "look at row 'playing' of attention[5, 5] and take its argmax"
