"""What a sceptic would try before believing a pre-trained BERT: baselines for MLM and NSP (lessons 07-09).

**Masked language modeling.** Counting guessers, fitted on the *training* sequences and scored on exactly
the masked positions the model is scored on:

* ``unigram``: always the most frequent training token;
* ``bigram (left)``: the most frequent token after the left neighbour (what a left-to-right model of one
  word of context knows);
* ``bigram (right)``: the most frequent token before the right neighbour;
* ``both neighbours``: the most frequent token between the left and the right neighbour.

A guesser reads the neighbours as the model sees them: a neighbour that is itself ``[MASK]`` (or a context
never seen in training) gives no evidence, and the guesser backs off (both neighbours -> left -> right ->
unigram; left or right -> unigram). Ties go to the smaller token id, so a fit is the same everywhere.

**Next sentence prediction.** ``majority``: always the most frequent training label. ``overlap``: IsNext
when A and B share at least ``threshold`` distinct *content* tokens (tokens that are not among the most
frequent tokens of the training text: those are the function words and punctuation), the threshold chosen
on the training pairs.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from minibert.heads import IGNORE_INDEX  # a label the MLM loss skips

MLM_BASELINES = ("unigram", "bigram (left)", "bigram (right)", "both neighbours")


def _most_frequent(counts: Counter) -> Any:
    """The most frequent key; ties go to the smallest key (a fit must not depend on the order of the text)."""
    return min(counts, key=lambda key: (-counts[key], key))


def _argmax_table(table: dict[Any, Counter]) -> dict[Any, int]:
    return {context: _most_frequent(counts) for context, counts in table.items()}


@dataclass(frozen=True)
class BlankGuessers:
    """The four counting guessers of a masked token (see the module's docstring)."""

    unigram: int
    after: dict[int, int]                    # left neighbour -> most frequent next token
    before: dict[int, int]                   # right neighbour -> most frequent token before it
    between: dict[tuple[int, int], int]      # (left, right) neighbours -> most frequent token between

    @classmethod
    def fit(cls, sequences: Iterable[Sequence[int]], special_ids: Iterable[int]) -> "BlankGuessers":
        """Count the training sequences (as the model reads them: ``[CLS] ... [SEP]``, unmasked).

        Only ordinary tokens are ever guessed; special tokens ([CLS], [SEP]) count as neighbours.
        """
        special = frozenset(special_ids)
        unigram: Counter = Counter()
        after: dict[int, Counter] = defaultdict(Counter)
        before: dict[int, Counter] = defaultdict(Counter)
        between: dict[tuple[int, int], Counter] = defaultdict(Counter)
        for ids in sequences:
            for i, token in enumerate(ids):
                if token in special:
                    continue
                unigram[token] += 1
                left = ids[i - 1] if i > 0 else None
                right = ids[i + 1] if i + 1 < len(ids) else None
                if left is not None:
                    after[left][token] += 1
                if right is not None:
                    before[right][token] += 1
                if left is not None and right is not None:
                    between[(left, right)][token] += 1
        if not unigram:
            raise ValueError("no ordinary tokens to count: the training sequences are empty")
        return cls(_most_frequent(unigram), _argmax_table(after), _argmax_table(before), _argmax_table(between))

    def guess(self, name: str, left: int | None, right: int | None) -> int:
        """The guess of baseline ``name`` for a blank between ``left`` and ``right`` (None: no neighbour)."""
        if name == "unigram":
            return self.unigram
        if name == "bigram (left)":
            return self.after.get(left, self.unigram)
        if name == "bigram (right)":
            return self.before.get(right, self.unigram)
        if name == "both neighbours":
            if (left, right) in self.between:
                return self.between[(left, right)]
            return self.after.get(left, self.before.get(right, self.unigram))
        raise ValueError(f"unknown baseline {name!r}; choose one of {MLM_BASELINES}")

    def predict(self, input_ids: Sequence[int], positions: Iterable[int]) -> dict[str, list[int]]:
        """Each baseline's guesses at ``positions`` of one (masked) input, reading its visible neighbours."""
        guesses: dict[str, list[int]] = {name: [] for name in MLM_BASELINES}
        for p in positions:
            left = input_ids[p - 1] if p > 0 else None
            right = input_ids[p + 1] if p + 1 < len(input_ids) else None
            for name in MLM_BASELINES:
                guesses[name].append(self.guess(name, left, right))
        return guesses


def mlm_baseline_accuracy(guessers: BlankGuessers, examples: Sequence[tuple[Sequence[int], Sequence[int]]],
                          batch_size: int | None = None) -> dict[str, float]:
    """Top-1 accuracy of each baseline over every labelled position of ``(input_ids, labels)`` examples.

    ``labels`` hold the original token where the model must predict and -100 elsewhere, as in a
    pre-training example; the accuracy is over the same positions as BERT's MLM accuracy. With
    ``batch_size``, the accuracy is averaged as ``minibert.pretrain.make_eval_fn`` averages a model's: the
    accuracy of each batch of ``batch_size`` examples, weighted by the examples in the batch.
    """
    examples = list(examples)
    size = batch_size or len(examples)
    totals = dict.fromkeys(MLM_BASELINES, 0.0)
    scored = 0
    for start in range(0, len(examples), size):
        hits, n = Counter(), 0
        for input_ids, labels in examples[start:start + size]:
            positions = [p for p, label in enumerate(labels) if label != IGNORE_INDEX]
            n += len(positions)
            for name, guessed in guessers.predict(input_ids, positions).items():
                hits[name] += sum(g == labels[p] for g, p in zip(guessed, positions))
        if n == 0:
            continue
        weight = len(examples[start:start + size]) if batch_size else 1
        scored += weight
        for name in MLM_BASELINES:
            totals[name] += hits[name] / n * weight
    if scored == 0:
        raise ValueError("no labelled positions to score")
    return {name: totals[name] / scored for name in MLM_BASELINES}


# ----------------------------------------------------------------------------- next sentence prediction


def majority_label(labels: Iterable[int]) -> int:
    """The most frequent training label (ties: the smaller label)."""
    return _most_frequent(Counter(labels))


def frequent_tokens(sequences: Iterable[Sequence[int]], n: int = 50) -> frozenset[int]:
    """The ``n`` most frequent tokens of the training text: function words and punctuation, not content."""
    counts = Counter(token for ids in sequences for token in ids)
    return frozenset(sorted(counts, key=lambda token: (-counts[token], token))[:n])


def shared_content_words(tokens_a: Sequence[int], tokens_b: Sequence[int], frequent: frozenset[int]) -> int:
    """How many distinct content tokens (not in ``frequent``) occur in both segments."""
    return len((set(tokens_a) & set(tokens_b)) - frequent)


@dataclass(frozen=True)
class OverlapRule:
    """``IsNext`` (label 0) when A and B share at least ``threshold`` distinct content tokens."""

    threshold: int
    frequent: frozenset[int]

    @classmethod
    def fit(cls, pairs: Sequence[Any], frequent: frozenset[int], max_threshold: int = 20) -> "OverlapRule":
        """The threshold that classifies the training ``pairs`` (``tokens_a``, ``tokens_b``,
        ``next_sentence_label``) best; ties go to the smaller threshold."""
        shared = [(shared_content_words(p.tokens_a, p.tokens_b, frequent), p.next_sentence_label) for p in pairs]

        def accuracy(threshold: int) -> float:
            return sum((n >= threshold) == (label == 0) for n, label in shared) / len(shared)

        best = max(range(max_threshold + 1), key=lambda t: (accuracy(t), -t))
        return cls(best, frequent)

    def predict(self, tokens_a: Sequence[int], tokens_b: Sequence[int]) -> int:
        return 0 if shared_content_words(tokens_a, tokens_b, self.frequent) >= self.threshold else 1

    def accuracy(self, pairs: Sequence[Any]) -> float:
        return sum(self.predict(p.tokens_a, p.tokens_b) == p.next_sentence_label for p in pairs) / len(pairs)


def nsp_baseline_accuracy(train_pairs: Sequence[Any], test_pairs: Sequence[Any],
                          frequent: frozenset[int]) -> dict[str, float]:
    """Held-out accuracy of the majority label and of the overlap rule, both fitted on ``train_pairs``."""
    label = majority_label(p.next_sentence_label for p in train_pairs)
    rule = OverlapRule.fit(train_pairs, frequent)
    return {"majority": sum(p.next_sentence_label == label for p in test_pairs) / len(test_pairs),
            "overlap": rule.accuracy(test_pairs)}
