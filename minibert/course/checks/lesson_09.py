"""Lesson 09: pre-training (optimizer, schedule, fill-mask)."""
from __future__ import annotations

from typing import Any

from minibert.course.exercises import close_to, exercise
from minibert.course.models import course_model, course_model_dir
from minibert.tasks.pipelines import pipeline
from minibert.trainer import decay_parameter_names, linear_schedule

PEAK, WARMUP, TOTAL, STEP = 1e-3, 100, 1000, 50
BARKING = "the [MASK] barked loudly."


@exercise("09.1", f"The learning rate at step {STEP} (0-based) of a run with peak {PEAK}, {WARMUP} warmup steps "
                  f"and {TOTAL} steps?")
def _learning_rate(answer: Any) -> str | None:
    expected = PEAK * linear_schedule(STEP, WARMUP, TOTAL)
    return close_to(expected)(answer) and "during warmup the multiplier is (step + 1) / warmup_steps"


@exercise("09.2", "How many numbers (not tensors) of the course model get no weight decay?")
def _no_decay(answer: Any) -> str | None:
    model = course_model()
    decayed = decay_parameter_names(model)
    expected = sum(p.numel() for name, p in model.named_parameters() if name not in decayed)
    if answer == expected:
        return None
    return "add up numel() of every bias and every LayerNorm weight (see decay_parameter_names)"


@exercise("09.3", f"The course model's top guess for {BARKING!r}?")
def _top_guess(answer: Any) -> str | None:
    expected = pipeline("fill-mask", model=course_model_dir())(BARKING)[0]["token_str"]
    if isinstance(answer, str) and answer.strip().lower() == expected:
        return None
    return "ask pipeline('fill-mask', model=...) and take the token_str of its first guess"
