"""Sentiment reviews in SST-2's format (``sentence<TAB>label``, 0 = negative, 1 = positive).

Reviews of films, books, restaurants, hotels and trips (and, held out, concerts and games). Each review
is built from clauses whose polarity is an opinion word's polarity flipped by negation ("not bad at
all" is positive, "far from great" is negative), and many reviews join two clauses of opposite polarity
with a contrast, where the clause after "but" / the main clause after "although" decides ("the acting
was great but the plot was boring" is negative). A bag of words sees the same words in both classes,
so word order and scope have to be learned. Labels are balanced exactly in every split.

Held out: dev and test review other things than training does (no subject or aspect of a dev review,
"the soundtrack", "the concert", occurs in training; cities come from the world's held-out part), half
of their clauses use opinion words training never uses ("splendid", "tedious"), and a third of them
use clause shapes, contrasts and verdicts training never uses ("... ; however , ...", "while ...").
Scoring them needs what an opinion word means and how a contrast works, not which words training
labelled.

``python -m minibert.course.datagen.task_sentiment`` writes ``data/tasks/sentiment/{train,dev,test}.tsv``.
"""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

from .task_common import SEED, SPLITS, draw_unique, main, write_tsv
from .world import NEGATIVE_ADJECTIVES, POSITIVE_ADJECTIVES
from .world_split import world_part

SIZES = (4000, 500, 500)
TASK = "sentiment"

# What is reviewed (subjects) and the aspects one can have an opinion about, per domain; training's and
# the held-out ones never share a phrase.
Domains = dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
TRAIN_DOMAINS: Domains = {
    "film": (("the film", "the movie", "the new thriller", "the comedy"),
             ("the acting", "the plot", "the music", "the ending", "the dialogue", "the cast")),
    "book": (("the book", "this novel", "the biography"),
             ("the writing", "the characters", "the first chapter", "the pictures", "the translation")),
    "restaurant": (("the restaurant", "the pizza place", "the bakery"),
                   ("the food", "the service", "the dessert", "the coffee", "the soup", "the bread")),
    "hotel": (("the hotel", "the guest house"), ("the room", "the staff", "the breakfast", "the view", "the bed")),
    "trip": (("the trip", "the tour", "our holiday"), ("the guide", "the weather", "the bus", "the beach")),
}
HELD_OUT_DOMAINS: Domains = {
    "film": (("this film", "the documentary", "the cartoon"),
             ("the story", "the soundtrack", "the special effects", "the script", "the costumes")),
    "book": (("the new novel", "the cookbook"), ("the recipes", "the poems", "the last chapter", "the cover")),
    "restaurant": (("this cafe", "the new bistro", "the noodle bar"),
                   ("the wine", "the waiters", "the menu", "the pasta", "the prices")),
    "hotel": (("this hostel", "the resort"), ("the pool", "the location", "the wifi", "the reception")),
    "trip": (("the cruise", "the excursion"), ("the museum visit", "the ferry", "the boat", "the old town")),
    "concert": (("the concert", "the festival", "the show"), ("the band", "the singer", "the sound", "the lights")),
    "game": (("the game", "the new console"), ("the graphics", "the controls", "the levels", "the battery")),
}
PLURAL_ASPECTS = {"the special effects", "the characters", "the pictures", "the costumes", "the recipes",
                  "the poems", "the waiters", "the prices", "the lights", "the graphics", "the controls", "the levels"}
PLACE_PREPOSITION = {"restaurant": "in", "hotel": "in", "trip": "to"}  # "the hotel in lisbon"

POSITIVE = POSITIVE_ADJECTIVES + ("good", "superb", "charming", "fun", "pleasant")
NEGATIVE = NEGATIVE_ADJECTIVES + ("bad", "awful", "bland", "messy", "slow")
HELD_OUT_POSITIVE = ("splendid", "terrific", "outstanding", "impressive", "marvellous", "fabulous")
HELD_OUT_NEGATIVE = ("tedious", "mediocre", "unpleasant", "clumsy", "lousy", "miserable")
# Negations: "X was {neg} {adjective}" flips the adjective's polarity.
NEGATIONS = ("not", "never", "far from", "hardly", "not at all")
# Clause shapes; {a} is an aspect, {v} "was"/"is", {adj} the opinion word with its negation.
CLAUSES = ("{a} {v} {adj}", "{a} {v} really {adj}", "i thought {a} {v} {adj}", "i found that {a} {v} {adj}")
HELD_OUT_CLAUSES = ("{a} {v} quite {adj}", "to me , {a} {v} {adj}", "i felt that {a} {v} {adj}")
VERDICTS = {1: ("i would recommend it to everyone", "i loved it", "i will go back", "a real pleasure",
                "worth every penny", "i enjoyed every minute"),
            0: ("i would not recommend it to anyone", "i hated it", "i will not go back", "a waste of time",
                "not worth the money", "i did not enjoy a single minute")}
