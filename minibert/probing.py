"""What a pre-trained BERT knows, measured (lesson 16): linear probes, control tasks, head ablation, occlusion.

* A **probe** is a small classifier trained on frozen vectors: if a *linear* map from layer l's vector of a
  word to its part of speech scores well on held-out words, layer l holds that information in a readable
  form (Tenney et al. 2019, "BERT rediscovers the classical NLP pipeline").
* A **control task** (Hewitt & Liang 2019) gives every word *type* a random label. A probe can only score
  well on it by memorising word identities; *selectivity* = task accuracy - control accuracy tells
  how much of a probe's score comes from the representation rather than from the probe's own memory.
* **Head ablation** (Michel et al. 2019, "Are Sixteen Heads Really Better than One?"): zero one attention
  head's output and measure what the model loses. :func:`heads_masked` does it with forward pre-hooks
  on the output projection W_O, whose input is the heads' outputs side by side.
* **Occlusion**: mask one word, see how much a prediction changes; compared with where attention looks
  (Jain & Wallace 2019, "Attention is not Explanation").
"""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Hashable, Iterable, Iterator, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from minibert.attention import padding_mask
from minibert.tasks.formats import FormatError
from minibert.tasks.ner import TokenExample


# --------------------------------------------------------------------------------------------- data
def load_conll_pos(path: str | Path) -> list[TokenExample]:
    """The part-of-speech column of a four-column CoNLL-2003 file (``word POS chunk tag``) as
    :class:`TokenExample` s whose ``tags`` are the POS tags. Sentences come in the order of
    :func:`minibert.tasks.ner.load_conll` (which keeps only the last column), so the two line up."""
    path = Path(path)
    examples: list[TokenExample] = []
    words: list[str] = []
    tags: list[str] = []
    for number, line in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        columns = line.split()
        if not columns or columns[0] == "-DOCSTART-":
            if words:
                examples.append(TokenExample(words, tags, id=str(len(examples))))
                words, tags = [], []
            continue
        if len(columns) != 4:
            raise FormatError(path, number, f"expected 4 columns (word POS chunk tag), got {len(columns)}")
        words.append(columns[0])
        tags.append(columns[1])
    if words:
        examples.append(TokenExample(words, tags, id=str(len(examples))))
    return examples


def entity_types(tags: Sequence[str]) -> list[str]:
    """BIO tags -> entity types per word: ``B-PER`` and ``I-PER`` -> ``PER``; ``O`` stays ``O``."""
    return [tag if tag == "O" else tag[2:] for tag in tags]


