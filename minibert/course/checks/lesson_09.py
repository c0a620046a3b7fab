"""Lesson 09: pre-training (optimizer, schedule, fill-mask, an evaluation at another mask rate)."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.course.corpus import course_corpus_path
from minibert.course.exercises import Hint, close_to, exercise, expect_number
from minibert.course.models import course_model, course_model_dir, course_tokenizer
from minibert.pretrain import make_dataset, make_eval_fn
from minibert.pretraining_data import PretrainingCollator
from minibert.tasks.pipelines import pipeline
from minibert.optim import decay_parameter_names, linear_schedule

PEAK, WARMUP, TOTAL, STEP = 1e-3, 100, 1000, 50
BARKING = "the [MASK] barked at the postman all morning."  # written for the exercise: not a corpus sentence
RATE, MAX_PREDICTIONS = 0.4, 52                                # exercise 09.4 (the lesson masks 0.15, at most 20)


@exercise("09.1", f"The learning rate at step {STEP} (0-based) of a run with peak {PEAK}, {WARMUP} warmup steps "
                  f"and {TOTAL} steps?")
def _learning_rate(answer: Any) -> str | None:
    expected = PEAK * linear_schedule(STEP, WARMUP, TOTAL)
    value = expect_number(answer)
    if math.isclose(value, PEAK * STEP / WARMUP, rel_tol=1e-3):
        raise Hint("off by one step: during warmup the multiplier is (step + 1) / warmup_steps")
    return close_to(expected)(value) and "step 50 is still in the warmup: peak x (step + 1) / warmup_steps"


@exercise("09.2", "How many numbers (not tensors) of the course model get no weight decay?")
def _no_decay(answer: Any) -> str | None:
    model = course_model()
    decayed = decay_parameter_names(model)
    expected = sum(p.numel() for name, p in model.named_parameters() if name not in decayed)
    if answer == expected:
        return None
    if answer == sum(1 for name, _ in model.named_parameters() if name not in decayed):
        return "that is the number of tensors: add up numel() of each"
    return "add up numel() of every bias and every LayerNorm weight (see decay_parameter_names)"


@exercise("09.3", f"The course model's top guess for {BARKING!r}?")
def _top_guess(answer: Any) -> str | None:
    expected = pipeline("fill-mask", model=course_model_dir())(BARKING)[0]["token_str"]
    if isinstance(answer, str) and answer.strip().lower() == expected:
        return None
    return "ask pipeline('fill-mask', model=...) and take the token_str of its first guess"


@functools.lru_cache(maxsize=None)
def _accuracy_at(rate: float, max_predictions: int) -> float:
    tokenizer = course_tokenizer()
    dev = make_dataset(course_corpus_path("dev"), tokenizer, dynamic_masking=False, max_seq_length=128,
                       max_predictions_per_seq=max_predictions, masked_lm_prob=rate, seed=0)
    with torch.no_grad():
        return make_eval_fn(dev, PretrainingCollator(tokenizer.pad_token_id), batch_size=64)(course_model())["mlm_accuracy"]


@exercise("09.4", f"Experiment: mask the held-out course corpus with masked_lm_prob={RATE} and max_predictions_per_seq="
                  f"{MAX_PREDICTIONS} (otherwise lesson 09's recipe) and evaluate the course model on it with "
                  "make_eval_fn (batch_size=64). Its MLM accuracy?", experiment=True)
def _accuracy_at_another_rate(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with a share between 0 and 1 (the mlm_accuracy of the evaluation), not a percentage")
    if abs(value - _accuracy_at(RATE, MAX_PREDICTIONS)) < 0.005:
        return None
    if abs(value - _accuracy_at(0.15, 20)) < 0.005:
        raise Hint(f"that is the accuracy at the lesson's 15%: build the dev set with masked_lm_prob={RATE} and "
                   f"max_predictions_per_seq={MAX_PREDICTIONS}")
    return ("make_dataset(course_corpus_path('dev'), tokenizer, dynamic_masking=False, max_seq_length=128, "
            "masked_lm_prob=..., max_predictions_per_seq=..., seed=0), then make_eval_fn(...)(model)['mlm_accuracy']")
