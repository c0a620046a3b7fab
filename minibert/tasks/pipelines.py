"""Pipelines: raw strings in, readable answers out, in the spirit of Hugging Face's ``pipeline``.

    >>> qa = pipeline("question-answering", model="runs/qa")
    >>> qa(question="What is the capital of France?", context="The capital of France is Paris.")
    {'answer': 'Paris', 'score': 0.98, 'start': 25, 'end': 30}

Each task module has its pipeline class (``minibert.tasks.qa.QuestionAnsweringPipeline``, ...; the base class
is `minibert.tasks.task.Pipeline`); ``pipeline(task, model=...)`` picks it by the task's name or one of its
aliases ("sentiment-analysis", "nli", "qa"/"question-answering", "token-classification", "fill-mask", ...:
`minibert.tasks.registry.pipeline_names`).
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import torch

from minibert.modeling import BertPreTrainedModel
from minibert.tasks.registry import pipeline_task
from minibert.tasks.task import Pipeline
from minibert.tokenizer import BertTokenizer


def pipeline(task: str, model: str | Path | BertPreTrainedModel | None = None,
             tokenizer: BertTokenizer | None = None, device: str | torch.device = "cpu", **kwargs: Any) -> Pipeline:
    """A ready-to-call pipeline for ``task`` (a task name or an alias such as "qa").

    ``model``: a fine-tuned model directory (what ``minibert finetune`` writes), a short name, or a model
    object (then give its ``tokenizer``).
    """
    cls = pipeline_task(task).pipeline
    if model is None:
        raise ValueError(f"pipeline({task!r}) needs model=: a directory written by {cls.made_by.format(task=task)}")
    if isinstance(model, BertPreTrainedModel):
        if tokenizer is None:
            raise ValueError("a model object needs its tokenizer: pipeline(task, model, tokenizer=...)")
        return cls(model, tokenizer, device=device, **kwargs)
    if tokenizer is not None:
        return cls(cls.model_class.from_pretrained(model), tokenizer, device=device, **kwargs)
    return cls.from_pretrained(model, device=device, **kwargs)


def describe(result: Any) -> str:
    """A compact one-line rendering of a pipeline result (for the command line)."""
    def fmt(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.4f}"
        if isinstance(value, Mapping):
            return "{" + ", ".join(f"{k}: {fmt(v)}" for k, v in value.items()) + "}"
        if isinstance(value, list):
            return "[" + ", ".join(fmt(v) for v in value) + "]"
        return repr(value)
    return fmt(result)
