"""Lesson 17: feature-based against fine-tuning (the BERT paper's §5.3), on NER and on sentiment, three seeds.

For each seed, one random training sample per task (``train_sentences``), used by every method:

* **NER** (entity F1 on all dev sentences): fine-tuned MiniLM (lesson 16's recipe); frozen MiniLM with a
  linear probe on BIO tags, reading the last layer or the last four layers concatenated (the paper's best
  feature-based choice); the lookup baseline (each word type's majority tag in the sample).
* **Sentiment** (accuracy on all dev reviews): fine-tuned MiniLM (its pooled ``[CLS]``, as lesson 10);
  frozen mean-pooled MiniLM vectors with logistic regression; a bag of words and word pairs with the same
  logistic regression.

The lesson re-runs the frozen NER probes and the lookup of seed 0 live and compares them with this file.
"""
from __future__ import annotations

import random
import warnings
from typing import Any, Sequence

import torch
from tqdm.auto import tqdm

from minibert.course.experiments import lesson16_heads
from minibert.course.experiments.lesson16_heads import fine_tune_ner, ner_splits, sample
from minibert.course.paths import data_dir
from minibert.heads import BertForSequenceClassification
from minibert.modeling import BertModel
from minibert.probing import MajorityLookup, accuracy, train_probe, word_vectors
from minibert.sentence_embeddings import encode
from minibert.tasks.classification import TextExample, load_glue_tsv
from minibert.tasks.metrics import entity_scores
from minibert.tasks.ner import TokenExample, ner_collator, tokenize_and_align, word_tags
from minibert.tokenizer import BertTokenizer

NAME = "lesson17_transfer"
NER_SETTINGS = {k: lesson16_heads.SETTINGS[k] for k in ("train_sentences", "epochs", "batch_size", "lr", "warmup_ratio")}
SENTIMENT_SETTINGS = dict(train_sentences=500, epochs=3, batch_size=16, lr=1e-4, warmup_ratio=0.1)
PROBE = dict(weight_decay=1e-3, max_iter=30)
SEEDS = [0, 1, 2]


# ------------------------------------------------------------------------------------------------ NER
def split_tags(flat: Sequence[str], sentences: Sequence[TokenExample]) -> list[list[str]]:
    """Per-word tags of all sentences run together -> one list per sentence."""
    out, start = [], 0
    for e in sentences:
        out.append(list(flat[start:start + len(e.tokens)]))
        start += len(e.tokens)
    return out


def feature_based_ner(train: list[TokenExample], dev: list[TokenExample], label_names: list[str], model: Any,
                      tokenizer: Any, dev_vectors: torch.Tensor | None = None) -> dict[str, float]:
    """Entity F1 of linear probes on frozen vectors (last layer; last four concatenated) and of the lookup."""
    train_vectors = word_vectors(model, tokenizer, [e.tokens for e in train])  # (L + 1, N, H)
    dev_vectors = word_vectors(model, tokenizer, [e.tokens for e in dev]) if dev_vectors is None else dev_vectors
    index = {tag: i for i, tag in enumerate(label_names)}
    labels = torch.tensor([index[t] for e in train for t in e.tags])
    gold = [e.tags for e in dev]
    result = {}
    for name, layers in (("last layer", [-1]), ("last four layers", [-4, -3, -2, -1])):
        features = torch.cat([train_vectors[layer] for layer in layers], dim=-1)  # (N, H * layers)
        probe = train_probe(features, labels, len(label_names), **PROBE)
        predicted = probe.predict(torch.cat([dev_vectors[layer] for layer in layers], dim=-1)).tolist()
        result[name] = entity_scores(gold, split_tags([label_names[p] for p in predicted], dev))["f1"]
    lookup = MajorityLookup([w for e in train for w in e.tokens], [t for e in train for t in e.tags])
    result["lookup"] = entity_scores(gold, split_tags(lookup.predict([w for e in dev for w in e.tokens]), dev))["f1"]
    return result


def fine_tuned_ner_f1(train: list[TokenExample], dev: list[TokenExample], label_names: list[str], seed: int) -> float:
    model, _ = fine_tune_ner(train, label_names, seed, NER_SETTINGS)
    tokenizer = BertTokenizer.from_pretrained("minilm")
    enc = tokenizer([e.tokens for e in dev], is_split_into_words=True, return_word_ids=True)
    collate, tags = ner_collator(tokenizer.pad_token_id), []
    with torch.no_grad():
        for start in range(0, len(dev), 64):
            rows = range(start, min(start + 64, len(dev)))
            batch = collate([{k: enc[k][i] for k in ("input_ids", "token_type_ids", "attention_mask")} for i in rows])
            predicted = model(**batch).logits.argmax(-1).tolist()  # (B, T)
            tags += [word_tags(len(dev[i].tokens), enc["word_ids"][i], p, model.config.id2label)
                     for i, p in zip(rows, predicted)]
    return entity_scores([e.tags for e in dev], tags)["f1"]


