"""Lesson 18: remove from the sentiment teacher the heads that lesson 16 found useless.

The teacher is lesson 18's MiniLM sentiment classifier, rebuilt from ``lesson18_distillation``'s file. Its
heads are removed together, and dev accuracy is measured after every ``every`` heads, in two kinds of order:

* **lesson 16**: the heads lesson 16 found useless first (``lesson16_heads``: MiniLM fine-tuned for NER, the
  entity F1 lost without each head alone, mean over its seeds). Does "useless" carry over to another task
  and another fine-tuning? The order is chosen without looking at any sentiment review;
* **random** orders, several seeds: the baseline a sceptic would try.
"""
from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from minibert.course.experiments import load
from minibert.course.experiments.lesson18_distillation import accuracy_on, load_teacher, minilm_tokenizer, sentiment
from minibert.pruning import Head, all_heads, masked_heads, pruning_order

NAME = "lesson18_heads"
SETTINGS = dict(dev_reviews=200, every=12, random_orders=3)


def accuracy_without(model: torch.nn.Module, heads: list[Head], settings: dict[str, Any] = SETTINGS) -> float:
    """Dev accuracy with ``heads`` masked (the same numbers as with them pruned)."""
    with masked_heads(model, heads):
        return accuracy_on(model, minilm_tokenizer(), sentiment("dev")[:settings["dev_reviews"]])


def lesson16_order() -> list[Head]:
    """Lesson 16's heads from least to most useful for NER: the F1 lost without each, mean over seeds."""
    runs = load("lesson16_heads")["fine_tuned"]
    lost = np.mean([r["intact_f1"] - np.array(r["f1_without_head"]) for r in runs], axis=0)  # (L, A)
    return pruning_order({(l, h): float(lost[l, h]) for l in range(lost.shape[0]) for h in range(lost.shape[1])})


def run() -> dict[str, Any]:
    torch.set_num_threads(1)
    s, teacher = SETTINGS, load_teacher()
    heads = all_heads(teacher)
    counts = list(range(0, len(heads) + 1, s["every"]))
    orders = {"lesson 16": lesson16_order(),
              **{f"random {k}": random.Random(k).sample(heads, len(heads)) for k in range(s["random_orders"])}}
    curves = {name: [accuracy_without(teacher, order[:n]) for n in tqdm(counts, desc=name)]
              for name, order in orders.items()}
    return {"settings": s, "orders": {name: [list(head) for head in order] for name, order in orders.items()},
            "counts": counts, "curves": curves}
