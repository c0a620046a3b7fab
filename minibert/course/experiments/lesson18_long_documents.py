"""Lesson 18: classifying documents longer than the window, when the deciding sentence can be anywhere.

A document is one held-out review (the sentiment task's dev split: its label is the document's) hidden among
neutral sentences of the held-out course corpus (``course_corpus("dev")``, without any opinion word), placed
at a random token offset, for a document of about ``length`` MiniLM tokens. Lesson 18's teacher (trained on
single reviews) reads each document through a window of ``max_length`` tokens: truncated to its beginning,
only its end, or in overlapping windows whose logits are pooled (``minibert.long_documents``). The margin
``z_positive - z_negative`` of every window is stored too, with whether the window holds the whole review, so
the lesson can ask what the windows without the review say. Several seeds of documents; the lesson re-builds
seed 0 and re-reads its first documents live.
"""
from __future__ import annotations

import random
import re
from typing import Any

import torch
from tqdm.auto import tqdm

from minibert.course.corpus import course_corpus
from minibert.course.datagen.task_sentiment import HELD_OUT_NEGATIVE, HELD_OUT_POSITIVE, NEGATIVE, POSITIVE
from minibert.course.experiments.lesson18_distillation import load_teacher, minilm_tokenizer, sentiment
from minibert.long_documents import POOLINGS, classify_long, window_features, window_logits

NAME = "lesson18_long_documents"
SETTINGS = dict(length=600, max_length=128, stride=32, documents=48, seeds=3)
# Words that carry an opinion: a neutral filler sentence has none of them.
OPINION = frozenset(POSITIVE + NEGATIVE + HELD_OUT_POSITIVE + HELD_OUT_NEGATIVE) | frozenset(
    "great lovely love loved enjoy enjoyed happy sad favorite favourite best worst beautiful delicious "
    "terrible wonderful nice angry proud sorry excited fun tired funny".split())


def neutral_sentences() -> list[str]:
    """Sentences of the held-out corpus with no opinion word."""
    return [s for doc in course_corpus("dev") for s in doc
            if not OPINION & set(re.findall(r"[a-z]+", s.lower()))]


def make_documents(seed: int, n: int, settings: dict[str, Any] = SETTINGS) -> list[dict[str, Any]]:
    """``n`` documents: a dev review at a random offset among neutral sentences, about ``length`` tokens."""
    rng, tok = random.Random(seed), minilm_tokenizer()
    fillers, reviews = neutral_sentences(), sentiment("dev")
    size = {s: len(tok.tokenize(s)) for s in fillers}
    documents = []
    for review in rng.sample(reviews, n):
        review_tokens = len(tok.tokenize(review.text))
        offset = rng.randrange(settings["length"] - review_tokens)  # where the review should start
        before, after, count = [], [], 0
        while count < offset:
            before.append(rng.choice(fillers))
            count += size[before[-1]]
        start, count = count, count + review_tokens
        while count < settings["length"]:
            after.append(rng.choice(fillers))
            count += size[after[-1]]
        documents.append({"text": " ".join(before + [review.text] + after), "label": review.label,
                          "review_start": start, "review_tokens": review_tokens, "tokens": count})
    return documents


def read(model: torch.nn.Module, documents: list[dict[str, Any]], settings: dict[str, Any] = SETTINGS
         ) -> dict[str, list[int]]:
    """Each way of reading's predicted label for each document."""
    logits = classify_long(model, minilm_tokenizer(), [d["text"] for d in documents], settings["max_length"],
                           settings["stride"])
    return {how: values.argmax(-1).tolist() for how, values in logits.items()}


def holds_review(document: dict[str, Any], settings: dict[str, Any] = SETTINGS) -> list[bool]:
    """For each window of the document, whether the whole review lies inside it (token positions of the text)."""
    piece = settings["max_length"] - 2
    step = piece - settings["stride"]
    start, end = document["review_start"], document["review_start"] + document["review_tokens"]
    n_windows = len(window_features(minilm_tokenizer(), document["text"], settings["max_length"], settings["stride"]))
    return [w * step <= start and end <= w * step + piece for w in range(n_windows)]


def run() -> dict[str, Any]:
    torch.set_num_threads(1)
    s, teacher, runs = SETTINGS, load_teacher(), []
    for seed in tqdm(range(s["seeds"]), desc=NAME):
        documents = make_documents(seed, s["documents"])
        predictions = read(teacher, documents)
        windows = window_logits(teacher, minilm_tokenizer(), [d["text"] for d in documents], s["max_length"], s["stride"])
        runs.append({"seed": seed, "labels": [d["label"] for d in documents],
                     "review_start": [d["review_start"] for d in documents], "tokens": [d["tokens"] for d in documents],
                     "window_margins": [[round(float(m), 2) for m in w[:, 1] - w[:, 0]] for w in windows],
                     "holds_review": [holds_review(d) for d in documents],
                     "predictions": predictions,
                     "accuracy": {how: sum(p == d["label"] for p, d in zip(predictions[how], documents)) / len(documents)
                                  for how in POOLINGS}})
    return {"settings": s, "runs": runs}
