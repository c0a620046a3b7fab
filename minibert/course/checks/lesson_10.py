"""Lesson 10: text classification."""
from __future__ import annotations

import functools
import math
from typing import Any

import torch

from minibert.config import BertConfig
from minibert.course.exercises import Hint, exercise, expect_function, expect_number, learners_code
from minibert.course import baselines
from minibert.course.paths import data_dir
from minibert.tasks.classification import load_glue_tsv
from minibert.heads import BertForSequenceClassification
from minibert.tasks.metrics import accuracy, macro_f1
from minibert.tokenizer import BertTokenizer

MATRIX = [[40, 10], [20, 30]]  # rows: true negative, positive; columns: predicted negative, positive


def _labels_of(matrix: list[list[int]]) -> tuple[list[int], list[int]]:
    """The (true, predicted) label lists that a confusion matrix counts."""
    pairs = [(t, p) for t, row in enumerate(matrix) for p, n in enumerate(row) for _ in range(n)]
    return [t for t, _ in pairs], [p for _, p in pairs]


@exercise("10.1", "How many parameters does the new classification layer (the only weights fine-tuning adds) "
                  "give BERT-base for 3 labels?")
def _head_parameters(answer: Any) -> str | None:
    with torch.device("meta"):  # shapes only
        model = BertForSequenceClassification(BertConfig.from_preset("base", num_labels=3))
    weight, bias = model.classifier.weight.numel(), model.classifier.bias.numel()
    if isinstance(answer, bool) or not isinstance(answer, int):
        return "answer with a whole number"
    if answer == weight + bias:
        return None
    if answer == weight:
        return "the Linear layer has a bias too: one per label"
    if answer == weight + bias + sum(p.numel() for p in model.bert.pooler.parameters()):
        return "the pooler is pre-trained with the encoder; only the classifier is new"
    return "a Linear(H, num_labels): H x num_labels weights plus num_labels biases, H = 768"


@exercise("10.2", f"A sentiment classifier's confusion matrix is {MATRIX} (rows: true negative, positive; "
                  "columns: predicted negative, positive). What is its macro-F1?")
def _macro_f1(answer: Any) -> str | None:
    value = expect_number(answer)
    y_true, y_pred = _labels_of(MATRIX)
    if math.isclose(value, macro_f1(y_true, y_pred), rel_tol=1e-3):
        return None
    if math.isclose(value, accuracy(y_true, y_pred), rel_tol=1e-3):
        return "that is the accuracy; compute F1 = 2 TP / (2 TP + FP + FN) for each label, then average"
    return "for each label: TP on the diagonal, FP the rest of its column, FN the rest of its row"


@exercise("10.3", "Write logits(model, batch): a BertForSequenceClassification's logits (eval mode) from "
                  "model.bert(...).last_hidden_state, its pooler and its classifier.")
def _logits_from_hidden_states(answer: Any) -> str | None:
    expect_function(answer, "logits(model, batch)")
    torch.manual_seed(0)
    model = BertForSequenceClassification(BertConfig.from_preset("tiny", num_labels=3)).eval()
    batch = BertTokenizer.from_pretrained("minilm")(["I love this movie.", "What a dull, long film."],
                                                    padding=True, return_tensors="pt")
    with torch.no_grad():
        expected = model(**batch).logits
        with learners_code("logits"):
            ours = answer(model, batch)
    if not isinstance(ours, torch.Tensor) or ours.shape != expected.shape:
        shape = tuple(ours.shape) if isinstance(ours, torch.Tensor) else type(ours).__name__
        return f"expected a tensor of shape {tuple(expected.shape)} (batch, num_labels), got {shape}"
    if torch.allclose(ours, expected, atol=1e-5):
        return None
    return "take position 0 ([CLS]) of last_hidden_state, then tanh(pooler.dense(...)), then the classifier"


SUBSET = 1000  # exercise 10.4: the best baseline fitted on the first SUBSET training reviews only


@functools.lru_cache(maxsize=None)
def _baseline_scores(first: int | None) -> dict[str, float]:
    """``baselines.sentiment`` fitted on the first ``first`` training reviews (all with None), scored on dev."""
    folder = data_dir() / "tasks" / "sentiment"
    train, dev = load_glue_tsv(folder / "train.tsv"), load_glue_tsv(folder / "dev.tsv")
    return baselines.sentiment(train.examples[:first], dev)


@exercise("10.4", f"Experiment: is the best baseline short of data? Fit the bag of uni+bigrams on the first {SUBSET} "
                  "training reviews only (the lesson fits it on all of them) and score it on the dev reviews. "
                  "Its dev accuracy?", experiment=True)
def _baseline_on_fewer_reviews(answer: Any) -> str | None:
    value = expect_number(answer)
    if value > 1:
        raise Hint("answer with a share between 0 and 1 (the dev accuracy), not a percentage")
    fewer, full = _baseline_scores(SUBSET), _baseline_scores(None)
    if abs(value - fewer["bag of uni+bigrams"]) <= 0.004:
        return None
    if abs(value - full["bag of uni+bigrams"]) <= 0.004:
        raise Hint(f"that is the baseline fitted on every training review: keep the first {SUBSET} only")
    if abs(value - fewer["bag of words"]) <= 0.004:
        raise Hint("that is the bag of words alone: add the bigrams (baselines.bag(text) has them by default)")
    return (f"baselines.sentiment(train_data.examples[:{SUBSET}], dev_data)['bag of uni+bigrams'], or fit_linear "
            "on the bags of those reviews and score the dev reviews")
