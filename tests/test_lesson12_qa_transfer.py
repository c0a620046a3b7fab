"""Lesson 12's stored experiment: the whole grid of its settings, and the baselines the code gives."""
from __future__ import annotations

import pytest

from minibert.course import baselines, experiments
from minibert.course.experiments import lesson12_qa_transfer as qa_transfer
from minibert.tasks.qa import load_squad


@pytest.fixture(scope="module")
def stored() -> dict:
    return experiments.load(qa_transfer.NAME)


def test_the_stored_file_holds_every_run_of_the_settings(stored):
    assert stored["settings"] == qa_transfer.SETTINGS
    grid = {(i, s, seed) for s in qa_transfer.SETTINGS["budgets"] for i in qa_transfer.INITS
            for seed in qa_transfer.SETTINGS["seeds"]}
    assert {(r["init"], r["steps"], r["seed"]) for r in stored["runs"]} == grid and len(stored["runs"]) == len(grid)
    for r in stored["runs"]:
        assert 0 <= r["scores"]["exact_match"] <= r["scores"]["f1"] <= 100
    for steps in qa_transfer.SETTINGS["budgets"]:
        assert len(qa_transfer.scores(stored, "random", steps)) == len(qa_transfer.SETTINGS["seeds"])


def test_the_stored_baselines_are_what_the_code_gives(stored):
    train, dev = (load_squad(qa_transfer.QA / f"{split}.json") for split in ("train", "dev"))
    assert stored["dev_examples"] == len(dev)
    for metric in qa_transfer.SCORES:
        assert baselines.qa(train, dev, metric) == pytest.approx(stored["baselines"][metric], abs=1e-9)
