"""Lessons 10-12: what pre-training buys, controlled. A pre-trained model is fine-tuned next to the SAME
architecture and size started from random weights, with the same data, steps, learning rate and seeds; every
run is scored on the task's whole dev split (held out).

The controlled pair of the stored experiment: the course model, ``data/models/course-tiny`` (2 layers,
H = 128, 1.0M parameters, pre-trained on the course corpus, ``minibert.course.models.COURSE_MODEL_COMMAND``),
against its config from random init. all-MiniLM-L6-v2 (6 layers, H = 384, 22.7M parameters) is stored
pre-trained only (``SETTINGS[...]["minilm"]["inits"]``): it is the lessons' fine-tuned model, set beside the
baselines; MiniLM from random init is a second legitimate pair that a longer run can add (``"inits"``).
Comparing MiniLM with a random course-size model would mix up pre-training with size, data and vocabulary:
each pre-trained model is compared with its own architecture only.

A run is :func:`fine_tune`: the five steps of lesson 10 (load, features, length-grouped batches with dynamic
padding, the Trainer given a ``LengthGroupedSampler``, the task's evaluation), the same as
``minibert.tasks.finetune.finetune`` with the same settings (``tests/test_transfer.py`` checks it), in fp32 on
one CPU thread. ``fine_tune`` and ``load_task`` also serve the QA task (``TASK_FILES``), which the stored
experiment does not hold.

What ``data/experiments/transfer.json`` holds (``python -m minibert.course.experiments transfer``)::

    settings: SETTINGS (seeds; per task: max_length, and per model batch_size, lr, budgets = steps per run,
              inits = the starting points run)
    tasks:
      "sentiment" | "nli":
        settings         SETTINGS["tasks"][task]
        metric           the main score: "accuracy" (0-1)
        train_examples, dev_examples
        baselines        {name: score} of minibert.course.baselines on the same dev split, same metric
        runs             [{"model": "course" | "minilm", "init": "pre-trained" | "random", "steps": N, "seed": s,
                           "scores": everything the task's evaluate returns (accuracy and macro_f1),
                           "train_loss": mean over the run, "seconds": training time}]
        predictions      dev label indices of MiniLM, pre-trained, seed 0, largest budget
        demos            that run on the demo texts: sentiment REVIEW_DEMOS [{"text", "reader", "scores"}],
                         NLI DEMO_PAIRS [{"premise", "hypothesis", "scores": {label: probability}}]
        seconds          how long the task took
      "nli" also:
        segments         for every run at a model's largest budget: {"model", "init", "steps", "seed",
                         "accuracy": {variant: dev accuracy}} for the input variants of SEGMENT_VARIANTS

``run(tasks=...)`` runs some tasks only and keeps the stored file's other tasks (those made with the same
settings). Lessons read it with :func:`scores` and re-run seed 0 of one setting live.
"""
from __future__ import annotations

import tempfile
import time
import warnings
from pathlib import Path
from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.course import baselines
from minibert.course.models import course_model_dir
from minibert.course.paths import data_dir
from minibert.modeling import BertPreTrainedModel
from minibert.tasks.batching import LengthGroupedSampler, feature_length, model_outputs
from minibert.tasks.classification import SST2_LABELS, classification_collator
from minibert.tasks.finetune import build_model, task_label_names
from minibert.tasks.formats import TaskData
from minibert.tasks.nli import NLI_LABELS
from minibert.tasks.pipelines import pipeline
from minibert.tasks.qa import qa_predictions
from minibert.tasks.registry import get_task
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Trainer, TrainingArguments, set_seed

NAME = "transfer"
MODELS = ("course", "minilm")
INITS = ("pre-trained", "random")
# task: (registry name, folder of data/tasks, train file, dev file, label names of integer labels)
TASK_FILES = {"sentiment": ("text-classification", "sentiment", "train.tsv", "dev.tsv", SST2_LABELS),
              "nli": ("nli", "nli", "train.jsonl", "dev.jsonl", None),
              "qa": ("qa", "qa", "train.json", "dev.json", None)}
