"""Lesson 16: drop MiniLM's attention heads one at a time (Michel et al. 2019), in two models.

* **fine-tuned**: MiniLM fine-tuned on the course NER data (token classification, a few epochs of a small
  training sample), three seeds. Each of the 72 heads is masked alone and the entity F1 is measured on the
  first half of the dev sentences; then heads are removed together, least important first (by that
  single-head drop), and the F1 is measured on the *other* half of the dev set, so that the order is not
  chosen on the sentences it is scored on.
* **frozen + probe**: MiniLM as pre-trained, with the lesson's entity-type probe on the last layer (trained
  on the frozen vectors of the same training sample): the word accuracy without each head, on the words of
  the first half of the dev sentences.

The lesson re-runs live the first training steps of seed 0 and the frozen model's last-layer heads, and
compares them with this file.
"""
from __future__ import annotations

import random
import warnings
from typing import Any, Sequence, TypeVar

import torch
from tqdm.auto import tqdm

from minibert.course.paths import data_dir
from minibert.heads import BertForTokenClassification
from minibert.modeling import BertModel
from minibert.probing import (LabelIndex, LayerCache, ablate_each_head, accuracy, entity_types, first_piece_positions,
                               heads_masked, train_probe, word_vectors)
from minibert.tasks.metrics import entity_scores
from minibert.tasks.ner import TokenExample, load_conll, ner_collator, tokenize_and_align, word_tags
from minibert.tokenizer import BertTokenizer

NAME = "lesson16_heads"
T = TypeVar("T")
SETTINGS = dict(train_sentences=500, epochs=2, batch_size=16, lr=3e-4, warmup_ratio=0.1, seeds=[0, 1, 2],
                prune_every=6, live_steps=3)
PROBE = dict(weight_decay=1e-3, max_iter=30)  # the linear probes of lesson 16 (lesson16_probes uses the same)


def ner_splits() -> tuple[list[TokenExample], list[TokenExample], list[str]]:
    """The course NER data (``data/tasks/ner``): train and dev sentences, and the BIO label names."""
    folder = data_dir() / "tasks" / "ner"
    train = load_conll(folder / "train.txt")
    dev = load_conll(folder / "dev.txt", label_names=train.label_names)
    return train.examples, dev.examples, train.label_names


def sample(examples: Sequence[T], n: int, seed: int) -> list[T]:
    """``n`` training sentences drawn at random, in their order in the file (the draw depends only on ``seed``)."""
    return [examples[i] for i in sorted(random.Random(seed).sample(range(len(examples)), n))]


def fine_tune_ner(train: Sequence[TokenExample], label_names: list[str], seed: int, settings: dict = SETTINGS,
                  stop_after: int | None = None) -> tuple[BertForTokenClassification, list[float]]:
    """Fine-tune MiniLM for token classification: AdamW, linear warm-up then decay, shuffled batches.

    Returns the model (eval mode) and the loss of every step; ``stop_after`` stops early on the same
    schedule (the lesson re-runs the first steps).
    """
    tokenizer = BertTokenizer.from_pretrained("minilm")
    torch.manual_seed(seed)  # the new classifier's weights and the dropout masks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "classifier newly initialised": we know
        model = BertForTokenClassification.from_pretrained(
            "minilm", num_labels=len(label_names), id2label=dict(enumerate(label_names)))
    model.train()
    features = tokenize_and_align([e.tokens for e in train], [e.tags for e in train], tokenizer,
                                  {tag: i for i, tag in enumerate(label_names)})
    batch, epochs = settings["batch_size"], settings["epochs"]
    rng = random.Random(seed)
    order = [i for _ in range(epochs) for i in rng.sample(range(len(features)), len(features))]
    steps = len(order) // batch
    warmup = max(1, int(settings["warmup_ratio"] * steps))
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings["lr"], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * max(0.0, (steps - s) / max(1, steps - warmup)))
    collate, losses = ner_collator(tokenizer.pad_token_id), []
    for step in range(stop_after or steps):
        loss = model(**collate([features[i] for i in order[step * batch:(step + 1) * batch]])).loss
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return model.eval(), losses


BATCH = 64


def batches_of(sentences: Sequence[TokenExample], tokenizer: Any) -> tuple[list[dict], list[list]]:
    """Padded batches of ``BATCH`` sentences in their order, and each sentence's word_ids."""
    batches, word_ids = [], []
    for start in range(0, len(sentences), BATCH):
        enc = tokenizer([e.tokens for e in sentences[start:start + BATCH]], is_split_into_words=True,
                        padding=True, return_tensors="pt", return_word_ids=True)
        batches.append({"input_ids": enc["input_ids"], "attention_mask": enc["attention_mask"]})
        word_ids += enc["word_ids"]
    return batches, word_ids


