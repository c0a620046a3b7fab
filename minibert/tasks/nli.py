"""Natural language inference: premise + hypothesis -> entailment / neutral / contradiction.

The classification task on sentence pairs (`minibert.tasks.classification`): the same features, model,
evaluation and pipeline; only the files differ (SNLI/MNLI's JSON lines or TSV, `load_nli`), and the labels
are fixed (`NLI_LABELS`, the order of GLUE's MNLI and HF's snli).
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from minibert.heads import BertForSequenceClassification
from minibert.tasks import classification
from minibert.tasks.formats import FormatError, TaskData, finish_loading, read_jsonl, read_tsv
from minibert.tasks.task import HFOptions, SkipRow, Task

# ---------------------------------------------------------------------------------------------------
# The file format

NLI_LABELS = ["entailment", "neutral", "contradiction"]  # the order of GLUE's MNLI and HF's snli


def load_nli(path: str | Path, label_names: list[str] | None = None) -> TaskData:
    """SNLI or MNLI: JSONL (``.jsonl``/``.json``: ``sentence1``, ``sentence2``, ``gold_label``) or the
    TSV release (``.tsv``/``.txt``, with a header including ``gold_label``). Labels are
    entailment/neutral/contradiction (:data:`NLI_LABELS`, or ``label_names`` for another set such as
    RTE's entailment/not_entailment); rows whose gold label is ``-`` (the annotators did not agree)
    are skipped and counted in ``skipped``."""
    path, skipped = Path(path), Counter()
    label_names = list(label_names or NLI_LABELS)
    if path.suffix in (".jsonl", ".json"):
        rows = read_jsonl(path, skipped)
    elif path.suffix in (".tsv", ".txt"):
        rows = read_tsv(path, skipped)
    else:
        raise FormatError(path, None, "NLI files must end in .jsonl/.json (JSON lines) or .tsv/.txt")
    examples = classification.text_examples(rows, path, label_names, skipped, skip_labels=("-",))
    return finish_loading(TaskData(examples, str(path), label_names, dict(skipped)))


def from_hf_row(row: dict, options: HFOptions) -> classification.TextExample:
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
