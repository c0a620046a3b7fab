"""Text classification and sentence-pair classification (NLI, paraphrase) from the pooled [CLS].

One sentence is read as ``[CLS] sentence [SEP]``; a pair as ``[CLS] premise [SEP] hypothesis [SEP]`` with
segment ids 0 for the first part and 1 for the second, so the model knows which sentence a word is in.
`BertForSequenceClassification` puts ``Linear(H, num_labels)`` on the pooled [CLS] vector; the loss is
cross-entropy; the scores are accuracy and macro-F1 (`minibert.tasks.metrics`). NLI is the same task on
pairs (`minibert.tasks.nli`).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

from minibert.heads import BertForSequenceClassification
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs
from minibert.tasks.formats import FormatError, TaskData, finish_loading, get_field, label_index, read_tsv
from minibert.tasks.metrics import accuracy, macro_f1
from minibert.tasks.task import Features, HFOptions, Pipeline, Task

# ---------------------------------------------------------------------------------------------------
# The file format

SST2_LABELS = ["negative", "positive"]


@dataclass
class TextExample:
    """One sentence (SST-2) or a pair (MRPC, NLI). ``label`` indexes ``TaskData.label_names``;
    None in a test split without labels."""
    text: str
    text_pair: str | None = None
    label: int | None = None
    id: str | None = None


# Header names of the GLUE tasks: the first layout whose columns are all present is used.
_PAIR_COLUMNS = [("sentence1", "sentence2"), ("#1 String", "#2 String"),  # MNLI/RTE/SNLI, MRPC
                 ("question1", "question2"), ("question", "sentence"),      # QQP, QNLI
                 ("premise", "hypothesis")]                                 # HF's snli/mnli
_SINGLE_COLUMNS = ["sentence"]                                             # SST-2, CoLA (with header)
_LABEL_COLUMNS = ["label", "gold_label", "Quality", "is_duplicate"]        # MRPC's label is "Quality"
_ID_COLUMNS = ["index", "id", "pairID", "idx"]


def text_columns(header: Iterable[str], path: str | Path, line: int | None) -> tuple[str, str | None]:
    """The text column(s) of a row with these column names: a pair such as ("sentence1", "sentence2"), or
    ("sentence", None). ``path`` and ``line`` name the row in the error when there is none."""
    columns = set(header)
    for first, second in _PAIR_COLUMNS:
        if first in columns and second in columns:
            return first, second
    for name in _SINGLE_COLUMNS:
        if name in columns:
            return name, None
    raise FormatError(path, line, f"no text column among {sorted(columns)}: expected 'sentence' or a pair "
                                  f"such as 'sentence1'/'sentence2' or '#1 String'/'#2 String'")


def text_examples(rows: Iterator[tuple[int, dict]], path: Path, label_names: list[str] | None,
                   skipped: Counter, skip_labels: tuple[str, ...] = ()) -> list[TextExample]:
    examples, columns = [], None
    for line, row in rows:
        if columns is None:
            first, second = text_columns(row, path, line)
            label_col = next((c for c in _LABEL_COLUMNS if c in row), None)
            id_col = next((c for c in _ID_COLUMNS if c in row), None)
            columns = first, second, label_col, id_col
        first, second, label_col, id_col = columns
        label = None
        if label_col is not None:
            raw = str(get_field(row, [label_col], path, line))
            if raw.strip() in skip_labels:
                skipped[f"label {raw.strip()!r}"] += 1
                continue
            label = label_index(raw, label_names, path, line)
        examples.append(TextExample(
            text=str(get_field(row, [first], path, line)),
            text_pair=None if second is None else str(get_field(row, [second], path, line)),
            label=label,
            id=None if id_col is None else str(row.get(id_col)),
        ))
    return examples


def inferred_labels(examples: list[TextExample], label_names: list[str] | None) -> list[str] | None:
    if label_names is not None:
        return list(label_names)
    labels = [e.label for e in examples if e.label is not None]
    return [str(i) for i in range(max(labels) + 1)] if labels else None


def load_glue_tsv(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """A GLUE-style TSV with a header: one sentence (``sentence``, ``label``: SST-2) or a pair
    (``sentence1``/``sentence2``, MRPC's ``#1 String``/``#2 String`` with label ``Quality``, QQP,
    QNLI). Labels are integers, or names from ``label_names``. A test split has no label column:
    its labels are None. Without ``label_names`` they are ``["0", "1", ...]``."""
    path, skipped = Path(path), Counter()
    examples = text_examples(read_tsv(path, skipped), path, label_names, skipped)
    return finish_loading(TaskData(examples, str(path), inferred_labels(examples, label_names), dict(skipped)))


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


def label_of(id2label: Mapping[int, str] | None, index: int) -> str:
    """The name of label ``index`` (``LABEL_i`` as in transformers when the model has no names)."""
    return (id2label or {}).get(index, f"LABEL_{index}")


def task_features(examples, tokenizer, max_length, label_names, train) -> Features:
    """`Task.features`: the labels are already indices, and evaluation needs nothing more."""
    return classification_features(examples, tokenizer, max_length)


def evaluate(model: BertForSequenceClassification, examples: Sequence[TextExample],
             features: Sequence[Mapping[str, Any]], batch_size: int = 32) -> dict[str, float]:
    """``accuracy`` and ``macro_f1`` of the model's most likely label."""
    logits = model_outputs(model, features, classification_collator(model.config.pad_token_id), batch_size,
                           ["logits"], per_token=False)["logits"]
    return classification_scores([e.label for e in examples], [int(row.argmax()) for row in logits])


