"""The pre-trained models the lessons fine-tune: the learner's own (lesson 09) or the course's.

``data/models/course-tiny`` is a tiny BERT pre-trained on the course corpus by ``COURSE_MODEL_COMMAND``
(about 20 minutes on two CPU cores). Lesson 09 pre-trains the learner's own model into
``runs/lesson09/`` (git-ignored). Later lessons call :func:`pretrained_model_dir`, which takes the
learner's model when it is there and at least as good on held-out text as the course's, and says which one
it took and why.
"""
from __future__ import annotations

import json
from pathlib import Path

from minibert.course.paths import data_dir
from minibert.course.profile import active
from minibert.heads import BertForPreTraining
from minibert.tokenizer import BertTokenizer

COURSE_MODEL = Path("models") / "course-tiny"  # inside the data folder
LEARNER_MODEL = Path("runs") / "lesson09"  # inside the repository
# How close to the course model's held-out MLM accuracy the learner's model must come to be used.
GOOD_ENOUGH_MARGIN = 0.02
# The command that made data/models/course-tiny (bench/RESULTS.md gives its time and accuracies).
COURSE_MODEL_COMMAND = ("python -m minibert pretrain --preset tiny --corpus data/corpus/course.txt "
                        "--eval-corpus data/corpus/course_dev.txt --vocab data/vocab/course-8k --steps 4000 "
                        "--batch-size 64 --lr 3e-3 --eval-steps 250 --no-keep-checkpoint --out data/models/course-tiny")


def course_model_dir() -> Path:
    """The folder of the course's pre-trained model (``data/models/course-tiny``)."""
    folder = data_dir() / COURSE_MODEL
    if not (folder / "config.json").is_file():
        raise FileNotFoundError(f"the course model is not in {folder}; make it with `{COURSE_MODEL_COMMAND}`")
    return folder


def course_model() -> BertForPreTraining:
    """The small BERT pre-trained on the course corpus (eval mode); its tokenizer: :func:`course_tokenizer`."""
    return BertForPreTraining.from_pretrained(course_model_dir())


def course_tokenizer() -> BertTokenizer:
    return BertTokenizer.from_pretrained(course_model_dir())


def learner_model_dir() -> Path:
    """Where lesson 09 saves the learner's pre-trained model (``runs/lesson09`` in the repository)."""
    return data_dir().parent / LEARNER_MODEL


def final_eval_accuracy(model_dir: Path) -> float | None:
    """The last held-out MLM accuracy in a pre-training run's ``metrics.jsonl`` (None if it has none)."""
    path = model_dir / "metrics.jsonl"
    if not path.is_file():
        return None
    scores = [record["eval_mlm_accuracy"] for record in map(json.loads, path.read_text().splitlines())
              if "eval_mlm_accuracy" in record]
    return scores[-1] if scores else None


def pretrained_model_dir() -> tuple[Path, str]:
    """The model a fine-tuning lesson starts from, and a sentence saying which one and why.

    In the full profile, the learner's model of lesson 09 is taken when it exists and its held-out MLM
    accuracy is within ``GOOD_ENOUGH_MARGIN`` of the course model's (or better). The smoke profile always
    takes the shipped course model: its lesson 09 run is far too short to build on, and every smoke run
    of a lesson must show the same numbers.
    """
    course = course_model_dir()
    if active() == "smoke":
        return course, ("the course model (data/models/course-tiny): the smoke profile always fine-tunes it; "
                        "the full profile uses your lesson 09 model when it is as good")
    course_score = final_eval_accuracy(course)
    learner = learner_model_dir()
    if not (learner / "config.json").is_file():
        return course, f"the course model (data/models/course-tiny): no model of yours in {LEARNER_MODEL} yet"
    score = final_eval_accuracy(learner)
    if score is None:
        return course, f"the course model: your model in {LEARNER_MODEL} has no held-out MLM accuracy to compare"
    if course_score is not None and score < course_score - GOOD_ENOUGH_MARGIN:
        return course, (f"the course model (held-out MLM accuracy {course_score:.2f}): yours in {LEARNER_MODEL} "
                        f"reached {score:.2f}, too short a run to build on")
    return learner, f"your model from lesson 09 ({LEARNER_MODEL}, held-out MLM accuracy {score:.2f})"