def first_piece_vectors(hidden: list[torch.Tensor], word_ids: list[list]) -> torch.Tensor:
    """The vector of every word's first piece, all sentences stacked: batches (B, T, H) -> (words, H)."""
    rows = [batch[row] for batch in hidden for row in range(batch.shape[0])]  # one (T, H) per sentence
    return torch.cat([h[first_piece_positions(w)] for h, w in zip(rows, word_ids)])


def entity_f1(model: BertForTokenClassification, sentences: Sequence[TokenExample], word_ids: list[list],
              hidden: list[torch.Tensor]) -> float:
    """Entity F1 of the tags the model's classifier reads off the final hidden states ``hidden``."""
    with torch.no_grad():
        predicted = [row for h in hidden for row in model.classifier(h).argmax(-1).tolist()]  # h: (B, T, H)
    tags = [word_tags(len(e.tokens), w, p, model.config.id2label) for e, w, p in zip(sentences, word_ids, predicted)]
    return entity_scores([e.tags for e in sentences], tags)["f1"]


def all_heads(layers: int = 6, heads: int = 12) -> list[tuple[int, int]]:
    return [(layer, head) for layer in range(layers) for head in range(heads)]


def fine_tuned_run(seed: int, train: list[TokenExample], dev: list[TokenExample], label_names: list[str],
                   settings: dict = SETTINGS) -> dict[str, Any]:
    tokenizer = BertTokenizer.from_pretrained("minilm")
    model, losses = fine_tune_ner(train, label_names, seed, settings)
    half = len(dev) // 2
    choose, score = dev[:half], dev[half:]  # rank the heads on one half, prune on the other
    batches, word_ids = batches_of(choose, tokenizer)
    cache = LayerCache(model, batches)
    intact = entity_f1(model, choose, word_ids, cache.last_hidden_states(0))
    without = ablate_each_head(cache, lambda hidden: entity_f1(model, choose, word_ids, hidden), all_heads())
    order = sorted(without, key=lambda h: intact - without[h])  # least important first
    held_batches, held_ids = batches_of(score, tokenizer)
    held = LayerCache(model, held_batches)
    pruned = []
    for k in range(0, len(order) + 1, settings["prune_every"]):
        with heads_masked(model, order[:k]):
            pruned.append(entity_f1(model, score, held_ids, held.last_hidden_states(0)))
    return {"seed": seed, "first_losses": losses[:settings["live_steps"]], "final_loss": losses[-1],
            "steps": len(losses), "intact_f1": intact,
            "f1_without_head": [[without[(layer, head)] for head in range(12)] for layer in range(6)],
            "prune_order": [list(h) for h in order], "pruned_f1": pruned}


def frozen_probe_run(train: list[TokenExample], dev: list[TokenExample], probe_settings: dict) -> dict[str, Any]:
    """The pre-trained MiniLM with the lesson's entity-type probe on its last layer (``probe_settings``: its
    weight decay and iterations); the accuracy on the dev words without each head."""
    tokenizer, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")
    types = LabelIndex()
    labels = types.encode(t for e in train for t in entity_types(e.tags))
    dev_labels = types.encode(t for e in dev for t in entity_types(e.tags))
    last = len(model.encoder.layer)
    probe = train_probe(word_vectors(model, tokenizer, [e.tokens for e in train])[last], labels, len(types),
                        probe_settings["weight_decay"], probe_settings["max_iter"])
    batches, word_ids = batches_of(dev, tokenizer)
    cache = LayerCache(model, batches)

    def word_accuracy(hidden: list[torch.Tensor]) -> float:
        return accuracy(probe.predict(first_piece_vectors(hidden, word_ids)), dev_labels)

    intact = word_accuracy(cache.last_hidden_states(0))
    without = ablate_each_head(cache, word_accuracy, all_heads())
    return {"intact_accuracy": intact,
            "accuracy_without_head": [[without[(layer, head)] for head in range(12)] for layer in range(6)]}


def run(**options: Any) -> dict[str, Any]:
    settings = {**SETTINGS, **options}
    train_all, dev, label_names = ner_splits()
    train = sample(train_all, settings["train_sentences"], seed=0)  # one training sample; seeds vary the run
    runs = [fine_tuned_run(seed, train, dev, label_names, settings) for seed in tqdm(settings["seeds"], desc=NAME)]
    return {"settings": settings, "dev_sentences": len(dev), "fine_tuned": runs,
            "frozen_probe": frozen_probe_run(train, dev[:len(dev) // 2], PROBE)}
