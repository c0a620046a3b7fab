"""Small plotting helpers for the lessons, readable on a classroom projector.

Every ``plot_*`` function returns its matplotlib ``Figure`` and never calls ``plt.show()`` (the lesson
does, which also keeps nbval from comparing ``<Figure size ...>`` text). The numbers behind each picture
come from a separate small function (``cosine_similarity_matrix``, ``pca_2d``, ``masking_categories``,
``head_patterns`` ...; coloured text is in ``text_views``) so that a lesson can assert on the data, since nbval never compares images.
"""
from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure


# ---------------------------------------------------------------------------------------------- checks
def _tensor(values, name: str, dim: int | None = None) -> torch.Tensor:
    """Numbers (tensor, numpy array or nested lists) as a float CPU tensor, with an optional rank check."""
    try:
        t = torch.as_tensor(values).detach().to("cpu", torch.float32)
    except (TypeError, ValueError, RuntimeError) as err:
        raise TypeError(f"{name} must be numbers (a tensor, an array or a list), got {type(values).__name__}") from err
    if dim is not None and t.dim() != dim:
        raise ValueError(f"{name} must have {dim} dimension(s), got shape {tuple(t.shape)}")
    return t


def _check_labels(labels: Sequence | None, count: int, what: str) -> None:
    if labels is not None and len(labels) != count:
        raise ValueError(f"got {len(labels)} labels for {count} {what}")


def stack_attentions(attentions: Sequence[torch.Tensor], tokens: Sequence[str] | None = None) -> torch.Tensor:
    """Per-layer attention probabilities as one ``(layers, heads, T, T)`` tensor, checked against ``tokens``.

    Takes a model's ``attentions`` for one example (each ``(1, heads, T, T)``) or per-layer ``(heads, T, T)``.
    """
    if isinstance(attentions, torch.Tensor) or not isinstance(attentions, (tuple, list)) or not attentions:
        raise TypeError(
            "attentions must be a non-empty tuple or list with one tensor per layer, as returned by "
            f"model(..., output_attentions=True).attentions; got {type(attentions).__name__}"
        )
    layers = []
    for i, layer in enumerate(attentions):
        if not isinstance(layer, torch.Tensor):
            raise TypeError(
                f"attentions[{i}] is a {type(layer).__name__}, not a torch.Tensor; pass the model's tensors "
                "(convert a numpy array with torch.from_numpy)"
            )
        if layer.dim() == 4:
            if layer.shape[0] != 1:
                raise ValueError(
                    f"attention pictures show one example but attentions[{i}] has batch size {layer.shape[0]}; "
                    "select one, e.g. [a[i:i + 1] for a in attentions]"
                )
            layer = layer[0]
        if layer.dim() != 3 or layer.shape[-1] != layer.shape[-2]:
            raise ValueError(f"attentions[{i}] must have shape (1, heads, T, T) or (heads, T, T), got {tuple(layer.shape)}")
        layers.append(layer.detach().to("cpu", torch.float32))
    if len({layer.shape for layer in layers}) != 1:
        raise ValueError(f"all layers must have the same shape, got {sorted({tuple(l.shape) for l in layers})}")
    if tokens is not None and len(tokens) != layers[0].shape[-1]:
        raise ValueError(f"attentions cover {layers[0].shape[-1]} positions but {len(tokens)} tokens were given")
    return torch.stack(layers)  # (L, A, T, T)


# ---------------------------------------------------------------------------------------------- attention
def _attention_image(ax, probs: torch.Tensor, tokens: Sequence[str] | None, fontsize: int = 10):
    image = ax.imshow(probs.numpy(), cmap="viridis", vmin=0.0, vmax=1.0)
    if tokens is not None:
        ax.set_xticks(range(len(tokens)), tokens, rotation=90, fontsize=fontsize)
        ax.set_yticks(range(len(tokens)), tokens, fontsize=fontsize)
    return image


def plot_attention(probs, tokens: Sequence[str], title: str = "Attention") -> Figure:
    """Heatmap of one head's ``(T, T)`` attention: row = the token that looks, column = the token looked at."""
    probs = _tensor(probs, "probs", dim=2)
    if probs.shape[0] != probs.shape[1] or probs.shape[0] != len(tokens):
        raise ValueError(f"probs must be ({len(tokens)}, {len(tokens)}) for {len(tokens)} tokens, got {tuple(probs.shape)}")
    fig, ax = plt.subplots(figsize=(1.5 + 0.45 * len(tokens), 1 + 0.45 * len(tokens)), constrained_layout=True)
    image = _attention_image(ax, probs, tokens)
    ax.set_xlabel("key: attended-to token")
    ax.set_ylabel("query: attending token")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="attention probability")
    return fig


