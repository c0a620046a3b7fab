"""Fine-tune a pre-trained BERT on a task: ``finetune("text-classification", model="minilm", train=..., dev=...)``.

Every task follows the same five steps, so each is an entry of :data:`TASKS` (a :class:`Task`) and the
loop is written once:

    load the files (public formats)  ->  features (token ids, labels)  ->  length-grouped batches with
    dynamic padding  ->  the generic Trainer (AdamW, warm-up + linear decay, bf16, checkpoints)
    ->  the task's evaluation on the dev set (its standard metric)

The output directory is a model directory that ``from_pretrained`` (and the pipelines) load: config.json
with ``id2label`` and ``finetuning_task``, model.safetensors, the tokenizer, plus ``metrics.json`` (the dev
scores), ``metrics.jsonl`` (one record per step) and ``training_args.json``.

Adding a task is adding an entry: ``register_task(Task(name=..., model_class=..., load=..., ...))``.
"""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn

from minibert.config import BertConfig
from minibert.files import atomic_write_text
from minibert.heads import (BertForMultipleChoice, BertForQuestionAnswering, BertForSequenceClassification,
                            BertForTokenClassification)
from minibert.modeling import BertPreTrainedModel
from minibert.tasks import classification, multiple_choice, ner, qa, summarization, translation
from minibert.tasks.collate import LengthGroupedSampler, feature_length
from minibert.tasks.formats import (TaskData, load_conll, load_glue_tsv, load_nli, load_parallel, load_squad,
                                    load_summaries, load_swag)
from minibert.tasks.metrics import entity_scores, token_accuracy
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Batch, Trainer, TrainingArguments, set_seed

METRICS_FILE = "metrics.json"
Features = list[dict[str, Any]]


# ---------------------------------------------------------------------------------------------------
# Running a model over features (evaluation and pipelines)


def model_outputs(model: nn.Module, features: Sequence[Mapping[str, Any]], collate: Callable[[list], Batch],
                  batch_size: int, fields: Sequence[str], per_token: bool) -> dict[str, list[torch.Tensor]]:
    """Run ``model`` over ``features`` and return, for each output field, one tensor per feature, in order.

    Batches are formed in order of length (with dynamic padding, little is padded), then put back in
    the features' order. ``per_token``: the fields are (B, T, ...) and each row is cut to its feature's
    own length, dropping the padding; otherwise they are (B, ...) and kept whole.
    """
    device = next(model.parameters()).device
    order = sorted(range(len(features)), key=lambda i: feature_length(features[i]))
    results: dict[str, list[torch.Tensor | None]] = {f: [None] * len(features) for f in fields}
    with torch.no_grad():
        for start in range(0, len(order), batch_size):
            indices = order[start:start + batch_size]
            batch = collate([features[i] for i in indices])
            out = model(**{k: v.to(device) for k, v in batch.items()})
            for field in fields:
                values = getattr(out, field).float().cpu()
                for row, i in zip(values, indices):
                    results[field][i] = row[:feature_length(features[i])] if per_token else row
    return results  # type: ignore[return-value]


# ---------------------------------------------------------------------------------------------------
# The task table


@dataclass(frozen=True)
class Task:
    """What fine-tuning needs to know about one task.

    ``load(path)`` reads a file of the task's public format into a `TaskData`.
    ``features(examples, tokenizer, max_length, label_names, train)`` turns examples into features
    (lists of ids, not padded); ``train=False`` features keep what evaluation needs (offsets, word ids).
    ``collator(pad_token_id)`` returns the batch builder (dynamic padding).
    ``evaluate(model, examples, features, batch_size)`` returns the dev scores; ``metrics`` names the
    ones printed, the main one first. ``config_keys``: scores also written into the model's config (e.g. QA's tuned
    ``null_threshold``, which the pipeline uses). ``has_labels``: the model's config gets ``id2label``.
    ``needs_tokenizer``: ``evaluate`` is also given ``tokenizer=`` (generation decodes ids back to text).
    """
    name: str
    model_class: type[BertPreTrainedModel]
    load: Callable[..., TaskData]
    features: Callable[..., Features]
    collator: Callable[[int], Callable[[list], Batch]]
    evaluate: Callable[..., dict[str, float]]
    metrics: tuple[str, ...]
    has_labels: bool = True
    needs_tokenizer: bool = False
    config_keys: tuple[str, ...] = ()
    help: str = ""


TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}: expected one of {sorted(TASKS)}")
    return TASKS[name]


# --- text classification and NLI ------------------------------------------------------------------


def _classification_features(examples, tokenizer, max_length, label_names, train) -> Features:
    return classification.classification_features(examples, tokenizer, max_length)


def _classification_evaluate(model, examples, features, batch_size) -> dict[str, float]:
    logits = model_outputs(model, features, classification.classification_collator(model.config.pad_token_id),
                           batch_size, ["logits"], per_token=False)["logits"]
    predictions = [int(row.argmax()) for row in logits]
    return classification.classification_scores([e.label for e in examples], predictions)


for _name, _load, _help in [
    ("text-classification", load_glue_tsv, "one sentence (or a pair) -> a label: GLUE-style TSV (SST-2, MRPC)"),
    ("nli", load_nli, "premise + hypothesis -> entailment / neutral / contradiction: SNLI/MNLI JSONL or TSV"),
]:
    register_task(Task(_name, BertForSequenceClassification, _load, _classification_features,
                       classification.classification_collator, _classification_evaluate, ("accuracy", "macro_f1"),
                       help=_help))


# --- extractive question answering ----------------------------------------------------------------


def _qa_features(examples, tokenizer, max_length, label_names, train, doc_stride: int | None = None) -> Features:
    stride = doc_stride if doc_stride is not None else max_length // 4  # 128 of 384, as BERT's run_squad
    prepare = qa.prepare_train_features if train else qa.prepare_eval_features
    return prepare(examples, tokenizer, max_length=max_length, doc_stride=stride)


def qa_predictions(model, examples, features, batch_size, version_2: bool = False,
                   null_threshold: float = 0.0) -> dict[str, qa.QAPrediction]:
    """Decoded answers of ``model`` for the questions ``examples`` (features from `prepare_eval_features`)."""
    out = model_outputs(model, features, lambda f: qa.collate_qa(f, model.config.pad_token_id), batch_size,
                        ["start_logits", "end_logits"], per_token=True)
    return qa.postprocess_predictions(examples, features, out["start_logits"], out["end_logits"],
                                      version_2=version_2, null_threshold=null_threshold)


def _qa_evaluate(model, examples, features, batch_size) -> dict[str, float]:
    """SQuAD v1.1 scores; with unanswerable questions (v2.0), the null threshold is tuned on these
    examples first (as the official recipe does on dev) and returned as ``null_threshold``."""
    predictions = qa_predictions(model, examples, features, batch_size)
    if not any(e.is_impossible for e in examples):
        return qa.evaluate(examples, predictions)
    threshold, _ = qa.best_null_threshold(examples, predictions)
    # -inf means "always answer nothing"; keep the number finite so metrics.json stays plain JSON.
    threshold = max(-1e9, min(1e9, threshold))
    predictions = qa_predictions(model, examples, features, batch_size, version_2=True, null_threshold=threshold)
    scores = qa.evaluate(examples, predictions, version_2=True)
    return {"exact_match": scores["exact"], **scores, "null_threshold": threshold}


register_task(Task("qa", BertForQuestionAnswering, load_squad, _qa_features,
                   lambda pad: (lambda f: qa.collate_qa(f, pad)), _qa_evaluate,
                   ("f1", "exact_match", "HasAns_f1", "NoAns_f1"), has_labels=False,
                   config_keys=("null_threshold",),
                   help="question + paragraph -> answer span: SQuAD v1.1 / v2.0 JSON"))


# --- named-entity recognition ---------------------------------------------------------------------


def _ner_features(examples, tokenizer, max_length, label_names, train) -> Features:
    label2id = {tag: i for i, tag in enumerate(label_names)}
    if train:
        return ner.tokenize_and_align([e.tokens for e in examples], [e.tags for e in examples], tokenizer,
                                      label2id, max_length=max_length)
    # Evaluation scores whole words, so its features need word ids, not sub-token labels.
    enc = tokenizer([e.tokens for e in examples], is_split_into_words=True, truncation=True,
                    max_length=max_length, return_word_ids=True)
    return [{key: enc[key][i] for key in ("input_ids", "token_type_ids", "attention_mask", "word_ids")}
            for i in range(len(examples))]