# --------------------------------------------------------------------------------------------- vectors
@torch.no_grad()
def word_vectors(model: nn.Module, tokenizer: Any, sentences: Sequence[Sequence[str]],
                 batch_size: int = 64) -> torch.Tensor:
    """Every layer's vector of every word's **first** WordPiece: (L + 1, N words, H), layer 0 = embeddings.

    ``sentences`` are lists of words; the words of all sentences are stacked in order. Sentences are
    batched by length (less padding), and the result is put back in the input order.
    """
    order = sorted(range(len(sentences)), key=lambda i: len(sentences[i]))
    per_sentence: dict[int, torch.Tensor] = {}
    for start in range(0, len(order), batch_size):
        indices = order[start:start + batch_size]
        enc = tokenizer([list(sentences[i]) for i in indices], is_split_into_words=True, padding=True,
                        return_tensors="pt", return_word_ids=True)
        out = model(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"], output_hidden_states=True)
        hidden = torch.stack(out.hidden_states)  # (L + 1, B, T, H)
        for row, i in enumerate(indices):
            firsts = first_piece_positions(enc["word_ids"][row])
            per_sentence[i] = hidden[:, row, firsts]  # (L + 1, words, H)
    return torch.cat([per_sentence[i] for i in range(len(sentences))], dim=1)  # (L + 1, N, H)


def first_piece_positions(word_ids: Sequence[int | None]) -> list[int]:
    """The position of each word's first token, from a tokenizer's ``word_ids`` (None: special tokens)."""
    positions: dict[int, int] = {}
    for position, word in enumerate(word_ids):
        if word is not None and word not in positions:
            positions[word] = position
    return [positions[w] for w in sorted(positions)]


# --------------------------------------------------------------------------------------------- probes
class LinearProbe(nn.Module):
    """Softmax regression on standardised features: logits = W (x - mean) / std + b."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, num_labels: int) -> None:
        super().__init__()
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)
        self.linear = nn.Linear(mean.numel(), num_labels)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.linear((features - self.mean) / self.std)  # (N, num_labels)

    @torch.no_grad()
    def predict(self, features: torch.Tensor) -> torch.Tensor:
        return self(features).argmax(-1)  # (N,)


def train_probe(features: torch.Tensor, labels: torch.Tensor, num_labels: int, weight_decay: float = 1e-3,
                max_iter: int = 100) -> LinearProbe:
    """Fit a :class:`LinearProbe` by full-batch L-BFGS on the cross-entropy + ``weight_decay`` * |W|^2.

    ``features`` (N, H), ``labels`` (N,) of class indices. The weights start at zero and L-BFGS is
    deterministic, so the same data always gives the same probe (no seed needed).
    """
    features = features.float()
    std = features.std(0).clamp_min(1e-6)
    probe = LinearProbe(features.mean(0), std, num_labels)
    nn.init.zeros_(probe.linear.weight)
    nn.init.zeros_(probe.linear.bias)
    optimizer = torch.optim.LBFGS(probe.parameters(), lr=1.0, max_iter=max_iter, history_size=20,
                                  line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(probe(features), labels) + weight_decay * probe.linear.weight.pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return probe.eval()


def accuracy(predicted: torch.Tensor, labels: torch.Tensor) -> float:
    """The share of ``predicted`` equal to ``labels`` (both (N,))."""
    return (predicted == labels).float().mean().item()


# --------------------------------------------------------------------------------------------- baselines
class LabelIndex:
    """Labels as indices, in order of first appearance (a label first seen in dev gets the next index)."""

    def __init__(self, labels: Iterable[str] = ()) -> None:
        self.names: list[str] = []
        self.index: dict[str, int] = {}
        self.encode(labels)

    def encode(self, labels: Iterable[str]) -> torch.Tensor:
        ids = []
        for label in labels:
            if label not in self.index:
                self.index[label] = len(self.names)
                self.names.append(label)
            ids.append(self.index[label])
        return torch.tensor(ids, dtype=torch.long)

    def __len__(self) -> int:
        return len(self.names)


class MajorityLookup:
    """The sceptic's baseline: each word type seen in training gets its most frequent label there; an
    unseen word gets the most frequent label of all. A lookup table, no context."""

    def __init__(self, words: Sequence[str], labels: Sequence[Hashable]) -> None:
        counts: dict[str, Counter] = defaultdict(Counter)
        for word, label in zip(words, labels):
            counts[word][label] += 1
        # Ties go to the label seen first: Counter.most_common keeps insertion order among equals.
        self.table = {word: c.most_common(1)[0][0] for word, c in counts.items()}
        self.default = Counter(labels).most_common(1)[0][0]

    def predict(self, words: Sequence[str]) -> list[Hashable]:
        return [self.table.get(word, self.default) for word in words]


def control_labels(word_types: Iterable[str], labels: Sequence[int], seed: int) -> dict[str, int]:
    """Hewitt & Liang's control task: each word type gets one label, drawn at random from the empirical
    distribution of ``labels`` (the task's labels over the training words), the same at every occurrence.

    Types are drawn in sorted order with ``random.Random(seed)``, so the assignment does not depend on the
    order in which the types were met.
    """
    rng = random.Random(seed)
    counts = Counter(labels)
    population, weights = list(counts), [counts[label] for label in counts]
    return {word: rng.choices(population, weights)[0] for word in sorted(set(word_types))}


# --------------------------------------------------------------------------------------------- heads
def encoder_layers(model: nn.Module) -> nn.ModuleList:
    """The encoder layers of a BertModel or of any head holding one as ``.bert``."""
    bert = getattr(model, "bert", model)
    return bert.encoder.layer


@contextmanager
def heads_masked(model: nn.Module, heads: Iterable[tuple[int, int]]) -> Iterator[None]:
    """Inside the ``with`` block, the output of every attention head ``(layer, head)`` listed is zero.

    The heads' outputs reach the rest of the layer side by side, as the input of the output projection
    ``attention.output.dense`` (W_O): head h owns columns h*d to (h+1)*d of that (B, T, H) input. A forward
    pre-hook multiplies them by 0, which is what a head mask of 0 does in Hugging Face's models (there it
    multiplies the head's attention probabilities). W_O's bias, the residual and LayerNorm still apply.
    """
    layers = encoder_layers(model)
    by_layer: dict[int, list[int]] = defaultdict(list)
    for layer, head in heads:
        if not (0 <= layer < len(layers) and 0 <= head < layers[layer].attention.self.num_heads):
            raise ValueError(f"no head ({layer}, {head}) in a model of {len(layers)} layers")
        by_layer[layer].append(head)
    handles = []
    for layer, masked in by_layer.items():
        attention = layers[layer].attention
        keep = torch.ones(attention.self.num_heads, attention.self.head_size)  # (A, d)
        keep[masked] = 0.0
        keep = keep.flatten()  # (H,): 0 on the columns of the masked heads

        def zero_heads(module: nn.Module, inputs: tuple[torch.Tensor, ...], keep: torch.Tensor = keep):
            return (inputs[0] * keep.to(inputs[0]),)  # (B, T, H)

        handles.append(attention.output.dense.register_forward_pre_hook(zero_heads))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


class LayerCache:
    """Every layer's hidden states for fixed batches, so that the top of the encoder can be re-run alone.

    Masking a head of layer l changes nothing below l: re-running layers l, l+1, ... from the cached input
    of layer l gives the same result as a whole forward pass, for a fraction of the cost.
    ``batches`` are dicts with ``input_ids`` and ``attention_mask`` (B, T).
    """

    @torch.no_grad()
    def __init__(self, model: nn.Module, batches: Sequence[dict[str, torch.Tensor]]) -> None:
        self.model, self.batches = model.eval(), list(batches)
        bert = getattr(model, "bert", model)
        self.hidden_states = [bert(input_ids=b["input_ids"], attention_mask=b["attention_mask"],
                                   output_hidden_states=True).hidden_states for b in self.batches]

    @torch.no_grad()
    def last_hidden_states(self, start_layer: int) -> list[torch.Tensor]:
        """The final hidden states (B, T, H) of every batch, re-running layers ``start_layer`` and up
        (inside :func:`heads_masked`, with those heads masked)."""
        layers = encoder_layers(self.model)
        outputs = []
        for batch, states in zip(self.batches, self.hidden_states):
            mask = padding_mask(batch["attention_mask"], states[start_layer].dtype)  # (B, 1, 1, T)
            x = states[start_layer]  # the input of layer start_layer: (B, T, H)
            for layer in layers[start_layer:]:
                x, _ = layer(x, mask)
            outputs.append(x)
        return outputs


def ablate_each_head(cache: LayerCache, score: Callable[[list[torch.Tensor]], float],
                     heads: Iterable[tuple[int, int]]) -> dict[tuple[int, int], float]:
    """``score`` (of the final hidden states of the cached batches) with each head in ``heads`` masked alone."""
    results = {}
    for layer, head in heads:
        with heads_masked(cache.model, [(layer, head)]):
            results[(layer, head)] = score(cache.last_hidden_states(layer))
    return results


# --------------------------------------------------------------------------------------------- occlusion
def occluded_copies(words: Sequence[str], skip: int, mask_token: str = "[MASK]") -> list[list[str]]:
    """One copy of the sentence per word other than ``skip``, with that word replaced by ``mask_token``."""
    return [[mask_token if j == i else w for j, w in enumerate(words)] for i in range(len(words)) if i != skip]


def word_attention(attention: torch.Tensor, word_ids: Sequence[int | None], query_word: int) -> torch.Tensor:
    """How much the first piece of ``query_word`` attends to each word: (words,).

    ``attention`` (A, T, T) is one layer's probabilities for one sentence; it is averaged over the heads, and
    the attention to a word's pieces is summed. Attention to special tokens ([CLS], [SEP]) is left out.
    """
    row = attention.mean(0)[first_piece_positions(word_ids)[query_word]]  # (T,): averaged over the heads
    n_words = max(w for w in word_ids if w is not None) + 1
    per_word = torch.zeros(n_words)
    for position, word in enumerate(word_ids):
        if word is not None:
            per_word[word] += row[position]
    return per_word  # (words,)