def plot_attention_grid(attentions: Sequence[torch.Tensor], tokens: Sequence[str] | None = None,
                        title: str = "Attention of every layer and head") -> Figure:
    """Every layer (rows) × head (columns) as small heatmaps: the static picture that also shows on GitHub."""
    stacked = stack_attentions(attentions, tokens)  # (L, A, T, T)
    num_layers, num_heads, length, _ = stacked.shape
    fig, axes = plt.subplots(num_layers, num_heads, figsize=(1.6 * num_heads, 1.6 * num_layers + 0.8),
                             squeeze=False, constrained_layout=True)
    for layer in range(num_layers):
        for head in range(num_heads):
            ax = axes[layer, head]
            image = _attention_image(ax, stacked[layer, head], None)
            ax.set_xticks([])
            ax.set_yticks([])
            if layer == 0:
                ax.set_title(f"head {head}", fontsize=9)
            if head == 0:
                ax.set_ylabel(f"layer {layer}", fontsize=9)
    if tokens is not None and length <= 16:  # token names only fit on a short sentence
        bottom_left = axes[-1, 0]
        bottom_left.set_xticks(range(length), tokens, rotation=90, fontsize=6)
        bottom_left.set_yticks(range(length), tokens, fontsize=6)
    fig.suptitle(f"{title} (rows: query token, columns: key token)")
    fig.colorbar(image, ax=axes, shrink=0.6, label="attention probability")
    return fig


def head_patterns(attentions: Sequence[torch.Tensor], tokens: Sequence[str],
                  token_type_ids=None) -> dict[str, torch.Tensor]:
    """How much each head attends to a few simple targets, as ``{pattern: (layers, heads)}`` scores in [0, 1].

    A score is the attention probability given to the target, averaged over the query positions that have
    one: ``"[SEP]"``, ``"[CLS]"``, ``"previous token"``, ``"next token"`` and, with ``token_type_ids``,
    ``"other segment"`` (the sentence the query token is not in).
    """
    stacked = stack_attentions(attentions, tokens)  # (L, A, T, T)
    length = stacked.shape[-1]
    positions = torch.arange(length)
    targets = {  # (T, T) boolean: which keys count for each query
        "[SEP]": torch.tensor([t == "[SEP]" for t in tokens]).expand(length, length),
        "[CLS]": torch.tensor([t == "[CLS]" for t in tokens]).expand(length, length),
        "previous token": positions[None, :] == positions[:, None] - 1,
        "next token": positions[None, :] == positions[:, None] + 1,
    }
    if token_type_ids is not None:
        segments = torch.as_tensor(token_type_ids).reshape(-1)
        if segments.numel() != length:
            raise ValueError(f"token_type_ids has {segments.numel()} entries for {length} tokens")
        targets["other segment"] = segments[None, :] != segments[:, None]
    scores = {}
    for name, target in targets.items():
        has_target = target.any(dim=-1)  # (T,) queries with at least one such key
        mass = (stacked * target).sum(dim=-1)  # (L, A, T)
        scores[name] = mass[..., has_target].mean(dim=-1) if has_target.any() else torch.zeros(stacked.shape[:2])
    return scores


def top_heads(patterns: dict[str, torch.Tensor], name: str, k: int = 3) -> list[tuple[int, int, float]]:
    """The ``k`` heads with the highest ``name`` score, as ``(layer, head, score)``, best first."""
    if name not in patterns:
        raise KeyError(f"no pattern {name!r}; the patterns are {list(patterns)}")
    scores = patterns[name]
    values, flat = scores.flatten().topk(min(k, scores.numel()))
    return [(int(i) // scores.shape[1], int(i) % scores.shape[1], float(v)) for v, i in zip(values, flat)]


def plot_head_patterns(patterns: dict[str, torch.Tensor], columns: int = 3) -> Figure:
    """One layers × heads heatmap per pattern of :func:`head_patterns`, ``columns`` per row."""
    rows = -(-len(patterns) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.4 * rows), squeeze=False,
                             constrained_layout=True)
    for ax, (name, scores) in zip(axes.flat, patterns.items()):
        image = ax.imshow(scores.numpy(), cmap="magma", vmin=0.0, vmax=1.0)
        ax.set_title(f"attention to {name}")
        ax.set_xlabel("head")
        ax.set_ylabel("layer")
    for ax in axes.flat[len(patterns):]:
        ax.set_visible(False)
    fig.colorbar(image, ax=axes, shrink=0.8, label="mean attention probability")
    return fig


# ---------------------------------------------------------------------------------------------- vectors
def cosine_similarity_matrix(vectors) -> torch.Tensor:
    """``(N, N)`` cosine similarity of the rows of an ``(N, D)`` matrix (1 on the diagonal)."""
    v = torch.nn.functional.normalize(_tensor(vectors, "vectors", dim=2), dim=-1)
    return v @ v.T


def plot_similarity_matrix(vectors, labels: Sequence[str] | None = None, title: str = "Cosine similarity",
                           axis_label: str = "vector") -> Figure:
    """Heatmap of :func:`cosine_similarity_matrix` (e.g. position embeddings: near positions look alike)."""
    sim = cosine_similarity_matrix(vectors)
    _check_labels(labels, sim.shape[0], "vectors")
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    image = ax.imshow(sim.numpy(), cmap="RdBu_r", vmin=-1.0, vmax=1.0)
    if labels is not None:
        ax.set_xticks(range(len(labels)), labels, rotation=90)
        ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel(axis_label)
    ax.set_ylabel(axis_label)
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="cosine similarity")
    return fig