def ner_word_tags(model, examples, features, batch_size) -> list[list[str]]:
    """Each word's predicted tag: the prediction at its first sub-token."""
    logits = model_outputs(model, features, lambda f: ner.collate_ner(f, model.config.pad_token_id), batch_size,
                           ["logits"], per_token=True)["logits"]
    return [ner.word_tags(len(e.tokens), f["word_ids"], row.argmax(-1).tolist(), model.config.id2label)
            for e, f, row in zip(examples, features, logits)]


def _ner_evaluate(model, examples, features, batch_size) -> dict[str, float]:
    """Entity-level micro precision/recall/F1 (conlleval/seqeval) and token accuracy, on words."""
    predicted = ner_word_tags(model, examples, features, batch_size)
    gold = [e.tags for e in examples]
    return {**entity_scores(gold, predicted), "token_accuracy": token_accuracy(gold, predicted)}


register_task(Task("ner", BertForTokenClassification, load_conll, _ner_features,
                   lambda pad: (lambda f: ner.collate_ner(f, pad)), _ner_evaluate,
                   ("f1", "precision", "recall", "token_accuracy"),
                   help="words -> PER / LOC / ORG / MISC tags: CoNLL-2003 columns"))

# --- multiple choice, extractive summarization, translation ------------------------------------------

register_task(Task("multiple-choice", BertForMultipleChoice, load_swag,
                   lambda ex, tok, n, _labels, train: multiple_choice.choice_features(ex, tok, n),
                   multiple_choice.choice_collator, multiple_choice.evaluate, ("accuracy",), has_labels=False,
                   help="context + candidate endings -> the right ending: SWAG CSV"))
register_task(Task("summarization", summarization.BertForExtractiveSummarization, load_summaries,
                   lambda ex, tok, n, _labels, train: summarization.summary_features(ex, tok, n, train),
                   summarization.summary_collator, summarization.evaluate,
                   ("rouge1", "rouge2", "rougeL", "lead_rouge1", "lead_rouge2", "lead_rougeL"), has_labels=False,
                   config_keys=("summary_sentences",),
                   help="document -> its key sentences (BertSum, use --max-length 256 or more): JSONL"))
register_task(Task("translation", translation.BertEncoderDecoder, load_parallel,
                   lambda ex, tok, n, _labels, train: translation.translation_features(ex, tok, n, train=train),
                   translation.translation_collator, translation.evaluate, ("bleu", "bleu_original"),
                   has_labels=False, needs_tokenizer=True,
                   help="English -> French, BERT encoder + Transformer decoder: TSV/JSONL pairs"))


# ---------------------------------------------------------------------------------------------------
# The run


def task_label_names(*datasets: TaskData | None) -> list[str]:
    """The labels of the training file, then any the dev file adds (in order of first appearance)."""
    names: list[str] = []
    for data in datasets:
        for name in (data.label_names or []) if data is not None else []:
            if name not in names:
                names.append(name)
    if not names:
        raise ValueError(f"{datasets[0].source} has no labels to train on")
    return names


def first_examples(data: TaskData, n: int | None) -> TaskData:
    """The first ``n`` examples of ``data`` (all with None)."""
    return data if n is None else dataclasses.replace(data, examples=data.examples[:n])


def build_model(task: Task, model: str | Path, label_names: list[str] | None, random_init: bool = False
                ) -> BertPreTrainedModel:
    """The task's model: the pre-trained encoder of ``model`` (a directory or "minilm") with a newly
    initialised head (one warning names it), or with ``random_init`` every weight random (the baseline
    that shows what pre-training buys)."""
    config = BertConfig.from_pretrained(model)
    overrides: dict[str, Any] = {"extra": {**config.extra, "finetuning_task": task.name}}
    if task.has_labels:
        overrides["id2label"] = dict(enumerate(label_names or []))
    config = dataclasses.replace(config, **overrides)
    return task.model_class(config) if random_init else task.model_class.from_pretrained(model, config=config)


