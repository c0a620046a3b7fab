"""Sentiment reviews in SST-2's format (``sentence<TAB>label``, 0 = negative, 1 = positive).

Reviews of films, books, restaurants, hotels and trips. Each review is built from clauses whose
polarity is an opinion word's polarity flipped by negation ("not bad at all" is positive, "far from
great" is negative), and many reviews join two clauses of opposite polarity with a contrast, where
the clause after "but" / the main clause after "although" decides ("the acting was great but the plot
was boring" is negative). A bag of words sees the same words in both classes, so word order and scope
have to be learned. Labels are balanced exactly in every split.

``python -m minibert.course.datagen.task_sentiment`` writes ``data/tasks/sentiment/{train,dev,test}.tsv``.
"""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from .task_common import SEED, draw_unique, main, write_tsv
from .world import CITIES, NEGATIVE_ADJECTIVES, POSITIVE_ADJECTIVES

SIZES = (4000, 500, 500)
TASK = "sentiment"

# What is reviewed, and the aspects one can have an opinion about.
DOMAINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "film": (("the film", "the movie", "this film", "the new thriller", "the comedy", "the documentary"),
             ("the acting", "the plot", "the music", "the ending", "the dialogue", "the story", "the soundtrack",
              "the special effects", "the cast", "the script")),
    "book": (("the book", "this novel", "the new novel", "the biography", "the cookbook"),
             ("the writing", "the story", "the characters", "the ending", "the first chapter", "the pictures",
              "the translation")),
    "restaurant": (("the restaurant", "this cafe", "the new bistro", "the pizza place", "the bakery"),
                   ("the food", "the service", "the dessert", "the staff", "the coffee", "the soup", "the wine",
                    "the bread", "the music")),
    "hotel": (("the hotel", "this hostel", "the guest house"),
              ("the room", "the staff", "the breakfast", "the view", "the bed", "the pool", "the location",
               "the wifi")),
    "trip": (("the trip", "the tour", "our holiday", "the cruise"),
             ("the guide", "the weather", "the hotel", "the food", "the bus", "the museum visit", "the beach")),
}
POSITIVE = POSITIVE_ADJECTIVES + ("good", "superb", "charming", "fun", "pleasant")
NEGATIVE = NEGATIVE_ADJECTIVES + ("bad", "awful", "bland", "messy", "slow")
# Negations: "X was {neg} {adjective}" flips the adjective's polarity.
NEGATIONS = ("not", "never", "far from", "hardly", "not at all")
# Clause shapes; {a} is an aspect, {v} "was"/"is", {adj} the opinion word with its negation.
CLAUSES = ("{a} {v} {adj}", "{a} {v} really {adj}", "i thought {a} {v} {adj}", "i found that {a} {v} {adj}")
PLURAL_ASPECTS = {"the special effects", "the characters", "the pictures"}
PLACE_PREPOSITION = {"restaurant": "in", "hotel": "in", "trip": "to"}  # "the hotel in lisbon"
VERDICTS = {1: ("i would recommend it to everyone", "i loved it", "i will go back", "a real pleasure",
                "worth every penny", "i enjoyed every minute"),
            0: ("i would not recommend it to anyone", "i hated it", "i will not go back", "a waste of time",
                "not worth the money", "i did not enjoy a single minute")}


def _clause(rng: random.Random, aspect: str, polarity: int, past: bool) -> str:
    """A clause about ``aspect`` whose meaning has ``polarity``, with or without negation."""
    negated = rng.random() < 0.4
    words = (NEGATIVE if polarity == 1 else POSITIVE) if negated else (POSITIVE if polarity == 1 else NEGATIVE)
    adjective = rng.choice(words)
    if negated:
        negation = rng.choice(NEGATIONS)
        adjective = f"not {adjective} at all" if negation == "not at all" else f"{negation} {adjective}"
    shapes = [c for c in CLAUSES if not (negated and "really" in c)  # not "really hardly great"
              and (past or not c.startswith("i "))]                # not "i thought the plot is"
    verb = ("were" if past else "are") if aspect in PLURAL_ASPECTS else ("was" if past else "is")
    return rng.choice(shapes).format(a=aspect, v=verb, adj=adjective)


def review(rng: random.Random, label: int) -> str:
    """One lower-cased, SST-2-style tokenised review with sentiment ``label``."""
    domain = rng.choice(sorted(DOMAINS))
    subjects, aspects = DOMAINS[domain]
    subject = rng.choice(subjects)
    if domain in PLACE_PREPOSITION and rng.random() < 0.4:  # "the hotel in lisbon"
        subject = f"{subject} {PLACE_PREPOSITION[domain]} {rng.choice(CITIES).name.lower()}"
    first, second = rng.sample(aspects, 2)
    past = rng.random() < 0.6

    def clause(aspect: str, polarity: int) -> str:
        return _clause(rng, aspect, polarity, past)

    shape = rng.random()
    if shape < 0.2:  # one clause about the whole thing
        return clause(subject, label) + " ."
    if shape < 0.3:  # a verdict after a clause that agrees with it
        text = f"{clause(first, label)} ; {rng.choice(VERDICTS[label])}"
    elif shape < 0.7:  # contrast: the clause after "but" decides
        text = f"{clause(first, 1 - label)} but {clause(second, label)}"
    elif shape < 0.85:  # "although A , B": the main clause B decides
        text = f"although {clause(first, 1 - label)} , {clause(second, label)}"
    else:  # "B , even though A": the main clause comes first
        text = f"{clause(first, label)} , even though {clause(second, 1 - label)}"
    if rng.random() < 0.3:
        text = f"{subject} : {text}"
    return text + " ."


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.tsv`` (header ``sentence<TAB>label``); each split half positive."""
    rng = random.Random(seed)
    seen: set[str] = set()
    report = {}
    for name, size in zip(("train", "dev", "test"), sizes):
        rows = [(text, label) for label in (0, 1)
                for text in draw_unique(lambda r, label=label: review(r, label), size // 2, rng, seen=seen)]
        rng.shuffle(rows)
        write_tsv(Path(out_dir) / f"{name}.tsv", rows, header=("sentence", "label"))
        report[name] = dict(sorted(Counter(label for _, label in rows).items()))
    return report


if __name__ == "__main__":
    main(write, TASK)
