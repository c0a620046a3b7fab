"""Text coloured in place for the lessons: which tokens were masked and how (lesson 07), which words are
entities (lesson 13). Each view is HTML in Jupyter and plain, stable text when printed (nbval compares that);
the categories behind the colours come from a small function a lesson can assert on."""
from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

import torch

from minibert.heads import IGNORE_INDEX  # the label of a position the MLM loss ignores

MASKING_COLOURS = {"mask": "#f4a3a3", "random": "#f7d774", "kept": "#9fd39f"}
ENTITY_COLOURS = ["#8dd3c7", "#fdb462", "#bebada", "#fb8072", "#80b1d3", "#b3de69", "#fccde5", "#d9d9d9"]


class RichText:
    """Text with an HTML face: coloured in Jupyter, plain (and stable for nbval) when printed."""

    def __init__(self, html_text: str, plain_text: str):
        self.html, self.text = html_text, plain_text

    def _repr_html_(self) -> str:
        return self.html

    def __str__(self) -> str:
        return self.text

    __repr__ = __str__


def _span(text: str, colour: str, tooltip: str) -> str:
    return (f'<span title="{html.escape(tooltip)}" style="background:{colour};color:#000;padding:1px 3px;'
            f'margin:1px;border-radius:3px">{html.escape(text)}</span>')


def masking_categories(tokens: Sequence[str], original: Sequence[str], labels: Sequence[int]) -> list[str | None]:
    """For each position: ``"mask"`` (became [MASK]), ``"random"`` (became another token), ``"kept"``
    (predicted but left as is), or ``None`` (not predicted: its label is -100)."""
    labels = [int(label) for label in torch.as_tensor(labels).reshape(-1)]
    if not len(tokens) == len(original) == len(labels):
        raise ValueError(f"tokens, original and labels differ in length: {len(tokens)}, {len(original)}, {len(labels)}")
    categories = []
    for token, before, label in zip(tokens, original, labels):
        if label == IGNORE_INDEX:
            categories.append(None)
        elif token == "[MASK]":
            categories.append("mask")
        else:
            categories.append("kept" if token == before else "random")
    return categories


def show_masking(tokens: Sequence[str], original: Sequence[str], labels: Sequence[int]) -> RichText:
    """The 80/10/10 rule made visible: red = [MASK], yellow = random token, green = kept but predicted."""
    categories = masking_categories(tokens, original, labels)
    spans, words = [], []
    for token, before, category in zip(tokens, original, categories):
        if category is None:
            spans.append(html.escape(token))
            words.append(token)
        else:
            spans.append(_span(token, MASKING_COLOURS[category], f"{category}: the model must predict {before!r}"))
            words.append(f"{token}<{category}:{before}>")
    legend = " ".join(_span(name, colour, name) for name, colour in MASKING_COLOURS.items())
    counts = {name: categories.count(name) for name in MASKING_COLOURS}
    summary = f"{sum(counts.values())} of {len(tokens)} positions predicted: " + ", ".join(
        f"{n} {name}" for name, n in counts.items())
    page = (f'<div style="font-family:monospace;line-height:2">{" ".join(spans)}</div>'
            f"<div>{legend} &nbsp; {html.escape(summary)}</div>")
    return RichText(page, " ".join(words) + "\n" + summary)


def entity_segments(text: str, entities: Iterable) -> list[tuple[str, str | None]]:
    """Cut ``text`` into ``(piece, label or None)`` around entities given as ``{"start", "end", "label"}``
    dicts or ``(start, end, label)`` tuples of character offsets (end exclusive)."""
    spans = sorted((e["start"], e["end"], e["label"]) if isinstance(e, dict) else tuple(e) for e in entities)
    segments, cursor = [], 0
    for start, end, label in spans:
        if not 0 <= start < end <= len(text):
            raise ValueError(f"entity ({start}, {end}, {label!r}) is outside the text of {len(text)} characters")
        if start < cursor:
            raise ValueError(f"entity ({start}, {end}, {label!r}) overlaps the previous one")
        if start > cursor:
            segments.append((text[cursor:start], None))
        segments.append((text[start:end], label))
        cursor = end
    if cursor < len(text):
        segments.append((text[cursor:], None))
    return segments


def highlight_entities(text: str, entities: Iterable) -> RichText:
    """Named entities as coloured spans with their label (one colour per label)."""
    segments = entity_segments(text, entities)
    labels = sorted({label for _, label in segments if label is not None})
    colour = {label: ENTITY_COLOURS[i % len(ENTITY_COLOURS)] for i, label in enumerate(labels)}
    parts, plain = [], []
    for piece, label in segments:
        if label is None:
            parts.append(html.escape(piece))
            plain.append(piece)
        else:
            parts.append(_span(piece, colour[label], label) + f'<sub style="font-size:70%">{html.escape(label)}</sub>')
            plain.append(f"[{piece}]{label}")
    return RichText(f'<div style="line-height:2">{"".join(parts)}</div>', "".join(plain))