MAX_LENGTHS = {"sentiment": 64, "nli": 64, "qa": 192}   # tokens per input (QA: per window)
SETTINGS: dict[str, Any] = {
    "seeds": [0, 1, 2],
    "tasks": {
        # The controlled pair: the course model and its config from random init, same steps, lr and seeds.
        # MiniLM, pre-trained only: the lesson's fine-tuned model (its seed 0 is re-run live in lesson 10).
        "sentiment": {"max_length": 64,
                      "course": {"batch_size": 32, "lr": 1e-3, "budgets": [30, 300], "inits": list(INITS)},
                      "minilm": {"batch_size": 16, "lr": 1e-4, "budgets": [60], "inits": ["pre-trained"]}},
        "nli": {"max_length": 64,
                "course": {"batch_size": 32, "lr": 1e-3, "budgets": [30, 300], "inits": list(INITS)},
                "minilm": {"batch_size": 16, "lr": 1e-4, "budgets": [120], "inits": ["pre-trained"]}},
    },
}
SEGMENT_VARIANTS = ("as trained", "segment ids all 0", "no [SEP] between", "neither")
DEMO_PAIRS = [  # written for lesson 11's demos (France and Paris are held out of every training split)
    ("A man is playing football in Paris.", "The man is in France."),
    ("A man is playing football in Paris.", "The man is in Japan."),
    ("A man is playing football in Paris.", "The man is playing with his brother."),
    ("I love playing football.", "It’s my favorite sport."),
    ("I love playing football.", "The sky is blue."),
]


REVIEW_DEMOS = [  # written for lesson 10's demos: (review, the label a reader gives)
    ("The plot was not bad at all.", "positive"),                           # negation, as in the templates
    ("I did not love this movie.", "negative"),
    ("The actors were great but the story was boring.", "negative"),        # the clause after "but" decides
    ("Although the story was boring, the actors were great.", "positive"),  # the main clause decides
    ("Far from perfect, yet I loved it.", "positive"),                      # "yet": a contrast never seen
    ("It could not have been better.", "positive"),                         # a negated comparative
    ("I have never seen a better film.", "positive"),
    ("Never have I been so bored.", "negative"),                            # "never" that negates nothing
    ("It was anything but boring.", "positive"),                            # "but" that is not a contrast
    ("I did not expect to enjoy it so much.", "positive"),
    ("The only good part was the ending.", "negative"),                     # praise that is a complaint
]


def model_dir(model: str) -> str | Path:
    """Where a model of ``MODELS`` loads from: "minilm" or the course model's folder."""
    return "minilm" if model == "minilm" else course_model_dir()


def load_task(task: str) -> tuple[TaskData, TaskData]:
    """The training and dev data of ``task`` (a key of ``TASK_FILES``)."""
    name, folder, train, dev, labels = TASK_FILES[task]
    spec, kwargs = get_task(name), ({"label_names": labels} if labels else {})
    root = data_dir() / "tasks" / folder
    return spec.load(root / train, **kwargs), spec.load(root / dev, **kwargs)


