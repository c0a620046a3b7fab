"""Lesson 18: a MiniLM teacher fine-tuned on the course's sentiment task, and tiny students distilled from it.

* **The teacher**: MiniLM with a new classifier, fine-tuned on the sentiment training reviews updating only
  its biases, LayerNorms and classifier (BitFit, Ben Zaken et al. 2021: about 31,000 numbers of its 22.7M).
  So what fine-tuning changed fits in this experiment's JSON file (as fp16 differences from MiniLM), and the
  lesson rebuilds the very teacher in a second (:func:`load_teacher`) instead of fine-tuning it again.
* **Its soft targets**: the teacher's logit margin ``z_positive - z_negative`` on every training review (two
  classes: the softmax depends on that difference only), stored with two decimals.
* **Students**: a course-tiny-size BERT (L2/H128/A2) with MiniLM's vocabulary, from random weights, trained
  for the same steps on the same reviews in the same order, on labels alone (``alpha = 0``) or with
  distillation (``minibert.distillation``), over several seeds; dev accuracy along the way.

The lesson re-runs the first steps of the teacher and of seed 0 of both students live and compares them with
the losses stored here.
"""
from __future__ import annotations

import base64
import random
import warnings
from functools import lru_cache
from typing import Any, Sequence

import numpy as np
import torch
from tqdm.auto import tqdm

from minibert.config import BertConfig
from minibert.course import baselines
from minibert.course.paths import data_dir
from minibert.distillation import DistillationModel
from minibert.heads import BertForSequenceClassification
from minibert.tasks.classification import TextExample, load_glue_tsv
from minibert.tokenizer import BertTokenizer

NAME = "lesson18_distillation"
LABELS = ["negative", "positive"]
TEACHER = dict(steps=300, batch_size=16, lr=3e-3, warmup=30, seed=0)
STUDENT = dict(steps=200, batch_size=32, lr=1e-3, warmup=20, temperature=2.0, alpha=0.5, every=50,
               hidden_dropout_prob=0.1)
LIVE_STEPS = 10  # the lesson re-runs this many steps of the teacher and of each student (seed 0)


def sentiment(split: str) -> list[TextExample]:
    return load_glue_tsv(data_dir() / "tasks" / "sentiment" / f"{split}.tsv", label_names=LABELS).examples


@lru_cache(maxsize=None)
def minilm_tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained("minilm")


@lru_cache(maxsize=None)
def _token_ids(text: str) -> tuple[int, ...]:
    return tuple(minilm_tokenizer()(text)["input_ids"])


def minilm_classifier() -> BertForSequenceClassification:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "the classifier is new": it is
        return BertForSequenceClassification.from_pretrained("minilm", id2label=dict(enumerate(LABELS)))


def bitfit_names(model: torch.nn.Module) -> list[str]:
    """What the teacher trains: every bias, every LayerNorm and the classifier; not the pooler's matrix."""
    return [name for name, _ in model.named_parameters()
            if name.startswith("classifier.") or "LayerNorm" in name
            or (name.endswith(".bias") and not name.startswith("bert.pooler"))]


def batches(examples: Sequence[TextExample], batch_size: int, steps: int, seed: int) -> list[list[int]]:
    """``steps`` batches of example indices, a new shuffle every epoch (the same for every run of a seed)."""
    rng, order, out = random.Random(seed), [], []
    while len(out) < steps:
        if len(order) < batch_size:
            order += rng.sample(range(len(examples)), len(examples))
        out.append(order[:batch_size])
        order = order[batch_size:]
    return out


def schedule(optimizer: torch.optim.Optimizer, warmup: int, steps: int) -> torch.optim.lr_scheduler.LambdaLR:
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, 1 - s / steps))


def encode(tokenizer: BertTokenizer, texts: Sequence[str]) -> dict[str, torch.Tensor]:
    """Inputs (B, T) padded to the longest text, as ``tokenizer(texts, padding=True)`` gives them; with MiniLM's
    tokenizer each text is tokenized once (every run re-reads the same reviews)."""
    if tokenizer is not minilm_tokenizer():
        return dict(tokenizer(list(texts), padding=True, return_tensors="pt"))
    rows = [_token_ids(text) for text in texts]
    longest = max(len(row) for row in rows)
    pad = tokenizer.pad_token_id
    input_ids = torch.tensor([[*row, *[pad] * (longest - len(row))] for row in rows])
    attention_mask = torch.tensor([[1] * len(row) + [0] * (longest - len(row)) for row in rows])
    return {"input_ids": input_ids, "token_type_ids": torch.zeros_like(input_ids), "attention_mask": attention_mask}


def fine_tune_teacher(stop_after: int | None = None) -> tuple[BertForSequenceClassification, list[float]]:
    """MiniLM fine-tuned BitFit-style on the sentiment reviews; ``stop_after`` steps of the schedule at most."""
    s, train, tok = TEACHER, sentiment("train"), minilm_tokenizer()
    torch.manual_seed(s["seed"])
    model = minilm_classifier().train()
    trained = set(bitfit_names(model))
    for name, p in model.named_parameters():
        p.requires_grad_(name in trained)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=s["lr"], weight_decay=0.0)
    lr = schedule(optimizer, s["warmup"], s["steps"])
    losses = []
    for indices in batches(train, s["batch_size"], s["steps"], s["seed"])[:stop_after]:
        batch = encode(tok, [train[i].text for i in indices])
        loss = model(**batch, labels=torch.tensor([train[i].label for i in indices])).loss
        loss.backward()
        optimizer.step()
        lr.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return model.eval(), losses