def pca_2d(vectors) -> torch.Tensor:
    """Project ``(N, D)`` vectors on their two main directions: ``(N, 2)``.

    Centre, then SVD: the right singular vectors are the directions of largest variance. Each direction's
    sign is fixed (largest coordinate positive) so the picture does not flip from run to run.
    """
    x = _tensor(vectors, "vectors", dim=2)
    if x.shape[0] < 2:
        raise ValueError(f"PCA needs at least 2 vectors, got {x.shape[0]}")
    x = x - x.mean(dim=0)
    _, _, vh = torch.linalg.svd(x, full_matrices=False)
    directions = vh[:2]  # (2, D)
    signs = torch.sign(directions.gather(1, directions.abs().argmax(dim=1, keepdim=True)))
    projected = x @ (directions * signs).T  # (N, 2) or (N, 1) when D == 1
    return torch.nn.functional.pad(projected, (0, 2 - projected.shape[1]))


def plot_embeddings_2d(vectors, labels: Sequence[str], groups: Sequence[str] | None = None,
                       title: str = "Vectors projected on their two main directions (PCA)") -> Figure:
    """Scatter of :func:`pca_2d` with a text label per point and one colour per group (with a legend)."""
    points = pca_2d(vectors)
    _check_labels(labels, len(points), "vectors")
    _check_labels(groups, len(points), "vectors (groups)")
    fig, ax = plt.subplots(figsize=(7, 6), constrained_layout=True)
    group_of = list(groups) if groups is not None else [None] * len(points)
    for group in dict.fromkeys(group_of):
        idx = [i for i, g in enumerate(group_of) if g == group]
        ax.scatter(points[idx, 0], points[idx, 1], s=60, label=group)
    for (x, y), label in zip(points.tolist(), labels):
        ax.annotate(label, (x, y), textcoords="offset points", xytext=(5, 5), fontsize=10)
    if groups is not None:
        ax.legend(title="group")
    ax.set_xlabel("first principal component")
    ax.set_ylabel("second principal component")
    ax.set_title(title)
    return fig


# ---------------------------------------------------------------------------------------------- training
def plot_lr_schedule(lrs: Sequence[float], title: str = "Learning-rate schedule") -> Figure:
    """The learning rate at each optimizer step, with its peak (the end of warmup) marked."""
    values = _tensor(lrs, "lrs", dim=1)
    if values.numel() == 0:
        raise ValueError("lrs is empty")
    peak = int(values.argmax())
    fig, ax = plt.subplots(figsize=(7, 4), constrained_layout=True)
    ax.plot(range(len(values)), values.numpy())
    ax.axvline(peak, color="grey", linestyle="--", label=f"peak {float(values[peak]):.2e} at step {peak}")
    ax.set_xlabel("optimizer step")
    ax.set_ylabel("learning rate")
    ax.set_title(title)
    ax.legend()
    return fig


def load_metrics(metrics: str | os.PathLike | Sequence[dict]) -> list[dict]:
    """Records of a ``metrics.jsonl`` file (one JSON object per line), or the given list of dicts."""
    if not isinstance(metrics, (str, os.PathLike)):
        return list(metrics)
    records = []
    for number, line in enumerate(Path(metrics).read_text().splitlines(), start=1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                raise ValueError(f"{metrics}, line {number}: not JSON ({err.msg})") from err
    return records


def metric_series(records: Sequence[dict], key: str, x: str = "step") -> tuple[list[float], list[float]]:
    """``(xs, ys)`` of the records that have ``key`` (train and eval lines log different keys)."""
    points = [(r[x], r[key]) for r in records if key in r and x in r]
    if not points:
        raise KeyError(f"no record has both {x!r} and {key!r}; keys seen: {sorted({k for r in records for k in r})}")
    xs, ys = zip(*points)
    return list(xs), list(ys)


def plot_training_curves(metrics: str | os.PathLike | Sequence[dict], keys: Sequence[str] = ("loss",),
                         x: str = "step", title: str = "Training curves") -> Figure:
    """One panel per metric (loss and accuracy have different scales) against ``x``."""
    records = load_metrics(metrics)
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.8), squeeze=False, constrained_layout=True)
    for ax, key in zip(axes[0], keys):
        xs, ys = metric_series(records, key, x)
        ax.plot(xs, ys, marker="." if len(xs) < 50 else None)
        ax.set_xlabel(x)
        ax.set_ylabel(key)
        ax.set_title(key)
    fig.suptitle(title)
    return fig


