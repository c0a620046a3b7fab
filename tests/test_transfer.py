"""The transfer experiment of lessons 10-12: its runs are finetune()'s, its input variants, its stored file."""
from __future__ import annotations

import warnings

import pytest

from minibert.course import experiments
from minibert.course.experiments import transfer
from minibert.course.models import course_model_dir
from minibert.course.paths import data_dir
from minibert.tasks.classification import SST2_LABELS
from minibert.tasks.finetune import finetune


def test_a_run_is_what_finetune_gives(tmp_path):
    data = transfer.load_task("sentiment")
    settings = dict(steps=6, lr=1e-3, batch_size=16, seed=3)
    _, _, ours = transfer.fine_tune("sentiment", course_model_dir(), max_length=64, data=data, **settings)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        package = finetune("text-classification", course_model_dir(), data_dir() / "tasks/sentiment/train.tsv",
                           data_dir() / "tasks/sentiment/dev.tsv", out_dir=tmp_path, max_steps=6, lr=1e-3,
                           batch_size=16, seed=3, max_length=64, label_names=SST2_LABELS, device="cpu", bf16=False,
                           show_progress=False)
    assert ours["scores"]["accuracy"] == package["accuracy"]
    assert ours["train_loss"] == pytest.approx(package["train_loss"], abs=1e-6)


def test_random_init_keeps_the_architecture_and_changes_the_weights():
    data = transfer.load_task("sentiment")
    pre, _, _ = transfer.fine_tune("sentiment", course_model_dir(), steps=1, lr=0.0, batch_size=8, seed=0, data=data)
    scratch, _, _ = transfer.fine_tune("sentiment", course_model_dir(), steps=1, lr=0.0, batch_size=8, seed=0,
                                       random_init=True, data=data)
    assert pre.config.to_dict() == scratch.config.to_dict()
    a, b = pre.bert.embeddings.word_embeddings.weight, scratch.bert.embeddings.word_embeddings.weight
    assert a.shape == b.shape and not a.allclose(b)


def test_segment_variants_zero_the_ids_and_drop_the_middle_sep():
    sep = 3
    feature = {"input_ids": [2, 10, 11, sep, 20, sep], "token_type_ids": [0, 0, 0, 0, 1, 1],
               "attention_mask": [1] * 6, "labels": 1}
    same = transfer.segment_variant(feature, "as trained", sep)
    assert same["input_ids"] == feature["input_ids"] and same["token_type_ids"] == feature["token_type_ids"]
    zero = transfer.segment_variant(feature, "segment ids all 0", sep)
    assert zero["input_ids"] == feature["input_ids"] and zero["token_type_ids"] == [0] * 6
    cut = transfer.segment_variant(feature, "no [SEP] between", sep)
    assert cut["input_ids"] == [2, 10, 11, 20, sep] and cut["token_type_ids"] == [0, 0, 0, 1, 1]
    neither = transfer.segment_variant(feature, "neither", sep)
    assert neither["input_ids"] == cut["input_ids"] and neither["token_type_ids"] == [0] * 5
    assert neither["attention_mask"] == [1] * 5 and neither["labels"] == 1


def test_the_stored_file_holds_every_run_of_the_module_s_settings():
    stored = experiments.load(transfer.NAME)
    assert stored["settings"] == transfer.SETTINGS and stored["command"].endswith(transfer.NAME)
    assert set(stored["tasks"]) == set(transfer.SETTINGS["tasks"])
    for task, entry in stored["tasks"].items():
        settings = transfer.SETTINGS["tasks"][task]
        assert entry["settings"] == settings and entry["baselines"]
        grid = {(m, init, steps, seed) for m in transfer.MODELS for steps in settings[m]["budgets"]
                for init in settings[m]["inits"] for seed in transfer.SETTINGS["seeds"]}
        assert {(r["model"], r["init"], r["steps"], r["seed"]) for r in entry["runs"]} == grid
        assert all(entry["metric"] in r["scores"] for r in entry["runs"])
        assert entry["predictions"]
    nli = stored["tasks"]["nli"]
    assert len(nli["predictions"]) == nli["dev_examples"] and len(nli["demos"]) == len(transfer.DEMO_PAIRS)
    assert all(set(s["accuracy"]) == set(transfer.SEGMENT_VARIANTS) for s in nli["segments"])
    assert experiments.result_path(transfer.NAME).stat().st_size < 200_000


def test_scores_are_one_per_seed_in_seed_order():
    stored = {"tasks": {"t": {"metric": "accuracy", "runs": [
        {"model": "course", "init": "random", "steps": 5, "seed": s, "scores": {"accuracy": a}}
        for s, a in ((2, 0.7), (0, 0.5), (1, 0.6))]}}}
    assert transfer.scores(stored, "t", "course", "random", 5) == [0.5, 0.6, 0.7]
    assert transfer.scores(stored, "t", "course", "pre-trained", 5) == []