def from_hf_row(row: dict, options: HFOptions) -> TextExample:
    """A GLUE-style row (``sentence``, or a pair such as ``premise``/``hypothesis``); label -1 (GLUE's test
    splits) is "no label"."""
    first, second = text_columns(row, options.source, line=None)
    label = row.get("label")
    idx = row.get("idx", row.get("id"))
    return TextExample(row[first], None if second is None else row[second], None if label == -1 else label,
                       None if idx is None else str(idx))


class TextClassificationPipeline(Pipeline):
    """``classify("a great film")`` → ``{"label": "positive", "score": 0.97}``.

    A sentence pair (NLI, paraphrase) is a tuple ``(premise, hypothesis)`` or a dict
    ``{"text": ..., "text_pair": ...}``. ``top_k=None`` returns every label, best first.
    """

    model_class = BertForSequenceClassification

    @staticmethod
    def command_line_input(text: str, second: str | None, choices: list[str] | None) -> Any:
        return text if second is None else (text, second)

    @staticmethod
    def _pair(item: Any) -> tuple[str, str | None]:
        if isinstance(item, str):
            return item, None
        if isinstance(item, tuple) and len(item) == 2:
            return item
        if isinstance(item, dict) and "text" in item:
            return item["text"], item.get("text_pair")
        raise ValueError(f"expected a text, a (text, text_pair) tuple or a dict with 'text', got {item!r}")

    def predict(self, inputs: list, top_k: int | None = 1) -> list:
        pairs = [self._pair(item) for item in inputs]
        self._check_texts([t for pair in pairs for t in pair if t is not None])
        features = []
        for text, text_pair in pairs:  # one at a time: a batch may mix single sentences and pairs
            enc = self.tokenizer(text, text_pair, truncation="longest_first", max_length=self.max_length)
            features.append(dict(enc))
        logits = model_outputs(self.model, features, classification_collator(self.tokenizer.pad_token_id),
                               self.batch_size, ["logits"], per_token=False)["logits"]
        results = []
        for row in logits:
            probs = row.softmax(-1)
            ranked = [{"label": label_of(self.model.config.id2label, i), "score": float(probs[i])}
                      for i in probs.argsort(descending=True).tolist()]
            results.append(ranked[0] if top_k == 1 else ranked[:top_k])
        return results


TASK = Task(
    name="text-classification", help="one sentence (or a pair) -> a label: GLUE-style TSV (SST-2, MRPC)",
    pipeline=TextClassificationPipeline, aliases=("sentiment-analysis",),
    model_class=BertForSequenceClassification, load=load_glue_tsv, features=task_features,
    collator=classification_collator, evaluate=evaluate, metrics=("accuracy", "macro_f1"), has_labels=True,
    from_hf_row=from_hf_row,
)
