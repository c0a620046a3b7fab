"""Every worked solution passes its checker, and wrong answers are refused."""
import importlib.util
import json
from pathlib import Path

import pytest

from minibert.course import exercises

SOLUTIONS = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def _solutions() -> tuple[dict, dict]:
    """Every lesson's ANSWERS and WRONG (plausible mistakes: each must get a hint, not a pass)."""
    answers, wrong = {}, {}
    for path in sorted(SOLUTIONS.glob("lesson_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        answers.update(module.ANSWERS)
        wrong.update(getattr(module, "WRONG", {}))
    return answers, wrong


ANSWERS, WRONG = _solutions()
LESSONS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("key", exercises.keys())
def test_every_exercise_has_a_solution_that_passes(key):
    assert key in ANSWERS, f"notebooks/solutions has no answer for exercise {key}"
    assert exercises.is_correct(key, ANSWERS[key])


@pytest.mark.parametrize("key", sorted(ANSWERS))
def test_a_wrong_answer_is_refused(key):
    assert not exercises.is_correct(key, "certainly not the answer")
    assert not exercises.is_correct(key, None)


@pytest.mark.parametrize("key", exercises.keys())
def test_every_checker_refuses_a_plausible_mistake_with_a_hint(key, capsys):
    """A checker computed the same way as its solution could never fail: each must refuse a near miss."""
    assert key in WRONG, f"notebooks/solutions gives exercise {key} no plausible wrong answer (WRONG)"
    mistakes = WRONG[key] if isinstance(WRONG[key], list) else [WRONG[key]]
    for mistake in mistakes:
        assert not exercises.is_correct(key, mistake), (key, mistake)
        exercises.check(key, mistake)
        assert "Hint:" in capsys.readouterr().out


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda p: p.stem)
def test_every_lesson_asks_for_an_experiment_whose_answer_it_never_prints(lesson):
    number = lesson.name[:2]
    experiments = [key for key in exercises.experiments() if key.startswith(number + ".")]
    assert experiments, f"{lesson.name} has no exercise registered with experiment=True"
    # What a learner reads: printed text and plain-text results (not the data inside an HTML/JS view).
    printed = "\n".join("".join(o.get("text", "")) + "".join(o.get("data", {}).get("text/plain", ""))
                         for c in json.loads(lesson.read_text())["cells"] for o in c.get("outputs", []))
    for key in experiments:
        answer = ANSWERS[key]
        forms = {str(answer)} if not isinstance(answer, float) else {f"{answer:.{d}f}" for d in (2, 3, 4)}
        assert not any(form in printed for form in forms if len(form) > 2), \
            f"the answer of experiment {key} ({answer!r}) is printed in {lesson.name}"


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
