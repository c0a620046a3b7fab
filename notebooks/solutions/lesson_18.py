"""Lesson 18 solutions."""
import math

import torch
import torch.nn.functional as F

from minibert.course.experiments import lesson18_long_documents as longdocs
from minibert.course.experiments.lesson18_distillation import load_teacher, minilm_tokenizer


def kd_loss(student_logits, teacher_logits, labels, T, alpha):
    # Soften both distributions by T; KL(p_t || p_s) = sum p_t (log p_t - log p_s), mean over the batch;
    # T^2 keeps the soft term's gradient as large as the hard term's whatever T is.
    p_t = F.softmax(teacher_logits / T, dim=-1)
    log_p_s = F.log_softmax(student_logits / T, dim=-1)
    kl = (p_t * (p_t.log() - log_p_s)).sum(-1).mean()
    return alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)


def kd_loss_without_t2(student_logits, teacher_logits, labels, T, alpha):
    # A mistake: no T^2, so the soft term fades as T grows.
    p_t = F.softmax(teacher_logits / T, dim=-1)
    kl = (p_t * (p_t.log() - F.log_softmax(student_logits / T, dim=-1))).sum(-1).mean()
    return alpha * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)


def kd_loss_reversed(student_logits, teacher_logits, labels, T, alpha):
    # A mistake: KL(p_s || p_t), weighted by the student's probabilities.
    p_s = F.softmax(student_logits / T, dim=-1)
    kl = (p_s * (p_s.log() - F.log_softmax(teacher_logits / T, dim=-1))).sum(-1).mean()
    return alpha * T * T * kl + (1 - alpha) * F.cross_entropy(student_logits, labels)


def documents_right(seed=1, n=12, max_length=64, stride=16, pool="max"):
    # The experiment of 18.3 by hand: the tokenizer cuts the windows, the teacher reads each, the windows' logits
    # are pooled class by class, and the pooled argmax is compared with the label.
    teacher, tokenizer = load_teacher(), minilm_tokenizer()
    right = 0
    for doc in longdocs.make_documents(seed, n):
        enc = tokenizer(doc["text"], max_length=max_length, truncation=True, stride=stride,
                        return_overflowing_tokens=True, padding=True, return_tensors="pt")
        with torch.no_grad():
            logits = teacher(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).logits  # (W, 2)
        pooled = logits.max(dim=0).values if pool == "max" else logits.mean(dim=0)
        right += int(pooled.argmax()) == doc["label"]
    return right


ANSWERS = {
    "18.1": math.exp(2.0 / 2) / (math.exp(2.0 / 2) + math.exp(0.0)),  # softmax((2, 0) / 2)[0] = sigmoid(1)
    "18.2": kd_loss,
    "18.3": documents_right(),
}

WRONG = {
    "18.1": [math.exp(2.0) / (math.exp(2.0) + 1), 0.5, math.exp(4.0) / (math.exp(4.0) + 1)],
    "18.2": [kd_loss_without_t2, kd_loss_reversed],
    "18.3": [documents_right(max_length=128, stride=32), 12, 0.5],
}