def finetune(task: str, model: str | Path = "minilm", train: str | Path | None = None,
             dev: str | Path | None = None, *, out_dir: str | Path, epochs: float = 3.0,
             lr: float = 5e-5, batch_size: int = 32, max_length: int = 128, seed: int = 42,
             max_steps: int = -1, warmup_ratio: float = 0.1, weight_decay: float = 0.01,
             label_names: list[str] | None = None, random_init: bool = False, resume: bool = False,
             save_steps: int = 0, keep_checkpoint: bool = False, device: str = "auto",
             bf16: bool | str = "auto", train_limit: int | None = None, dev_limit: int | None = None,
             show_progress: bool = True) -> dict[str, float]:
    """Fine-tune ``model`` on ``task`` and write a model directory with ``metrics.json`` to ``out_dir``.

    ``model``: "minilm" (the offline MiniLM weights) or a directory, e.g. your pre-training output
    (its MLM/NSP heads are dropped, the task head is new: a warning says so). ``label_names`` names the
    integer labels of a GLUE TSV (``["negative", "positive"]``). ``train_limit``/``dev_limit`` keep the
    first N examples (quick runs). ``resume=True`` continues from ``out_dir/checkpoint.pt`` (written
    every ``save_steps``; kept at the end with ``keep_checkpoint``).

    Returns the dev scores (the task's metric: accuracy and macro_f1; exact_match and f1; precision,
    recall and f1 ...) plus ``train_loss``, ``train_steps`` and ``train_seconds``.
    """
    spec = get_task(task)
    if train is None:
        raise ValueError("finetune needs a training file (train=...)")
    load_kwargs = {"label_names": label_names} if label_names is not None else {}
    train_data = first_examples(spec.load(train, **load_kwargs), train_limit)
    dev_data = first_examples(spec.load(dev, **load_kwargs), dev_limit) if dev is not None else None
    labels = task_label_names(train_data, dev_data) if spec.has_labels else None

    tokenizer = BertTokenizer.from_pretrained(model)
    set_seed(seed)  # the new head's initial weights
    net = build_model(spec, model, labels, random_init)
    max_length = min(max_length, net.config.max_position_embeddings)

    train_features = spec.features(train_data.examples, tokenizer, max_length, labels, True)
    if hasattr(net, "set_target_vocab"):  # translation: the decoder writes only the target-side tokens
        net.set_target_vocab(translation.target_vocabulary(train_features, tokenizer))
    dev_features = spec.features(dev_data.examples, tokenizer, max_length, labels, False) if dev_data else None
    eval_fn = None
    if dev_data is not None:
        def eval_fn(m: nn.Module) -> dict[str, float]:
            extra = {"tokenizer": tokenizer} if spec.needs_tokenizer else {}
            return spec.evaluate(m, dev_data.examples, dev_features, batch_size, **extra)

    args = TrainingArguments(output_dir=out_dir, max_steps=max_steps, num_train_epochs=epochs,
                             per_device_train_batch_size=batch_size, learning_rate=lr, warmup_ratio=warmup_ratio,
                             weight_decay=weight_decay, seed=seed, device=device, bf16=bf16, save_steps=save_steps,
                             drop_last=False, disable_tqdm=not show_progress)
    # Batches of similar lengths (little padding), in a seeded order that a resumed run continues exactly.
    sampler = LengthGroupedSampler([feature_length(f) for f in train_features], batch_size, seed)
    groups = net.parameter_groups(lr, weight_decay) if isinstance(net, translation.BertEncoderDecoder) else None
    trainer = Trainer(net, args, train_features, collate_fn=spec.collator(tokenizer.pad_token_id), sampler=sampler,
                      param_groups=groups, eval_fn=eval_fn)
    start = time.perf_counter()
    result = trainer.train(resume=resume)
    seconds = time.perf_counter() - start

    scores = {k.removeprefix("eval_"): v for k, v in result.metrics.items() if k.startswith("eval_")}
    metrics = {**scores, "train_loss": result.training_loss, "train_steps": result.global_step,
               "train_seconds": seconds, "train_examples": len(train_data), "dev_examples": len(dev_data or [])}
    for key in spec.config_keys:
        if key in scores:
            net.config.extra[key] = scores[key]
    out = Path(out_dir)
    net.save_pretrained(out)
    tokenizer.save_pretrained(out)
    atomic_write_text(out / METRICS_FILE, json.dumps(metrics, indent=2) + "\n")
    if not keep_checkpoint:
        trainer.checkpoint_path.unlink(missing_ok=True)
    return metrics


def read_metrics_json(out_dir: str | Path) -> dict[str, float]:
    """The ``metrics.json`` a fine-tuning run wrote."""
    return json.loads((Path(out_dir) / METRICS_FILE).read_text(encoding="utf-8"))


def headline(task: str, metrics: Mapping[str, float]) -> str:
    """One line with the task's scores, e.g. ``accuracy 0.912  macro_f1 0.910``."""
    return "  ".join(f"{k} {metrics[k]:.4g}" for k in get_task(task).metrics if k in metrics)
