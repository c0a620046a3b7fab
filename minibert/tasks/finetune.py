"""Fine-tune a pre-trained BERT on a task: ``finetune("text-classification", model="minilm", train=..., dev=...)``.

Every task follows the same five steps, so each is a `minibert.tasks.task.Task` (found by
`minibert.tasks.registry`) and the loop is written once, here:

    load the files (public formats)  ->  features (token ids, labels)  ->  length-grouped batches with
    dynamic padding  ->  the generic Trainer (AdamW, warm-up + linear decay, bf16, checkpoints)
    ->  the task's evaluation on the dev set (its standard metric)

The output directory is a model directory that ``from_pretrained`` (and the pipelines) load: config.json
with ``id2label`` and ``finetuning_task``, model.safetensors, the tokenizer, plus ``metrics.json`` (the dev
scores), ``metrics.jsonl`` (one record per step) and ``training_args.json``.

Adding a task is adding a module ``minibert/tasks/<name>.py`` with ``TASK = Task(...)`` (README, "The package").
"""
from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from torch import nn

from minibert.config import BertConfig
from minibert.files import atomic_write_text
from minibert.modeling import BertPreTrainedModel
from minibert.tasks.batching import LengthGroupedSampler, feature_length
from minibert.tasks.formats import TaskData
from minibert.tasks.registry import get_task
from minibert.tasks.task import Task
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Trainer, TrainingArguments, set_seed

METRICS_FILE = "metrics.json"


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
    if spec.prepare_model is not None:  # e.g. translation: the decoder writes only the target-side tokens
        spec.prepare_model(net, train_features, tokenizer)
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
    groups = spec.parameter_groups(net, lr, weight_decay) if spec.parameter_groups is not None else None
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


def headline(task: str, metrics: Mapping[str, float]) -> str:
    """One line with the task's scores, e.g. ``accuracy 0.912  macro_f1 0.910``."""
    return "  ".join(f"{k} {metrics[k]:.4g}" for k in get_task(task).metrics if k in metrics)
