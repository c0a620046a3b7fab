"""The stored experiment of lesson 14 is what its module's settings say, and its live re-run stays in warm-up."""
import pytest

from minibert.course import experiments
from minibert.course.experiments import lesson14_applications as l14


def test_warmup_is_a_tenth_rounded_up():
    assert [l14.warmup_steps(n) for n in (1, 10, 30, 100)] == [1, 1, 3, 10]


def test_a_live_prefix_longer_than_the_warmup_is_refused():
    with pytest.raises(ValueError, match="warm-up"):
        l14.train(None, [], None, steps=30, lr=1e-3, batch_size=2, seed=0, stop_after=5)


def test_the_stored_file_matches_the_module():
    stored = experiments.load(l14.NAME)
    assert stored["settings"] == {"seeds": l14.SEEDS, **l14.SETTINGS}
    assert [run["seed"] for run in stored["runs"]] == l14.SEEDS
    for run in stored["runs"]:
        assert set(run) == {"seed", *l14.APPLICATIONS}
        assert len(run["multiple_choice"]["losses"]) == l14.SETTINGS["multiple_choice"]["steps"]
        assert len(run["translation"]["losses"]) == l14.SETTINGS["translation"]["steps"]
    assert set(stored["baselines"]) == set(l14.APPLICATIONS)
