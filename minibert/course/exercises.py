"""Exercises that check themselves.

Each lesson ends with a few exercises. A cell holds the learner's answer and calls
``check("07.2", answer)``; the checker computes the expected answer with the package (never a
stored number) and prints whether the answer is right, with a hint when it is not. Worked
solutions live in ``notebooks/solutions/``; the tests run every solution through its checker and give
every checker plausible wrong answers, which must get a hint.

An exercise registered with ``experiment=True`` asks the learner to *run* something the lesson did not
(another mask rate, seed, learning rate or layer): its answer is printed nowhere in the lesson (a test
checks), and its checker recomputes it with the package, within a tolerance. Every lesson has one.
"""
from __future__ import annotations

import math
from contextlib import contextmanager
from typing import Any, Callable, Iterator

CheckFn = Callable[[Any], "str | None"]  # returns None when right, else a hint
_CHECKS: dict[str, tuple[str, CheckFn]] = {}
_EXPERIMENTS: set[str] = set()


def exercise(key: str, question: str, experiment: bool = False) -> Callable[[CheckFn], CheckFn]:
    """Register the checker of exercise ``key`` (e.g. "04.1"); ``experiment``: the learner must run something."""
    def register(fn: CheckFn) -> CheckFn:
        if key in _CHECKS:
            raise ValueError(f"exercise {key} is registered twice")
        _CHECKS[key] = (question, fn)
        if experiment:
            _EXPERIMENTS.add(key)
        return fn
    return register


def experiments() -> list[str]:
    """The keys of the exercises that ask for an experiment."""
    _load_all()
    return sorted(_EXPERIMENTS)


class Hint(Exception):
    """Raised inside a checker to answer with a hint at once (the learner's function is missing or failed)."""


def question(key: str) -> str:
    return _lookup(key)[0]


def is_correct(key: str, answer: Any) -> bool:
    return answer is not None and _verdict(key, answer) is None


def check(key: str, answer: Any) -> None:
    """Print the verdict on ``answer`` for exercise ``key`` (``is_correct`` gives it as a bool)."""
    text = question(key)
    if answer is None:
        print(f"Exercise {key}: not answered yet. {text}")
        return
    hint = _verdict(key, answer)
    print(f"Exercise {key}: correct!" if hint is None else f"Exercise {key}: not yet. Hint: {hint}")


def keys() -> list[str]:
    _load_all()
    return sorted(_CHECKS)


def _verdict(key: str, answer: Any) -> str | None:
    """None when ``answer`` is right, else the hint (returned by the checker or raised as a ``Hint``)."""
    try:
        return _lookup(key)[1](answer)
    except Hint as hint:
        return str(hint)


def _lookup(key: str) -> tuple[str, CheckFn]:
    _load_all()
    if key not in _CHECKS:
        raise KeyError(f"no exercise {key!r}; known: {', '.join(sorted(_CHECKS))}")
    return _CHECKS[key]


def _load_all() -> None:
    """The lessons' checkers (minibert.course.checks); importing them registers them."""
    from . import checks  # noqa: F401  (registers on import)


def expect_number(answer: Any) -> float:
    """The answer as a float; stop with a hint when it is not a number."""
    try:
        return float(answer)
    except (TypeError, ValueError):
        raise Hint(f"expected a number, got {type(answer).__name__}") from None


def expect_function(answer: Any, signature: str) -> None:
    """Stop with a hint unless the answer is a function, e.g. ``expect_function(answer, "allowed(T)")``."""
    if not callable(answer):
        raise Hint(f"answer with a function, e.g. def {signature}: ...")


@contextmanager
def learners_code(call: str) -> Iterator[None]:
    """Run the learner's code inside ``with learners_code("allowed(5)"):``; an error in it becomes the hint."""
    try:
        yield
    except Exception as err:  # the learner's code: report any error as a hint
        raise Hint(f"{call} raised {type(err).__name__}: {err}") from err


def close_to(expected: float, rel: float = 1e-3) -> CheckFn:
    """A checker for a number: right within a relative tolerance."""
    def fn(answer: Any) -> str | None:
        return None if math.isclose(expect_number(answer), expected, rel_tol=rel) else "recompute it step by step"
    return fn
