"""Lesson 10 solutions."""
import torch

from minibert.course import baselines
from minibert.course.paths import data_dir
from minibert.tasks.classification import load_glue_tsv


def logits(model, batch):
    """[CLS]'s final hidden state -> pooler (tanh of a Linear) -> classifier (dropout is off in eval mode)."""
    hidden = model.bert(**batch).last_hidden_state          # (B, T, H)
    pooled = torch.tanh(model.bert.pooler.dense(hidden[:, 0]))  # (B, H): position 0 is [CLS]
    return model.classifier(model.dropout(pooled))           # (B, num_labels)


# 10.4: the baseline of section 3 rebuilt from its pieces, fitted on the first 1000 training reviews only.
sentiment = data_dir() / "tasks" / "sentiment"
train, dev = load_glue_tsv(sentiment / "train.tsv").examples[:1000], load_glue_tsv(sentiment / "dev.tsv").examples
few = baselines.fit_linear([baselines.bag(e.text) for e in train], [e.label for e in train], 2)
predicted = few([baselines.bag(e.text) for e in dev]).argmax(-1).tolist()
few_reviews_accuracy = sum(p == e.label for p, e in zip(predicted, dev)) / len(dev)


ANSWERS = {
    # Linear(768, 3): 768 * 3 weights + 3 biases. Everything else (the pooler too) is pre-trained.
    "10.1": 768 * 3 + 3,
    # negative: TP 40, FP 20 (column), FN 10 (row): F1 = 80 / 110; positive: TP 30, FP 10, FN 20: F1 = 60 / 90.
    "10.2": (80 / 110 + 60 / 90) / 2,
    "10.3": logits,
    # A little below the baseline fitted on all 4000 reviews: more reviews help it, but slowly.
    "10.4": few_reviews_accuracy,
}


def logits_without_pooler(model, batch):
    """A plausible mistake: the classifier on h_[CLS] itself, skipping the pooler."""
    return model.classifier(model.bert(**batch).last_hidden_state[:, 0])


WRONG = {
    "10.1": [768 * 3, 768 * 3 + 3 + 768 * 768 + 768, 384 * 3 + 3],  # no bias; with the pooler; MiniLM's H
    "10.2": [70 / 100, 80 / 110, 0.5],                               # the accuracy; one label's F1; chance
    "10.3": logits_without_pooler,
    "10.4": [0.622, 0.5, 100 * few_reviews_accuracy],  # fitted on every review; the majority; a percentage
}
