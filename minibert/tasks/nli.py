"""Natural language inference: premise + hypothesis -> entailment / neutral / contradiction.

The classification task on sentence pairs (`minibert.tasks.classification`): the same features, model,
evaluation and pipeline; only the files differ (SNLI/MNLI's JSON lines or TSV, `load_nli`), and the labels
are fixed (`NLI_LABELS`, the order of GLUE's MNLI and HF's snli).
"""
from __future__ import annotations

from minibert.heads import BertForSequenceClassification
from minibert.tasks import classification
from minibert.tasks.formats import NLI_LABELS, TextExample, load_nli
from minibert.tasks.task import HFOptions, SkipRow, Task


def from_hf_row(row: dict, options: HFOptions) -> TextExample:
    """A pair row (``premise``/``hypothesis``, QNLI's ``question``/``sentence``...); SNLI's rows whose
    annotators did not agree (label -1) are skipped and counted."""
    if row.get("label") == -1:
        raise SkipRow("label -1")
    return classification.from_hf_row(row, options)


TASK = Task(
    name="nli", help="premise + hypothesis -> entailment / neutral / contradiction: SNLI/MNLI JSONL or TSV",
    pipeline=classification.TextClassificationPipeline,
    model_class=BertForSequenceClassification, load=load_nli, features=classification.task_features,
    collator=classification.classification_collator, evaluate=classification.evaluate,
    metrics=("accuracy", "macro_f1"), has_labels=True,
    from_hf_row=from_hf_row, default_label_names=tuple(NLI_LABELS),
)