def teacher_delta(model: BertForSequenceClassification) -> dict[str, str]:
    """What fine-tuning changed, as base64 fp16 differences from MiniLM (the new classifier whole)."""
    base = dict(minilm_classifier().named_parameters())
    out = {}
    for name, p in model.named_parameters():
        if name in set(bitfit_names(model)):
            change = p.detach() - (0 if name.startswith("classifier.") else base[name].detach())
            out[name] = base64.b64encode(change.half().numpy().tobytes()).decode("ascii")
    return out


def load_teacher(delta: dict[str, str] | None = None) -> BertForSequenceClassification:
    """The stored teacher: MiniLM plus the fine-tuning differences of this experiment's file (eval mode)."""
    if delta is None:
        from minibert.course.experiments import load

        delta = load(NAME)["teacher_delta"]
    model = minilm_classifier()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name in delta:
                change = torch.from_numpy(np.frombuffer(base64.b64decode(delta[name]), dtype=np.float16).copy())
                base = 0 if name.startswith("classifier.") else p
                p.copy_(base + change.float().view_as(p))
    return model.eval()


def accuracy_on(model: torch.nn.Module, tokenizer: BertTokenizer, examples: Sequence[TextExample],
                batch_size: int = 100) -> float:
    model.eval()
    right = 0
    with torch.no_grad():
        for i in range(0, len(examples), batch_size):
            part = examples[i:i + batch_size]
            logits = model(**encode(tokenizer, [e.text for e in part])).logits
            right += sum(int(p) == e.label for p, e in zip(logits.argmax(-1), part))
    return right / len(examples)


def margins_on(model: torch.nn.Module, tokenizer: BertTokenizer, texts: Sequence[str], batch_size: int = 100
               ) -> list[float]:
    """z_positive - z_negative for each text, rounded to two decimals (what the file stores)."""
    out = []
    with torch.no_grad():
        for i in range(0, len(texts), batch_size):
            logits = model(**encode(tokenizer, texts[i:i + batch_size])).logits
            out += [round(float(m), 2) for m in logits[:, 1] - logits[:, 0]]
    return out


def student_config() -> BertConfig:
    """Course-tiny's size (L2/H128/A2, I512) with MiniLM's vocabulary, so it reads the teacher's tokens."""
    return BertConfig.from_preset("tiny", vocab_size=30522, id2label=dict(enumerate(LABELS)),
                                  hidden_dropout_prob=STUDENT["hidden_dropout_prob"])


def train_student(margins: Sequence[float] | None, seed: int, stop_after: int | None = None,
                  dev: Sequence[TextExample] = (), every: int = 0, settings: dict[str, Any] = STUDENT,
                  ) -> tuple[BertForSequenceClassification, list[float], list[dict[str, float]]]:
    """A random-init student on the training reviews: labels only (``margins`` None) or distilled from the
    teacher's ``margins`` (logits ``(-m/2, m/2)``). Returns the student, its losses and dev accuracy along
    the way (every ``every`` steps)."""
    train, tok = sentiment("train"), minilm_tokenizer()
    torch.manual_seed(seed)
    student = BertForSequenceClassification(student_config()).train()
    alpha = settings["alpha"] if margins is not None else 0.0
    model = DistillationModel(student, settings["temperature"], alpha)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings["lr"], weight_decay=0.01)
    lr = schedule(optimizer, settings["warmup"], settings["steps"])
    losses, curve = [], []
    for step, indices in enumerate(batches(train, settings["batch_size"], settings["steps"], seed)[:stop_after], 1):
        batch = encode(tok, [train[i].text for i in indices])
        teacher = None
        if margins is not None:
            m = torch.tensor([margins[i] for i in indices])
            teacher = torch.stack([-m / 2, m / 2], dim=-1)  # (B, 2): the same softmax as the teacher's logits
        loss = model(**batch, labels=torch.tensor([train[i].label for i in indices]), teacher_logits=teacher).loss
        loss.backward()
        optimizer.step()
        lr.step()
        optimizer.zero_grad()
        losses.append(loss.item())
        if every and step % every == 0:
            curve.append({"step": step, "accuracy": accuracy_on(student, tok, dev)})
            student.train()
    return student.eval(), losses, curve


def run(seeds: int = 3) -> dict[str, Any]:
    torch.set_num_threads(1)
    train, dev, tok = sentiment("train"), sentiment("dev"), minilm_tokenizer()
    teacher, teacher_losses = fine_tune_teacher()
    delta = teacher_delta(teacher)
    teacher = load_teacher(delta)  # what the lesson rebuilds: fp16 differences
    margins = margins_on(teacher, tok, [e.text for e in train])
    runs = []
    for kind, seed in tqdm([(k, s) for s in range(seeds) for k in ("labels", "distilled")], desc=NAME, unit="run"):
        _, losses, curve = train_student(margins if kind == "distilled" else None, seed, dev=dev,
                                         every=STUDENT["every"])
        runs.append({"student": kind, "seed": seed, "curve": curve,
                     "first_losses": [round(x, 5) for x in losses[:LIVE_STEPS]]})
    return {"teacher_settings": TEACHER, "student_settings": STUDENT, "seeds": seeds, "live_steps": LIVE_STEPS,
            "dev_reviews": len(dev),
            "baselines": baselines.sentiment(train, dev),
            "teacher": {"trained_parameters": sum(p.numel() for n, p in teacher.named_parameters()
                                                  if n in delta),
                        "parameters": teacher.num_parameters(), "dev_accuracy": accuracy_on(teacher, tok, dev),
                        "first_losses": [round(x, 5) for x in teacher_losses[:LIVE_STEPS]]},
            "student_parameters": BertForSequenceClassification(student_config()).num_parameters(),
            "runs": runs, "teacher_margins": margins, "teacher_delta": delta}
