"""The committed course model, the command that made it, and which model the fine-tuning lessons take."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from minibert.course import models
from minibert.course.datagen.world import ANIMAL, COUNTRY
from minibert.course.models import COURSE_MODEL_COMMAND, course_model_dir, pretrained_model_dir
from minibert.tasks.pipelines import pipeline


def test_the_course_model_is_what_its_stored_command_makes():
    """COURSE_MODEL_COMMAND, the datasheet's command and the model's own training_args.json agree."""
    args = json.loads((course_model_dir() / "training_args.json").read_text())
    flags = dict(re.findall(r"--([a-z-]+) ([^-\s]\S*)", COURSE_MODEL_COMMAND))  # flags with a value
    assert (int(flags["steps"]), int(flags["batch-size"]), float(flags["lr"]), int(flags["eval-steps"])) == \
        (args["max_steps"], args["per_device_train_batch_size"], args["learning_rate"], args["eval_steps"])
    assert flags["out"] == args["output_dir"] == "data/models/course-tiny"
    datasheet = (Path(__file__).parents[1] / "data" / "README.md").read_text(encoding="utf-8")
    assert COURSE_MODEL_COMMAND in " ".join(datasheet.replace("\\\n", " ").split())


def test_course_model_fills_the_briefs_sentences():
    """The committed course model (data/models/course-tiny) knows the brief's examples."""
    fill = pipeline("fill-mask", model=course_model_dir())

    def top(text: str) -> list[str]:
        return [guess["token_str"] for guess in fill(text)]

    animals = {a.lower() for a in ANIMAL}
    assert animals & set(top("the [MASK] sat on the mat.")[:2])
    assert top("i love playing [MASK]. it's my favorite sport.")[0] == "football"
    # A fact it had to remember: the corpus's geography lessons name each capital once (data/README.md).
    assert top("the capital of france is [MASK].")[0] == "paris"
    one_token = [c for c in COUNTRY.values() if c.capital.lower() in fill.tokenizer.vocab]
    right = [c.name for c in one_token if top(f"the capital of {c.display.lower()} is [MASK].")[0] == c.capital.lower()]
    assert len(right) >= 0.75 * len(one_token), right
    assert sum(p.stat().st_size for p in course_model_dir().iterdir()) <= 10 * 2**20


def _fake_run(folder: Path, eval_mlm_accuracy: float | None) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text("{}")
    records = [{"step": 1, "loss": 1.0}] + ([{"step": 2, "eval_mlm_accuracy": eval_mlm_accuracy}]
                                           if eval_mlm_accuracy is not None else [])
    (folder / "metrics.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    return folder


def test_the_lessons_take_the_learners_model_only_in_full_and_only_when_good_enough(tmp_path, monkeypatch):
    course_score = models.final_eval_accuracy(course_model_dir())
    learner = tmp_path / "runs" / "lesson09"
    monkeypatch.setattr(models, "learner_model_dir", lambda: learner)
    monkeypatch.setenv("MINIBERT_PROFILE", "full")
    assert pretrained_model_dir()[0] == course_model_dir()              # nothing pre-trained yet
    _fake_run(learner, course_score - 0.2)
    chosen, why = pretrained_model_dir()
    assert chosen == course_model_dir() and "too short" in why           # a short run is not used
    (learner / "metrics.jsonl").write_text(json.dumps({"step": 9, "eval_mlm_accuracy": course_score}) + "\n")
    chosen, why = pretrained_model_dir()
    assert chosen == learner and "your model" in why
    monkeypatch.setenv("MINIBERT_PROFILE", "smoke")                      # smoke runs always show the same numbers
    assert pretrained_model_dir()[0] == course_model_dir()
    monkeypatch.setenv("MINIBERT_PROFILE", "huge")
    with pytest.raises(ValueError, match="MINIBERT_PROFILE must be one of"):
        pretrained_model_dir()
