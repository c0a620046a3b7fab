"""Multiple choice (SWAG): which of C endings continues the context?

Each candidate is scored on its own. The context and one ending are read as a sentence pair,

    [CLS] context [SEP] start-of-next-sentence ending [SEP]       (segment 0, then segment 1)

so BERT compares them with full attention, exactly as in NLI. `BertForMultipleChoice` turns the pooled
[CLS] of each pair into ONE number, and the C numbers of an item compete in a softmax: the loss is the
cross-entropy of the right ending. Why not read all endings at once? Each pair would then be diluted
among the others, and the model could not share what it learns between positions: scoring pairs makes
"does this ending fit?" one question, asked C times.

A feature holds C rows of ids; a batch is (B, C, T): B items, C choices, each padded to the longest
pair of the batch. The model flattens it to B·C sequences, then reshapes the scores to (B, C).
The score is accuracy.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from minibert.heads import BertForMultipleChoice
from minibert.tasks.formats import ChoiceExample
from minibert.tasks.metrics import accuracy

INPUT_KEYS = ("input_ids", "token_type_ids", "attention_mask")


def choice_pairs(example: ChoiceExample) -> tuple[list[str], list[str]]:
    """The (first, second) text of each candidate pair: the context, and the next sentence's start + ending
    (as Hugging Face's run_swag does)."""
    seconds = [f"{example.start} {ending}".strip() for ending in example.endings]
    return [example.context] * len(seconds), seconds


def choice_features(examples: Sequence[ChoiceExample], tokenizer, max_length: int = 128) -> list[dict[str, Any]]:
    """One feature per item: ``input_ids``, ``token_type_ids``, ``attention_mask`` as C lists (one per
    ending, not padded) and ``labels`` (the right ending's index) when the item has one. A pair longer than
    ``max_length`` is cut longest-first."""
    if not examples:
        raise ValueError("no examples to tokenize")
    features = []
    for example in examples:
        if len(example.endings) < 2:
            raise ValueError(f"item {example.id!r} has {len(example.endings)} ending(s); multiple choice needs >= 2")
        firsts, seconds = choice_pairs(example)
        enc = tokenizer(firsts, seconds, truncation="longest_first", max_length=max_length)
        feature: dict[str, Any] = {key: enc[key] for key in INPUT_KEYS}  # each (C, T_c)
        if example.label is not None:
            feature["labels"] = example.label
        features.append(feature)
    return features


def collate_choices(features: Sequence[Mapping[str, Any]], pad_token_id: int = 0) -> dict[str, torch.Tensor]:
    """Inputs (B, C, T), padded to the longest pair of the batch, and ``labels`` (B,) when present."""
    if not features:
        raise ValueError("cannot collate an empty batch")
    counts = {len(f["input_ids"]) for f in features}
    if len(counts) != 1:
        raise ValueError(f"every item of a batch needs the same number of choices, got {sorted(counts)}")
    width = max(len(row) for f in features for row in f["input_ids"])  # T
    pads = {"input_ids": pad_token_id, "token_type_ids": 0, "attention_mask": 0}
    batch = {key: torch.tensor([[list(row) + [pad] * (width - len(row)) for row in f[key]] for f in features])
             for key, pad in pads.items()}  # (B, C, T)
    if "labels" in features[0]:
        batch["labels"] = torch.tensor([f["labels"] for f in features])  # (B,)
    return batch


def choice_collator(pad_token_id: int = 0):
    """The collator for ``BertForMultipleChoice(**batch)`` (the form the task table wants)."""
    return lambda features: collate_choices(features, pad_token_id)


def choice_logits(model: BertForMultipleChoice, features: Sequence[Mapping[str, Any]], batch_size: int = 32
                  ) -> list[torch.Tensor]:
    """The C scores of each item, in order."""
    from minibert.tasks.finetune import model_outputs  # here, not at the top: finetune imports this module

    collate = choice_collator(model.config.pad_token_id)
    return model_outputs(model, features, collate, batch_size, ["logits"], per_token=False)["logits"]


def evaluate(model: BertForMultipleChoice, examples: Sequence[ChoiceExample], features: Sequence[Mapping[str, Any]],
             batch_size: int = 32) -> dict[str, float]:
    """``accuracy``: the fraction of items whose highest-scoring ending is the right one."""
    predictions = [int(row.argmax()) for row in choice_logits(model, features, batch_size)]
    return {"accuracy": accuracy([e.label for e in examples], predictions)}


def predict(model: BertForMultipleChoice, tokenizer, context: str, endings: Sequence[str], start: str = "",
            max_length: int = 128) -> dict[str, Any]:
    """``{"label": index of the best ending, "scores": softmax probability of each ending}``."""
    features = choice_features([ChoiceExample(context, start, list(endings))], tokenizer, max_length)
    batch = collate_choices(features, model.config.pad_token_id)
    device = next(model.parameters()).device
    model.eval()
    with torch.no_grad():
        logits = model(**{k: v.to(device) for k, v in batch.items()}).logits[0]  # (C,)
    scores = logits.float().softmax(-1)
    return {"label": int(scores.argmax()), "scores": scores.tolist()}