# ---------------------------------------------------------------------------------------------- tasks
def plot_confusion_matrix(matrix, labels: Sequence[str], title: str = "Confusion matrix") -> Figure:
    """Counts of (true label, predicted label), coloured by the share of each true label's row."""
    counts = _tensor(matrix, "matrix", dim=2)
    if counts.shape[0] != counts.shape[1] or counts.shape[0] != len(labels):
        raise ValueError(f"matrix must be ({len(labels)}, {len(labels)}) for {len(labels)} labels, got {tuple(counts.shape)}")
    shares = counts / counts.sum(dim=1, keepdim=True).clamp(min=1)
    fig, ax = plt.subplots(figsize=(2 + 0.9 * len(labels), 1.5 + 0.9 * len(labels)), constrained_layout=True)
    image = ax.imshow(shares.numpy(), cmap="Blues", vmin=0.0, vmax=1.0)
    for i in range(len(labels)):
        for j in range(len(labels)):
            ax.text(j, i, f"{int(counts[i, j])}", ha="center", va="center",
                    color="white" if shares[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.set_title(title)
    fig.colorbar(image, ax=ax, label="share of the true label")
    return fig


def span_probabilities(start_logits, end_logits) -> tuple[torch.Tensor, torch.Tensor]:
    """Softmax of the QA head's start and end logits over the positions."""
    start, end = _tensor(start_logits, "start_logits", dim=1), _tensor(end_logits, "end_logits", dim=1)
    if start.shape != end.shape:
        raise ValueError(f"start_logits {tuple(start.shape)} and end_logits {tuple(end.shape)} differ")
    return start.softmax(dim=0), end.softmax(dim=0)


def plot_span_logits(tokens: Sequence[str], start_logits, end_logits,
                     title: str = "Where does the answer start and end?") -> Figure:
    """Start and end probabilities over the tokens of the passage (question answering)."""
    start, end = span_probabilities(start_logits, end_logits)
    _check_labels(tokens, len(start), "logits")
    positions = torch.arange(len(tokens)).float()
    fig, ax = plt.subplots(figsize=(max(7.0, 0.35 * len(tokens)), 4), constrained_layout=True)
    ax.bar(positions - 0.2, start.numpy(), width=0.4, label="start")
    ax.bar(positions + 0.2, end.numpy(), width=0.4, label="end")
    ax.set_xticks(range(len(tokens)), tokens, rotation=90)
    ax.set_xlabel("token")
    ax.set_ylabel("probability")
    ax.set_title(title)
    ax.legend()
    return fig


# ---------------------------------------------------------------------------------------------- cost
def scaling_exponent(lengths: Sequence[float], values: Sequence[float]) -> float:
    """Slope of ``log(value)`` against ``log(length)``: about 1 for linear cost, 2 for quadratic."""
    x, y = _tensor(lengths, "lengths", dim=1).log(), _tensor(values, "values", dim=1).log()
    if x.shape != y.shape or len(x) < 2:
        raise ValueError(f"need at least 2 lengths and as many values, got {len(x)} and {len(y)}")
    x, y = x - x.mean(), y - y.mean()
    return float((x * y).sum() / (x * x).sum())


def plot_time_vs_length(lengths: Sequence[int], seconds: Sequence[float], memory: Sequence[float] | None = None,
                        title: str = "Cost against sequence length") -> Figure:
    """Time (and memory, in MiB) against sequence length on log-log axes, with the fitted exponent."""
    panels = [("seconds", seconds, "time (s)")] + ([("memory", memory, "memory (MiB)")] if memory is not None else [])
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False, constrained_layout=True)
    for ax, (name, values, ylabel) in zip(axes[0], panels):
        exponent = scaling_exponent(lengths, values)
        ax.loglog(lengths, values, marker="o", label=f"{name} ∝ length^{exponent:.2f}")
        ax.set_xlabel("sequence length (tokens)")
        ax.set_ylabel(ylabel)
        ax.legend()
    fig.suptitle(title)
    return fig
