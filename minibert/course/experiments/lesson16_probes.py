"""Lesson 16: linear probes on every layer of MiniLM, with a control task, over five seeds.

For each seed: a random sample of the course NER training sentences (``train_sentences``), each word's
first-piece vector at every layer (0 = the embeddings), and three linear probes per layer trained on the
sample and scored on every dev word:

* **pos**: the part-of-speech column of the CoNLL file;
* **entity**: the entity type (PER, LOC, ORG, MISC or O) from the BIO tags;
* **control** (Hewitt & Liang 2019): every word type gets a random POS-like label (drawn with the seed from
  the POS distribution of the sample), so only memorising word identities helps.

Beside them the lookup baseline (each word type's majority label in the sample). The lesson runs seed 0
live and checks it against this file; the other seeds give the spread.
"""
from __future__ import annotations

from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.course.experiments.lesson16_heads import PROBE, ner_splits, sample
from minibert.course.paths import data_dir
from minibert.modeling import BertModel
from minibert.probing import (LabelIndex, MajorityLookup, accuracy, control_labels, entity_types, load_conll_pos,
                              train_probe, word_vectors)
from minibert.tasks.ner import TokenExample
from minibert.tokenizer import BertTokenizer

NAME = "lesson16_probes"
SETTINGS = dict(train_sentences=500, **PROBE, seeds=[0, 1, 2, 3, 4])
TASKS = ("pos", "entity", "control")


def with_pos(examples: Sequence[TokenExample], split: str) -> list[tuple[list[str], list[str], list[str]]]:
    """(words, POS tags, entity types) of each sentence of a split; the POS column is read separately."""
    pos = load_conll_pos(data_dir() / "tasks" / "ner" / f"{split}.txt")  # the same sentences, in the same order
    if [e.tokens for e in pos] != [e.tokens for e in examples]:
        raise ValueError(f"the POS column of {split}.txt does not line up with its NER sentences")
    return [(e.tokens, p.tags, entity_types(e.tags)) for e, p in zip(examples, pos)]


def task_labels(train: list[tuple], dev: list[tuple], seed: int) -> dict[str, tuple[torch.Tensor, torch.Tensor, int]]:
    """For each task: training labels, dev labels (one per word) and the number of classes."""
    labels = {}
    for task, column in (("pos", 1), ("entity", 2)):
        index = LabelIndex()
        labels[task] = (index.encode(t for s in train for t in s[column]),
                        index.encode(t for s in dev for t in s[column]), len(index))
    words = [w for s in train for w in s[0]], [w for s in dev for w in s[0]]
    control = control_labels(words[0] + words[1], labels["pos"][0].tolist(), seed)
    labels["control"] = (torch.tensor([control[w] for w in words[0]]), torch.tensor([control[w] for w in words[1]]),
                         labels["pos"][2])
    return labels


def probe_seed(seed: int, train_all: list[tuple], dev: list[tuple], dev_vectors: torch.Tensor, model: Any,
               tokenizer: Any, settings: dict = SETTINGS) -> dict[str, Any]:
    """The probes' dev accuracies at every layer, and the lookup baselines, for one seed."""
    train = sample(train_all, settings["train_sentences"], seed)
    vectors = word_vectors(model, tokenizer, [s[0] for s in train])  # (L + 1, N, H)
    labels = task_labels(train, dev, seed)
    train_words, dev_words = [w for s in train for w in s[0]], [w for s in dev for w in s[0]]
    result: dict[str, Any] = {"seed": seed, "train_words": len(train_words)}
    for task, (y_train, y_dev, classes) in labels.items():
        lookup = MajorityLookup(train_words, y_train.tolist())
        result[f"{task}_lookup"] = accuracy(torch.tensor(lookup.predict(dev_words)), y_dev)
        result[task] = [accuracy(train_probe(vectors[layer], y_train, classes, settings["weight_decay"],
                                             settings["max_iter"]).predict(dev_vectors[layer]), y_dev)
                        for layer in range(vectors.shape[0])]
    return result


def run(**options: Any) -> dict[str, Any]:
    settings = {**SETTINGS, **options}
    train_examples, dev_examples, _ = ner_splits()
    train_all, dev = with_pos(train_examples, "train"), with_pos(dev_examples, "dev")
    tokenizer, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")
    dev_vectors = word_vectors(model, tokenizer, [s[0] for s in dev])
    runs = [probe_seed(seed, train_all, dev, dev_vectors, model, tokenizer, settings)
            for seed in tqdm(settings["seeds"], desc=NAME)]
    return {"settings": settings, "dev_words": dev_vectors.shape[1], "runs": runs}