def fine_tune(task: str, model: str | Path, *, steps: int, lr: float, batch_size: int, seed: int,
              random_init: bool = False, max_length: int | None = None,
              data: tuple[TaskData, TaskData] | None = None) -> tuple[BertPreTrainedModel, BertTokenizer, dict]:
    """Fine-tune ``model`` ("minilm" or a folder) on ``task`` for ``steps`` steps; returns the model (eval
    mode), its tokenizer and ``{"scores": dev scores, "train_loss", "seconds"}``. ``random_init``: the same
    config with random weights. ``data``: (train, dev) already loaded by :func:`load_task`."""
    spec = get_task(TASK_FILES[task][0])
    train, dev = data or load_task(task)
    labels = task_label_names(train, dev) if spec.has_labels else None
    tokenizer = BertTokenizer.from_pretrained(model)
    set_seed(seed)                                                  # the new head's (or every) initial weight
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")                             # "the head is newly initialised": we know
        net = build_model(spec, model, labels, random_init)
    length = min(max_length or MAX_LENGTHS[task], net.config.max_position_embeddings)
    features = spec.features(train.examples, tokenizer, length, labels, True)
    dev_features = spec.features(dev.examples, tokenizer, length, labels, False)
    extra = {"tokenizer": tokenizer} if spec.needs_tokenizer else {}
    with tempfile.TemporaryDirectory(prefix="transfer-") as out:
        args = TrainingArguments(out, max_steps=steps, per_device_train_batch_size=batch_size, learning_rate=lr,
                                 warmup_ratio=0.1, weight_decay=0.01, seed=seed, device="cpu", bf16=False,
                                 drop_last=False, disable_tqdm=True)
        sampler = LengthGroupedSampler([feature_length(f) for f in features], batch_size, seed)
        groups = spec.parameter_groups(net, lr, 0.01) if spec.parameter_groups is not None else None
        trainer = Trainer(net, args, features, collate_fn=spec.collator(tokenizer.pad_token_id), sampler=sampler,
                          param_groups=groups,
                          eval_fn=lambda m: spec.evaluate(m, dev.examples, dev_features, batch_size, **extra))
        start = time.perf_counter()
        result = trainer.train()
        seconds = time.perf_counter() - start
    scores = {k.removeprefix("eval_"): v for k, v in result.metrics.items() if k.startswith("eval_")}
    return net.eval(), tokenizer, {"scores": scores, "train_loss": result.training_loss, "seconds": seconds}


# ------------------------------------------------------------------------------------ what the segments do
def segment_variant(feature: dict[str, Any], variant: str, sep_token_id: int) -> dict[str, Any]:
    """A pair's feature as ``variant`` of ``SEGMENT_VARIANTS`` feeds it: the segment ids all 0, and/or the
    [SEP] between the two sentences taken out (sentence B then starts right after A)."""
    ids, types = list(feature["input_ids"]), list(feature["token_type_ids"])
    if variant in ("no [SEP] between", "neither"):
        border = ids.index(sep_token_id)
        del ids[border], types[border]
    if variant in ("segment ids all 0", "neither"):
        types = [0] * len(ids)
    return {**feature, "input_ids": ids, "token_type_ids": types, "attention_mask": [1] * len(ids)}


def pair_logits(model: BertPreTrainedModel, features: Sequence[dict[str, Any]], pad_token_id: int,
                batch_size: int = 64) -> torch.Tensor:
    """The classification logits (N, labels) of ``features``, in order."""
    rows = model_outputs(model, features, classification_collator(pad_token_id), batch_size, ["logits"],
                         per_token=False)["logits"]
    return torch.stack(rows)


def segment_accuracies(model: BertPreTrainedModel, tokenizer: BertTokenizer, dev: TaskData,
                       max_length: int = 64) -> dict[str, float]:
    """Dev accuracy of a pair classifier for each input variant of ``SEGMENT_VARIANTS``."""
    spec = get_task("nli")
    features = spec.features(dev.examples, tokenizer, max_length, NLI_LABELS, False)
    gold = torch.tensor([e.label for e in dev.examples])
    out = {}
    for variant in SEGMENT_VARIANTS:
        changed = [segment_variant(f, variant, tokenizer.sep_token_id) for f in features]
        out[variant] = (pair_logits(model, changed, tokenizer.pad_token_id).argmax(-1) == gold).float().mean().item()
    return out


# ------------------------------------------------------------------------------------ the experiment
def scores(result: dict[str, Any], task: str, model: str, init: str, steps: int, metric: str | None = None
           ) -> list[float]:
    """The stored dev scores (``metric``, by default the task's main one) of a setting, one per seed."""
    entry = result["tasks"][task]
    runs = sorted((r for r in entry["runs"] if (r["model"], r["init"], r["steps"]) == (model, init, steps)),
                  key=lambda r: r["seed"])
    return [r["scores"][metric or entry["metric"]] for r in runs]


