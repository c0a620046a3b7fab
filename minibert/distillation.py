"""Knowledge distillation: a small student learns from a big teacher's probabilities (lesson 18).

Hinton, Vinyals and Dean (2015): a trained classifier's probabilities say more than its label. A teacher that
gives a review 0.7 "positive" says it is unsure; one-hot labels never do. The student is trained on both:

    p_t = softmax(z_t / T)     p_s = softmax(z_s / T)     (T > 1 softens both distributions)

    loss = alpha * T^2 * KL(p_t || p_s) + (1 - alpha) * CE(z_s, y)

The gradient of the KL term with respect to ``z_s`` scales as 1 / T^2; multiplying by ``T^2`` keeps the two
terms of comparable size whatever T is (Hinton et al. 2015, section 2). ``alpha = 0`` is ordinary training on
labels; DistilBERT (Sanh et al. 2019) distils BERT-base into a 6-layer student this way (plus a cosine loss on
the hidden states, left out here).

The teacher's logits are computed once (:func:`teacher_logits`) and travel with each training feature under
``teacher_logits``; :class:`DistillationModel` wraps the student so the ordinary Trainer can train it.
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from minibert.outputs import SequenceClassifierOutput
from minibert.tasks.batching import DynamicPadding, input_padding, model_outputs

TEACHER_KEY = "teacher_logits"


def soft_targets(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(z / T): (B, C) -> (B, C); T = 1 is the plain softmax, larger T is flatter."""
    if temperature <= 0:
        raise ValueError(f"the temperature must be positive, got {temperature}")
    return F.softmax(logits / temperature, dim=-1)


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor | None,
                      temperature: float = 2.0, alpha: float = 0.5) -> torch.Tensor:
    """alpha * T^2 * KL(softmax(z_t/T) || softmax(z_s/T)) + (1 - alpha) * CE(z_s, y), averaged over the batch.

    student_logits, teacher_logits: (B, C); labels: (B,) class indices (None only with ``alpha = 1``).
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f"student logits {tuple(student_logits.shape)} and teacher logits "
                         f"{tuple(teacher_logits.shape)} differ: the two models must have the same labels")
    log_p_s = F.log_softmax(student_logits / temperature, dim=-1)  # (B, C)
    p_t = soft_targets(teacher_logits.detach(), temperature)  # (B, C): the teacher is not trained
    # KL(p_t || p_s) = sum_c p_t (log p_t - log p_s); "batchmean" divides the sum by B, the true mean KL.
    kl = F.kl_div(log_p_s, p_t, reduction="batchmean")
    loss = alpha * temperature ** 2 * kl
    if alpha < 1.0:
        if labels is None:
            raise ValueError("labels are needed when alpha < 1 (the cross-entropy part)")
        loss = loss + (1.0 - alpha) * F.cross_entropy(student_logits, labels.view(-1))
    return loss


class DistillationModel(nn.Module):
    """A student classifier whose loss is :func:`distillation_loss` against the batch's ``teacher_logits``.

    ``forward`` takes the student's inputs plus ``labels`` and ``teacher_logits`` and returns the student's
    ``SequenceClassifierOutput`` with the distillation loss; without ``teacher_logits`` (evaluation) it is
    the student itself. ``self.student`` is the model to keep.
    """

    def __init__(self, student: nn.Module, temperature: float = 2.0, alpha: float = 0.5) -> None:
        super().__init__()
        self.student = student
        self.temperature, self.alpha = temperature, alpha
        self.config = student.config

    def forward(self, input_ids: torch.Tensor, *, labels: torch.Tensor | None = None,
                teacher_logits: torch.Tensor | None = None, **inputs: Any) -> SequenceClassifierOutput:
        out = self.student(input_ids, **inputs)
        if teacher_logits is None:
            loss = None if labels is None else F.cross_entropy(out.logits, labels.view(-1))
        else:
            loss = distillation_loss(out.logits, teacher_logits.to(out.logits.dtype), labels,
                                     self.temperature, self.alpha)
        return SequenceClassifierOutput(loss=loss, logits=out.logits)


def teacher_logits(teacher: nn.Module, features: Sequence[Mapping[str, Any]], batch_size: int = 64
                   ) -> torch.Tensor:
    """The teacher's logits (N, C) on classification features (eval mode, no gradients), in their order."""
    teacher.eval()
    collate = input_padding(teacher.config.pad_token_id)
    rows = model_outputs(teacher, features, collate, batch_size, ["logits"], per_token=False)["logits"]
    return torch.stack(rows)  # (N, C)


def with_teacher_logits(features: Sequence[Mapping[str, Any]], logits: torch.Tensor | Sequence[Sequence[float]]
                        ) -> list[dict[str, Any]]:
    """The student's features, each with its row of the teacher's logits under ``teacher_logits``.

    The student and the teacher may tokenize differently (their vocabularies differ): only the label space
    must be the same, and the i-th feature of both must be the i-th text.
    """
    rows = logits.tolist() if isinstance(logits, torch.Tensor) else [list(r) for r in logits]
    if len(rows) != len(features):
        raise ValueError(f"{len(features)} features but {len(rows)} rows of teacher logits")
    return [{**feature, TEACHER_KEY: row} for feature, row in zip(features, rows)]


def distillation_collator(pad_token_id: int = 0) -> DynamicPadding:
    """Batches for :class:`DistillationModel`: inputs (B, T), ``labels`` (B,), ``teacher_logits`` (B, C)."""
    return input_padding(pad_token_id, labels=0, **{TEACHER_KEY: 0.0})
