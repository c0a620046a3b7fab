"""Lesson 10 solutions."""
import torch


def logits(model, batch):
    """[CLS]'s final hidden state -> pooler (tanh of a Linear) -> classifier (dropout is off in eval mode)."""
    hidden = model.bert(**batch).last_hidden_state          # (B, T, H)
    pooled = torch.tanh(model.bert.pooler.dense(hidden[:, 0]))  # (B, H): position 0 is [CLS]
    return model.classifier(model.dropout(pooled))           # (B, num_labels)


ANSWERS = {
    # Linear(768, 3): 768 * 3 weights + 3 biases. Everything else (the pooler too) is pre-trained.
    "10.1": 768 * 3 + 3,
    # negative: TP 40, FP 20 (column), FN 10 (row): F1 = 80 / 110; positive: TP 30, FP 10, FN 20: F1 = 60 / 90.
    "10.2": (80 / 110 + 60 / 90) / 2,
    "10.3": logits,
}
