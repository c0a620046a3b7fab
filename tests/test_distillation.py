"""Knowledge distillation: the loss is the formula, the wrapper trains with the ordinary Trainer."""
import math

import pytest
import torch
import torch.nn.functional as F

from minibert import BertConfig, BertForSequenceClassification
from minibert.distillation import (DistillationModel, distillation_collator, distillation_loss, soft_targets,
                                   teacher_logits, with_teacher_logits)
from minibert.trainer import Trainer, TrainingArguments


def test_the_loss_is_alpha_t2_kl_plus_cross_entropy():
    torch.manual_seed(0)
    student, teacher, labels = torch.randn(5, 3), torch.randn(5, 3), torch.tensor([0, 2, 1, 1, 0])
    T, alpha = 3.0, 0.7
    p_t, p_s = F.softmax(teacher / T, -1), F.softmax(student / T, -1)
    kl = (p_t * (p_t.log() - p_s.log())).sum(-1).mean()
    expected = alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student, labels)
    torch.testing.assert_close(distillation_loss(student, teacher, labels, T, alpha), expected)


def test_alpha_zero_is_the_label_loss_and_a_perfect_copy_has_no_kl():
    student, labels = torch.randn(4, 2), torch.tensor([0, 1, 1, 0])
    torch.testing.assert_close(distillation_loss(student, torch.randn(4, 2), labels, 2.0, 0.0),
                               F.cross_entropy(student, labels))
    assert distillation_loss(student, student.clone(), None, 4.0, 1.0).abs() < 1e-6


def test_temperature_softens_and_bad_arguments_say_so():
    logits = torch.tensor([[4.0, 0.0]])
    assert soft_targets(logits, 4.0)[0, 0] < soft_targets(logits, 1.0)[0, 0]
    with pytest.raises(ValueError, match="temperature"):
        soft_targets(logits, 0.0)
    with pytest.raises(ValueError, match="alpha"):
        distillation_loss(logits, logits, None, 2.0, 1.5)
    with pytest.raises(ValueError, match="labels are needed"):
        distillation_loss(logits, logits, None, 2.0, 0.5)
    with pytest.raises(ValueError, match="same labels"):
        distillation_loss(logits, torch.zeros(1, 3), torch.tensor([0]), 2.0, 0.5)


def test_the_gradient_of_the_kl_part_does_not_shrink_with_temperature():
    """Multiplying by T^2 keeps the soft part's gradient about the same size for any T (Hinton et al.)."""
    torch.manual_seed(1)
    teacher = torch.randn(64, 2) * 3
    norms = []
    for T in (2.0, 8.0):
        student = torch.zeros(64, 2, requires_grad=True)
        distillation_loss(student, teacher, None, T, 1.0).backward()
        norms.append(student.grad.norm().item())
    assert 0.3 < norms[1] / norms[0] < 3


def test_a_student_trains_on_teacher_logits_with_the_trainer(tmp_path, one_thread):
    torch.manual_seed(0)
    config = BertConfig.from_preset("tiny", vocab_size=50, num_hidden_layers=1)
    teacher = BertForSequenceClassification(config).eval()
    features = [{"input_ids": [2, 5 + i % 40, 3], "token_type_ids": [0, 0, 0], "attention_mask": [1, 1, 1],
                 "labels": i % 2} for i in range(16)]
    logits = teacher_logits(teacher, features)
    assert logits.shape == (16, 2)
    train = with_teacher_logits(features, logits)
    assert train[3]["teacher_logits"] == pytest.approx(logits[3].tolist())
    batch = distillation_collator(0)(train[:4])
    assert batch["teacher_logits"].shape == (4, 2) and batch["teacher_logits"].dtype == torch.float32
    model = DistillationModel(BertForSequenceClassification(config), temperature=2.0, alpha=1.0)
    args = TrainingArguments(str(tmp_path), max_steps=30, per_device_train_batch_size=8, learning_rate=3e-3,
                             disable_tqdm=True, bf16=False)
    full = distillation_collator(0)(train)

    def soft_loss() -> float:
        model.student.eval()
        with torch.no_grad():
            out = model.student(full["input_ids"], attention_mask=full["attention_mask"]).logits
        return distillation_loss(out, logits, None, 2.0, 1.0).item()

    before = soft_loss()
    Trainer(model, args, train, collate_fn=distillation_collator(0)).train()
    after = soft_loss()
    assert after < before and math.isfinite(after)


def test_without_teacher_logits_the_wrapper_is_the_student():
    torch.manual_seed(0)
    student = BertForSequenceClassification(BertConfig.from_preset("tiny", vocab_size=30, num_hidden_layers=1)).eval()
    ids, labels = torch.tensor([[2, 7, 3]]), torch.tensor([1])
    out = DistillationModel(student).eval()(ids, labels=labels)
    torch.testing.assert_close(out.logits, student(ids).logits)
    torch.testing.assert_close(out.loss, F.cross_entropy(out.logits, labels))
    with pytest.raises(ValueError, match="rows of teacher logits"):
        with_teacher_logits([{"input_ids": [1]}], torch.zeros(2, 2))
