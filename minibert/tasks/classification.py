"""Text classification and sentence-pair classification (NLI, paraphrase) from the pooled [CLS].

One sentence is read as ``[CLS] sentence [SEP]``; a pair as ``[CLS] premise [SEP] hypothesis [SEP]`` with
segment ids 0 for the first part and 1 for the second, so the model knows which sentence a word is in.
`BertForSequenceClassification` puts ``Linear(H, num_labels)`` on the pooled [CLS] vector; the loss is
cross-entropy; the scores are accuracy and macro-F1 (`minibert.tasks.metrics`).
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from minibert.tasks.collate import DynamicPadding, input_padding
from minibert.tasks.formats import TextExample
from minibert.tasks.metrics import accuracy, macro_f1


def classification_features(examples: Sequence[TextExample], tokenizer, max_length: int = 128
                            ) -> list[dict[str, Any]]:
    """One feature per example: ``input_ids``, ``token_type_ids``, ``attention_mask`` (lists, not padded)
    and ``labels`` (the label index) when the example has one. Pairs are cut longest-first to fit."""
    if not examples:
        raise ValueError("no examples to tokenize")
    has_pair = [e.text_pair is not None for e in examples]
    if any(has_pair) and not all(has_pair):
        raise ValueError("some examples are sentence pairs and some single sentences: use one kind per file")
    pairs = [e.text_pair for e in examples] if has_pair[0] else None
    enc = tokenizer([e.text for e in examples], pairs, truncation="longest_first", max_length=max_length)
    features = []
    for i, example in enumerate(examples):
        feature = {key: enc[key][i] for key in ("input_ids", "token_type_ids", "attention_mask")}
        if example.label is not None:
            feature["labels"] = example.label
        features.append(feature)
    return features


def classification_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Batches for ``BertForSequenceClassification(**batch)``: inputs (B, T) and ``labels`` (B,)."""
    return input_padding(pad_token_id, labels=0)


def classification_scores(labels: Sequence[int], predictions: Sequence[int]) -> dict[str, float]:
    """``accuracy`` and ``macro_f1`` (fractions)."""
    return {"accuracy": accuracy(labels, predictions), "macro_f1": macro_f1(labels, predictions)}


def probabilities(logits: Sequence[torch.Tensor]) -> torch.Tensor:
    """Softmax over the labels of each row: (N, num_labels)."""
    return torch.stack(list(logits)).float().softmax(-1)


def label_of(id2label: Mapping[int, str] | None, index: int) -> str:
    """The name of label ``index`` (``LABEL_i`` as in transformers when the model has no names)."""
    return (id2label or {}).get(index, f"LABEL_{index}")
