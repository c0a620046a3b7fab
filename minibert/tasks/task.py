"""What a task is: one :class:`Task` per module of ``minibert.tasks``, and the :class:`Pipeline` base class.

Every task follows the same steps, so one record says how to do each and the loops are written once
(`minibert.tasks.finetune`, `minibert.tasks.pipelines`, `minibert.tasks.registry`):

    load the files (public formats)  ->  features (token ids, labels)  ->  length-grouped batches with
    dynamic padding  ->  the generic Trainer  ->  the task's evaluation on the dev set (its standard metric)
    and, once trained: raw text  ->  the task's pipeline  ->  readable answers

A module ``minibert/tasks/<name>.py`` that defines ``TASK = Task(...)`` is a task: the registry finds it,
and ``minibert finetune``, ``minibert predict`` and ``pipeline()`` accept its name.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from minibert.modeling import BertPreTrainedModel
from minibert.tasks.formats import TaskData
from minibert.tokenizer import BertTokenizer
from minibert.trainer import Batch

Features = list[dict[str, Any]]


class Pipeline:
    """A model in eval mode, its tokenizer, and ``__call__`` from raw text to results.

    Each pipeline does the three steps a learner would otherwise write by hand: tokenize the text the way
    the model was trained, run the model without gradients, and turn the logits back into words with
    character positions in the original string. One input gives one result; a list gives a list.
    """

    model_class: type[BertPreTrainedModel] = BertPreTrainedModel
    made_by = "`minibert finetune {task}`"  # what writes a model directory this pipeline can load

    def __init__(self, model: BertPreTrainedModel, tokenizer: BertTokenizer, device: str | torch.device = "cpu",
                 batch_size: int = 32):
        self.model = model.to(device).eval()
        self.tokenizer = tokenizer
        self.batch_size = batch_size
        self.max_length = model.config.max_position_embeddings

    @classmethod
    def from_pretrained(cls, path_or_name: str | Path, **kwargs: Any) -> Pipeline:
        return cls(cls.model_class.from_pretrained(path_or_name), BertTokenizer.from_pretrained(path_or_name),
                   **kwargs)

    @staticmethod
    def command_line_input(text: str, second: str | None, choices: list[str] | None) -> Any:
        """One input of ``minibert predict``: the text (``--text`` or a line of ``--file``), the second text
        (``--pair``/``--context``, or what follows a tab on the line) and the ``--choices``."""
        return text

    def __call__(self, inputs: Any, **kwargs: Any) -> Any:
        single = isinstance(inputs, (str, dict, tuple))
        results = self.predict([inputs] if single else list(inputs), **kwargs)
        return results[0] if single else results

    def predict(self, inputs: list, **kwargs: Any) -> list:
        raise NotImplementedError

    def _check_texts(self, texts: Sequence[Any]) -> None:
        if not texts:
            raise ValueError(f"{type(self).__name__} got no input")
        for text in texts:
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"expected a non-empty string, got {text!r}")


@dataclass(frozen=True)
class HFOptions:
    """What a Hugging Face row converter may need besides the row: the names of integer labels (the
    dataset's ClassLabel names), for translation which languages of a pair are source and target, and the
    dataset's name for error messages."""
    label_names: list[str] | None = None
    source: str = "hf"
    source_lang: str = "en"
    target_lang: str = "fr"


class SkipRow(Exception):
    """Raised by a ``Task.from_hf_row`` for a row to leave out; the message is the reason, counted in
    ``TaskData.skipped`` (e.g. SNLI's rows without a gold label: ``"label -1"``)."""


@dataclass(frozen=True)
class Task:
    """Everything fine-tuning, ``minibert predict``, ``pipeline()`` and the Hugging Face adapter need to know
    about one task.

    ``pipeline``: the Pipeline class ``pipeline(name)`` builds; ``aliases``: other names it accepts
    ("sentiment-analysis", "question-answering").

    Fine-tuning (all None for a pipeline-only entry such as fill-mask):
    ``load(path, **kwargs)`` reads a file of the task's public format into a `TaskData`.
    ``features(examples, tokenizer, max_length, label_names, train)`` turns examples into features
    (lists of ids, not padded); ``train=False`` features keep what evaluation needs (offsets, word ids).
    ``collator(pad_token_id)`` returns the batch builder (`minibert.tasks.batching.DynamicPadding`).
    ``evaluate(model, examples, features, batch_size)`` returns the dev scores (also given ``tokenizer=``
    with ``needs_tokenizer``: generation decodes ids back to text); ``metrics`` names the ones printed, the
    main one first. ``config_keys``: scores also written into the model's config (e.g. QA's tuned
    ``null_threshold``, which the pipeline uses). ``has_labels``: the model's config gets ``id2label``.

    Hooks (optional): ``parameter_groups(model, lr, weight_decay)`` gives the optimizer's groups (translation:
    a higher rate for the new decoder); ``prepare_model(model, train_features, tokenizer)`` adapts the model
    to the training data before training (translation: the target vocabulary).

    Hugging Face ``datasets``: ``from_hf_row(row, options)`` turns one row (HF's column names) into an
    example, or raises `SkipRow`; ``hf_label_column`` is the column whose ClassLabel names the labels;
    ``default_label_names``: the task's fixed labels when the data names none (NLI's three).
    """
    name: str
    help: str
    pipeline: type[Pipeline] | None = None
    aliases: tuple[str, ...] = ()
    model_class: type[BertPreTrainedModel] | None = None
    load: Callable[..., TaskData] | None = None
    features: Callable[..., Features] | None = None
    collator: Callable[[int], Callable[[list], Batch]] | None = None
    evaluate: Callable[..., dict[str, float]] | None = None
    metrics: tuple[str, ...] = ()
    has_labels: bool = False
    needs_tokenizer: bool = False
    config_keys: tuple[str, ...] = ()
    parameter_groups: Callable[[BertPreTrainedModel, float, float], list[dict[str, Any]]] | None = None
    prepare_model: Callable[[BertPreTrainedModel, Features, BertTokenizer], None] | None = None
    from_hf_row: Callable[[dict, HFOptions], Any] | None = None
    hf_label_column: str = "label"
    default_label_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        needed = {"model_class": self.model_class, "load": self.load, "features": self.features,
                  "collator": self.collator, "evaluate": self.evaluate, "metrics": self.metrics or None}
        missing = [name for name, value in needed.items() if value is None]
        if missing and len(missing) < len(needed):
            raise ValueError(f"task {self.name!r}: fine-tuning needs {sorted(needed)}; missing {missing}")
        if not self.can_finetune and self.pipeline is None:
            raise ValueError(f"task {self.name!r} has neither fine-tuning nor a pipeline")

    @property
    def can_finetune(self) -> bool:
        """Whether ``minibert finetune`` can train it (a pipeline-only entry cannot)."""
        return self.load is not None