# ------------------------------------------------------------------------------------------------ sentiment
def sentiment_splits() -> tuple[list[TextExample], list[TextExample]]:
    folder = data_dir() / "tasks" / "sentiment"
    return load_glue_tsv(folder / "train.tsv").examples, load_glue_tsv(folder / "dev.tsv").examples


def bag_of_words(train_texts: Sequence[str], texts: Sequence[str]) -> torch.Tensor:
    """Counts of the words and adjacent word pairs of ``texts``, over the vocabulary of ``train_texts``."""
    def grams(text: str) -> list[str]:
        words = text.lower().split()
        return words + [f"{a} {b}" for a, b in zip(words, words[1:])]

    vocabulary = {g: i for i, g in enumerate(sorted({g for t in train_texts for g in grams(t)}))}
    counts = torch.zeros(len(texts), len(vocabulary))
    for row, text in enumerate(texts):
        for g in grams(text):
            if g in vocabulary:
                counts[row, vocabulary[g]] += 1
    return counts  # (N, V)


def frozen_sentiment(train: list[TextExample], dev: list[TextExample], model: Any, tokenizer: Any) -> dict[str, float]:
    labels, gold = torch.tensor([e.label for e in train]), torch.tensor([e.label for e in dev])
    train_texts, dev_texts = [e.text for e in train], [e.text for e in dev]
    probe = train_probe(encode(model, tokenizer, train_texts), labels, 2, **PROBE)
    frozen = accuracy(probe.predict(encode(model, tokenizer, dev_texts)), gold)
    bow = train_probe(bag_of_words(train_texts, train_texts), labels, 2, **PROBE)
    return {"frozen mean pooling": frozen, "bag of words": accuracy(bow.predict(bag_of_words(train_texts, dev_texts)), gold)}


def fine_tuned_sentiment(train: list[TextExample], dev: list[TextExample], seed: int) -> float:
    tokenizer = BertTokenizer.from_pretrained("minilm")
    torch.manual_seed(seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BertForSequenceClassification.from_pretrained("minilm", num_labels=2)
    model.train()
    s = SENTIMENT_SETTINGS
    rng = random.Random(seed)
    order = [i for _ in range(s["epochs"]) for i in rng.sample(range(len(train)), len(train))]
    steps = len(order) // s["batch_size"]
    warmup = max(1, int(s["warmup_ratio"] * steps))
    optimizer = torch.optim.AdamW(model.parameters(), lr=s["lr"], weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda k: min(1.0, (k + 1) / warmup) * max(0.0, (steps - k) / max(1, steps - warmup)))
    for step in range(steps):
        chunk = [train[i] for i in order[step * s["batch_size"]:(step + 1) * s["batch_size"]]]
        enc = tokenizer([e.text for e in chunk], padding=True, return_tensors="pt")
        model(**enc, labels=torch.tensor([e.label for e in chunk])).loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    model.eval()
    right = 0
    with torch.no_grad():
        for start in range(0, len(dev), 64):
            chunk = dev[start:start + 64]
            enc = tokenizer([e.text for e in chunk], padding=True, return_tensors="pt")
            right += (model(**enc).logits.argmax(-1) == torch.tensor([e.label for e in chunk])).sum().item()
    return right / len(dev)


def run(**options: Any) -> dict[str, Any]:
    seeds = options.get("seeds", SEEDS)
    tokenizer, model = BertTokenizer.from_pretrained("minilm"), BertModel.from_pretrained("minilm")
    ner_train, ner_dev, label_names = ner_splits()
    dev_vectors = word_vectors(model, tokenizer, [e.tokens for e in ner_dev])
    sentiment_train, sentiment_dev = sentiment_splits()
    ner, sentiment = [], []
    for seed in tqdm(seeds, desc=NAME):
        train = sample(ner_train, NER_SETTINGS["train_sentences"], seed)
        ner.append({"seed": seed, "fine-tuned": fine_tuned_ner_f1(train, ner_dev, label_names, seed),
                    **feature_based_ner(train, ner_dev, label_names, model, tokenizer, dev_vectors)})
        train = sample(sentiment_train, SENTIMENT_SETTINGS["train_sentences"], seed)
        sentiment.append({"seed": seed, "fine-tuned": fine_tuned_sentiment(train, sentiment_dev, seed),
                          **frozen_sentiment(train, sentiment_dev, model, tokenizer)})
    return {"settings": {"ner": NER_SETTINGS, "sentiment": SENTIMENT_SETTINGS, "probe": PROBE, "seeds": seeds},
            "ner_dev_sentences": len(ner_dev), "sentiment_dev_reviews": len(sentiment_dev),
            "ner": ner, "sentiment": sentiment}