BASELINES = {"sentiment": baselines.sentiment, "nli": baselines.nli, "qa": baselines.qa}


def run_task(task: str) -> dict[str, Any]:
    start = time.perf_counter()
    settings, seeds = SETTINGS["tasks"][task], SETTINGS["seeds"]
    train, dev = load_task(task)
    entry: dict[str, Any] = {"settings": settings, "metric": baselines.METRICS[task],
                             "train_examples": len(train), "dev_examples": len(dev),
                             "baselines": BASELINES[task](train, dev), "runs": []}
    if task == "nli":
        entry["segments"] = []
    grid = [(m, init, steps, seed) for m in MODELS for steps in settings[m]["budgets"]
            for init in settings[m]["inits"] for seed in seeds]
    for m, init, steps, seed in tqdm(grid, desc=f"{NAME} {task}", unit="run"):
        setting = settings[m]
        net, tokenizer, out = fine_tune(task, model_dir(m), steps=steps, lr=setting["lr"],
                                        batch_size=setting["batch_size"], seed=seed, random_init=init == "random",
                                        data=(train, dev))
        entry["runs"].append({"model": m, "init": init, "steps": steps, "seed": seed, **out})
        if steps != max(setting["budgets"]):
            continue
        if task == "nli":
            entry["segments"].append({"model": m, "init": init, "steps": steps, "seed": seed,
                                      "accuracy": segment_accuracies(net, tokenizer, dev, settings["max_length"])})
        if (m, init, seed) == ("minilm", "pre-trained", 0):
            entry.update(showcase(task, net, tokenizer, dev, settings["max_length"]))
    entry["seconds"] = round(time.perf_counter() - start, 1)
    return entry


def showcase(task: str, net: BertPreTrainedModel, tokenizer: BertTokenizer, dev: TaskData, max_length: int
             ) -> dict[str, Any]:
    """What a lesson analyses of MiniLM's run (seed 0): its dev predictions, and for NLI its demo answers."""
    spec = get_task(TASK_FILES[task][0])
    labels = NLI_LABELS if task == "nli" else SST2_LABELS
    features = spec.features(dev.examples, tokenizer, max_length, labels, False)
    if task == "qa":
        decoded = qa_predictions(net, dev.examples, features, 64)
        return {"predictions": {i: p.best_span.text if p.best_span else "" for i, p in decoded.items()}}
    out = {"predictions": pair_logits(net, features, tokenizer.pad_token_id).argmax(-1).tolist()}
    if task == "sentiment":
        classify = pipeline("text-classification", model=net, tokenizer=tokenizer)
        out["demos"] = [{"text": t, "reader": label, "scores": {r["label"]: r["score"] for r in ranked}}
                        for (t, label), ranked in zip(REVIEW_DEMOS, classify([t for t, _ in REVIEW_DEMOS], top_k=None))]
    if task == "nli":
        classify = pipeline("text-classification", model=net, tokenizer=tokenizer)
        out["demos"] = [{"premise": p, "hypothesis": h, "scores": {r["label"]: r["score"] for r in ranked}}
                        for (p, h), ranked in zip(DEMO_PAIRS, classify(DEMO_PAIRS, top_k=None))]
    return out


def run(tasks: Sequence[str] = tuple(SETTINGS["tasks"])) -> dict[str, Any]:
    torch.set_num_threads(1)  # one thread: the numbers do not depend on the machine's core count
    from minibert.course import experiments  # the stored file, to keep the tasks not run now

    kept: dict[str, Any] = {}
    if experiments.result_path(NAME).is_file():
        kept = {t: e for t, e in experiments.load(NAME)["tasks"].items()
                if t not in tasks and e["settings"] == SETTINGS["tasks"].get(t)}
    done = {task: run_task(task) for task in tasks}
    everything = {**kept, **done}
    return {"settings": SETTINGS, "tasks": {t: everything[t] for t in SETTINGS["tasks"] if t in everything}}
