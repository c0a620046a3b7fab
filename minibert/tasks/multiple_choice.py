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

import csv
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from minibert.heads import BertForMultipleChoice
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import FormatError, TaskData, finish_loading, label_index
from minibert.tasks.metrics import accuracy
from minibert.tasks.task import Features, HFOptions, Pipeline, Task

# ---------------------------------------------------------------------------------------------------
# The file format

@dataclass
class ChoiceExample:
    """One SWAG item: the context (``sent1``), the start of the second sentence (``sent2``) that each
    ending completes, the endings, and the index of the right one."""
    context: str
    start: str
    endings: list[str]
    label: int | None = None
    id: str | None = None


def load_swag(path: str | Path) -> TaskData:
    """SWAG-style multiple choice: a CSV (quoted, as in the SWAG release) with ``sent1`` (the context),
    ``sent2`` (the start each ending completes), ``ending0`` .. ``endingN`` and ``label`` (absent in
    the test split). A file with only ``startphrase`` uses it as the context and an empty start."""
    path = Path(path)
    examples: list[ChoiceExample] = []
    with open(path, encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
            endings = [c for c in header if c.startswith("ending") and c[6:].isdigit()]
            endings.sort(key=lambda c: int(c[6:]))
            if len(endings) < 2 or not ({"sent1", "sent2"} <= set(header) or "startphrase" in header):
                raise FormatError(path, 1, f"SWAG header needs sent1/sent2 (or startphrase) and ending0, "
                                           f"ending1, ...; got {header}")
            while True:
                line = reader.line_num + 1
                values = next(reader, None)
                if values is None:
                    break
                if len(values) != len(header):
                    raise FormatError(path, line, f"expected {len(header)} columns (as in the header), "
                                                  f"got {len(values)}")
                row = dict(zip(header, values))
                label = None
                if "label" in row:
                    label = label_index(row["label"], [str(i) for i in range(len(endings))], path, line)
                context, start = (row["sent1"], row["sent2"]) if "sent1" in row else (row["startphrase"], "")
                examples.append(ChoiceExample(context, start, [row[c] for c in endings], label,
                                              id=row.get("fold-ind") or row.get("id")))
        except csv.Error as e:
            raise FormatError(path, reader.line_num, f"bad CSV: {e}") from None
    return finish_loading(TaskData(examples, str(path), [str(i) for i in range(len(endings))]))


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


def choice_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Batches for ``BertForMultipleChoice(**batch)``: inputs (B, C, T), padded to the longest pair of the
    batch, and ``labels`` (B,) when present (`minibert.tasks.batching.pad_batch` pads rows of rows)."""
    return input_padding(pad_token_id, labels=0)


def choice_logits(model: BertForMultipleChoice, features: Sequence[Mapping[str, Any]], batch_size: int = 32
                  ) -> list[torch.Tensor]:
    """The C scores of each item, in order."""
    return model_outputs(model, features, choice_collator(model.config.pad_token_id), batch_size, ["logits"],
                         per_token=False)["logits"]


def evaluate(model: BertForMultipleChoice, examples: Sequence[ChoiceExample], features: Sequence[Mapping[str, Any]],
             batch_size: int = 32) -> dict[str, float]:
    """``accuracy``: the fraction of items whose highest-scoring ending is the right one."""
    predictions = [int(row.argmax()) for row in choice_logits(model, features, batch_size)]
    return {"accuracy": accuracy([e.label for e in examples], predictions)}


def predict(model: BertForMultipleChoice, tokenizer, context: str, endings: Sequence[str], start: str = "",
            max_length: int = 128) -> dict[str, Any]:
    """``{"label": index of the best ending, "scores": softmax probability of each ending}``."""
    features = choice_features([ChoiceExample(context, start, list(endings))], tokenizer, max_length)
    model.eval()
    scores = choice_logits(model, features, batch_size=1)[0].softmax(-1)  # (C,)
    return {"label": int(scores.argmax()), "scores": scores.tolist()}


def task_features(examples, tokenizer, max_length, label_names, train) -> Features:
    """`Task.features`: the same for training and evaluation."""
    return choice_features(examples, tokenizer, max_length)


def from_hf_row(row: dict, options: HFOptions) -> ChoiceExample:
    """A row of HF's swag (``sent1``, ``sent2``, ``ending0`` .. ``ending3``, ``label``)."""
    endings = [row[f"ending{i}"] for i in range(10) if f"ending{i}" in row]
    return ChoiceExample(row["sent1"], row["sent2"], endings, row.get("label"), row.get("fold-ind"))


class MultipleChoicePipeline(Pipeline):
    """``choose({"context": "...", "endings": [...], "start": ""})`` → ``{"label": best ending's index,
    "scores": [softmax probability of each ending]}``."""

    model_class = BertForMultipleChoice

    @staticmethod
    def command_line_input(text: str, second: str | None, choices: list[str] | None) -> Any:
        if not choices:
            raise ValueError("multiple choice needs the endings: --choices 'first ending | second ending'")
        return {"context": text, "endings": choices}

    def predict(self, inputs: list, max_length: int = 128) -> list:
        results = []
        for item in inputs:
            if not isinstance(item, dict) or "context" not in item or "endings" not in item:
                raise ValueError(f"expected a dict with 'context' and 'endings' (and optionally 'start'), got {item!r}")
            self._check_texts([item["context"], *item["endings"]])
            results.append(predict(self.model, self.tokenizer, item["context"], item["endings"],
                                   item.get("start", ""), min(max_length, self.max_length)))
        return results


TASK = Task(
    name="multiple-choice", help="context + candidate endings -> the right ending: SWAG CSV",
    pipeline=MultipleChoicePipeline,
    model_class=BertForMultipleChoice, load=load_swag, features=task_features, collator=choice_collator,
    evaluate=evaluate, metrics=("accuracy",), from_hf_row=from_hf_row,
)
