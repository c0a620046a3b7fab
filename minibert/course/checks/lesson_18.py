"""Lesson 18: smaller, faster, longer (distillation, int8, pruning heads, long documents)."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch
import torch.nn.functional as F

from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.distillation import distillation_loss

TEACHER_LOGITS, TEMPERATURE = (2.0, 0.0), 2.0          # exercise 18.1
EXPERIMENT = dict(seed=1, documents=12, max_length=64, stride=16)  # exercise 18.3


def _first_class(logits: tuple[float, float], temperature: float) -> float:
    return 1.0 / (1.0 + math.exp(-(logits[0] - logits[1]) / temperature))


@exercise("18.1", f"A teacher's logits for a review are {TEACHER_LOGITS}. What probability does the soft target give "
                  f"the first class at temperature T = {TEMPERATURE}?")
def _soft_target(answer: Any) -> str | None:
    value = expect_number(answer)
    if abs(value - _first_class(TEACHER_LOGITS, TEMPERATURE)) < 1e-3:
        return None
    if abs(value - _first_class(TEACHER_LOGITS, 1.0)) < 1e-3:
        return "that is the plain softmax (T = 1): divide the logits by T first"
    if abs(value - _first_class(TEACHER_LOGITS, 1 / TEMPERATURE)) < 1e-3:
        return "divide the logits by T, do not multiply them"
    return "softmax(z / T): exp(z_1 / T) / (exp(z_1 / T) + exp(z_2 / T))"


@exercise("18.2", "Write kd_loss(student_logits, teacher_logits, labels, T, alpha): Hinton's distillation loss, "
                  "alpha * T^2 * KL(softmax(z_t / T) || softmax(z_s / T)) + (1 - alpha) * CE(z_s, y), batch mean.")
def _kd_loss(answer: Any) -> str | None:
    expect_function(answer, "kd_loss(student_logits, teacher_logits, labels, T, alpha)")
    torch.manual_seed(0)
    student, teacher, labels = torch.randn(6, 3), 2 * torch.randn(6, 3), torch.tensor([0, 1, 2, 2, 1, 0])
    for T, alpha in ((1.0, 0.5), (3.0, 0.7), (2.0, 0.0), (4.0, 1.0)):
        with learners_code(f"kd_loss(student, teacher, labels, {T}, {alpha})"):
            value = float(answer(student, teacher, labels, T, alpha))
        expected = float(distillation_loss(student, teacher, labels, T, alpha))
        if abs(value - expected) < 1e-4:
            continue
        kl = float(distillation_loss(student, teacher, None, T, 1.0)) / T ** 2   # KL(p_t || p_s)
        ce = float(F.cross_entropy(student, labels))
        if abs(value - (alpha * kl + (1 - alpha) * ce)) < 1e-4:
            return "multiply the KL term by T^2: its gradient shrinks as 1 / T^2 (Hinton et al. 2015)"
        p_s, log_p_t = F.softmax(student / T, -1), F.log_softmax(teacher / T, -1)
        reverse = float((p_s * (p_s.log() - log_p_t)).sum(-1).mean())              # KL(p_s || p_t)
        if abs(value - (alpha * T ** 2 * reverse + (1 - alpha) * ce)) < 1e-4:
            return "KL(p_t || p_s) weighs by the teacher's probabilities: sum p_t (log p_t - log p_s)"
        return f"with T = {T}, alpha = {alpha} the loss is {expected:.4f}, yours {value:.4f}"
    return None


@functools.lru_cache(maxsize=None)
def _windows_right(seed: int, documents: int, max_length: int, stride: int, pooling: str = "max") -> int:
    """How many of the documents the teacher gets right, read in windows pooled by ``pooling``."""
    from minibert.course.experiments import lesson18_long_documents as longdocs
    from minibert.course.experiments.lesson18_distillation import load_teacher, minilm_tokenizer
    from minibert.long_documents import classify_long

    docs = longdocs.make_documents(seed, documents)
    logits = classify_long(load_teacher(), minilm_tokenizer(), [d["text"] for d in docs], max_length, stride,
                           poolings=(pooling,))[pooling]
    return sum(int(p) == d["label"] for p, d in zip(logits.argmax(-1), docs))


@exercise("18.3", f"Experiment: build lesson18_long_documents.make_documents({EXPERIMENT['seed']}, "
                  f"{EXPERIMENT['documents']}) and let the teacher read each document in windows of "
                  f"{EXPERIMENT['max_length']} tokens (stride {EXPERIMENT['stride']}), max-pooling the windows' logits. "
                  f"How many of the {EXPERIMENT['documents']} does it get right?", experiment=True)
def _windows_experiment(answer: Any) -> str | None:
    value = expect_number(answer)
    if 0 < value < 1:
        raise Hint(f"answer with a count of documents (0 to {EXPERIMENT['documents']}), not a share")
    if value == _windows_right(**EXPERIMENT):
        return None
    if value == _windows_right(EXPERIMENT["seed"], EXPERIMENT["documents"], 128, 32):
        return "that is the lesson's window of 128 tokens: use max_length=64 and stride=16"
    if value == _windows_right(**EXPERIMENT, pooling="mean"):
        return "that is the mean of the windows' logits: take each class's largest logit over the windows"
    return ("long_documents.classify_long(teacher, tokenizer, texts, 64, 16, poolings=('max',)) gives the logits; "
            "count the argmaxes equal to the labels")