HELD_OUT_VERDICTS = {1: ("i cannot wait to go again", "money well spent"),
                     0: ("i want my money back", "never again")}
HELD_OUT_SHARE = 1 / 3  # of dev and test reviews and clauses: in a shape training never uses


def _clause(rng: random.Random, aspect: str, polarity: int, past: bool, held_out: bool) -> str:
    """A clause about ``aspect`` whose meaning has ``polarity``, with or without negation."""
    negated = rng.random() < 0.4
    positive, negative = (HELD_OUT_POSITIVE, HELD_OUT_NEGATIVE) if held_out and rng.random() < 0.5 else \
        (POSITIVE, NEGATIVE)
    words = (negative if polarity == 1 else positive) if negated else (positive if polarity == 1 else negative)
    adjective = rng.choice(words)
    if negated:
        negation = rng.choice(NEGATIONS)
        adjective = f"not {adjective} at all" if negation == "not at all" else f"{negation} {adjective}"
    shapes = HELD_OUT_CLAUSES if held_out and rng.random() < HELD_OUT_SHARE else CLAUSES
    shapes = [c for c in shapes if not (negated and ("really" in c or "quite" in c))  # not "really hardly great"
              and (past or not c.startswith("i "))]                                 # not "i thought the plot is"
    verb = ("were" if past else "are") if aspect in PLURAL_ASPECTS else ("was" if past else "is")
    return rng.choice(shapes).format(a=aspect, v=verb, adj=adjective)


def review(rng: random.Random, label: int, split: str = "train") -> str:
    """One lower-cased, SST-2-style tokenised review with sentiment ``label``, about the split's targets."""
    held_out = split != "train"
    domains = HELD_OUT_DOMAINS if held_out else TRAIN_DOMAINS
    domain = rng.choice(sorted(domains))
    subjects, aspects = domains[domain]
    subject = rng.choice(subjects)
    if domain in PLACE_PREPOSITION and rng.random() < 0.4:  # "the hotel in lisbon"
        subject = f"{subject} {PLACE_PREPOSITION[domain]} {rng.choice(world_part(split).cities).name.lower()}"
    first, second = rng.sample(aspects, 2)
    past = rng.random() < 0.6

    def clause(aspect: str, polarity: int) -> str:
        return _clause(rng, aspect, polarity, past, held_out)

    good, bad = clause(first, label), clause(second, 1 - label)  # the one that decides, the other one
    shape = rng.random()
    if shape < 0.2:  # one clause about the whole thing
        return clause(subject, label) + " ."
    if held_out and rng.random() < HELD_OUT_SHARE:  # a contrast or verdict training never shows
        if shape < 0.3:
            text = f"{good} ; {rng.choice(HELD_OUT_VERDICTS[label])}"
        elif shape < 0.55:
            text = f"{bad} ; however , {good}"
        elif shape < 0.75:
            text = f"while {bad} , {good}"
        else:
            text = f"{bad} , yet {good}"
    elif shape < 0.3:  # a verdict after a clause that agrees with it
        text = f"{good} ; {rng.choice(VERDICTS[label])}"
    elif shape < 0.7:  # contrast: the clause after "but" decides
        text = f"{bad} but {good}"
    elif shape < 0.85:  # "although A , B": the main clause B decides
        text = f"although {bad} , {good}"
    else:  # "B , even though A": the main clause comes first
        text = f"{good} , even though {bad}"
    if rng.random() < 0.3:
        text = f"{subject} : {text}"
    return text + " ."


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.tsv`` (header ``sentence<TAB>label``); each split half positive."""
    rng = random.Random(seed)
    seen: set[str] = set()
    report = {}
    for name, size in zip(SPLITS, sizes):
        rows = [(text, label) for label in (0, 1)
                for text in draw_unique(lambda r, label=label: review(r, label, name), size // 2, rng, seen=seen)]
        rng.shuffle(rows)
        write_tsv(Path(out_dir) / f"{name}.tsv", rows, header=("sentence", "label"))
        report[name] = dict(sorted(Counter(label for _, label in rows).items()))
    return report


if __name__ == "__main__":
    main(write, TASK)
