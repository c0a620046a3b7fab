"""Every worked solution passes its checker, and wrong answers are refused."""
import importlib.util
from pathlib import Path

import pytest

from minibert.course import exercises

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def _answers() -> dict:
    answers = {}
    for path in sorted(SOLUTIONS.glob("lesson_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        answers.update(module.ANSWERS)
    return answers


ANSWERS = _answers()


@pytest.mark.parametrize("key", exercises.keys())
def test_every_exercise_has_a_solution_that_passes(key):
    assert key in ANSWERS, f"notebooks/solutions has no answer for exercise {key}"
    assert exercises.is_correct(key, ANSWERS[key])


@pytest.mark.parametrize("key", sorted(ANSWERS))
def test_a_wrong_answer_is_refused(key):
    assert not exercises.is_correct(key, "certainly not the answer")
    assert not exercises.is_correct(key, None)


def test_check_prints_the_verdict(capsys):
    exercises.check("00.1", "Bidirectional")
    exercises.check("00.1", "binary")
    exercises.check("00.1", None)
    out = capsys.readouterr().out
    assert "correct" in out and "Hint" in out and "not answered yet" in out


def test_unknown_exercise_is_named():
    with pytest.raises(KeyError, match="99.9"):
        exercises.check("99.9", 1)


FUNCTION_EXERCISES = sorted(key for key, answer in ANSWERS.items() if callable(answer))


@pytest.mark.parametrize("key", FUNCTION_EXERCISES)
def test_a_function_that_fails_or_is_missing_gets_a_hint_not_a_crash(key, capsys):
    def broken(*args):
        raise ZeroDivisionError("learner's bug")

    exercises.check(key, broken)
    exercises.check(key, 42)
    out = capsys.readouterr().out
    assert "raised ZeroDivisionError: learner's bug" in out
    assert "answer with a function, e.g. def " in out


REAL_NUMBER_EXERCISES = sorted(key for key, answer in ANSWERS.items() if isinstance(answer, float))


@pytest.mark.parametrize("key", REAL_NUMBER_EXERCISES)
def test_a_number_exercise_answered_with_words_says_so(key, capsys):
    exercises.check(key, "about ten")
    assert "expected a number, got str" in capsys.readouterr().out
