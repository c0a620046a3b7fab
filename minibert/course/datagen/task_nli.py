"""NLI pairs in SNLI's JSON-lines format (``sentence1``, ``sentence2``, ``gold_label``, ``pairID``...).

Like SNLI, each premise (a scene: someone playing a sport in a city, an animal asleep in a room, a meal,
a worker, a visit) gets one hypothesis of each label, so labels are balanced exactly:

    A man is playing football in Paris.  /  A person is playing a sport.       entailment
                                         /  The man is playing with friends.   neutral
                                         /  Nobody is playing.                 contradiction

Hypotheses need the world's facts (Paris is in France, so "The man is in Japan." contradicts) and
mix negation into every label ("The man is not sleeping." is an entailment), so "not" alone does not
give the answer away. The training split also holds a few rows whose annotators disagreed, labelled
``-`` as in SNLI, which loaders must skip and count. Premises never repeat across splits.

``python -m minibert.course.datagen.task_nli`` writes ``data/tasks/nli/{train,dev,test}.jsonl``.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, draw_unique, main, write_jsonl
from .world import (ANIMALS, CITIES, COUNTRY, FEMALE_NAMES, FOODS, MALE_NAMES, PROFESSIONS, RELATIVES,
                    RESTING_PLACES, ROOMS, SPORTS)

N_PREMISES = (1334, 167, 167)  # x 3 hypotheses: 4002 / 501 / 501 labelled pairs
N_DISAGREED = 24               # extra "-" rows in train
TASK = "nli"
LABELS = ("entailment", "neutral", "contradiction")


@dataclass(frozen=True)
class Act:
    text: str         # "playing football", "eating sushi", "sleeping on the sofa"
    general: str      # what "Nobody is ..." negates: "playing", "eating", "sleeping"


@dataclass(frozen=True)
class Scene:
    premise: str
    ref: str          # how hypotheses refer back to the subject: "The man", "Anna", "The cat"
    act: Act
    places: tuple[str, ...]       # where the subject is: ("Paris", "France") or ("the kitchen",)
    other_places: tuple[str, ...]  # where it is not
    others: tuple[Act, ...]       # acts it cannot be doing at the same time
    kind: str                     # "A person is playing a sport." / "An animal is sleeping."
    extras: tuple[str, ...]       # details the premise does not give: "with friends"
    disputed: tuple[str, ...]     # hypotheses annotators disagree on ("is having fun")


def _person_acts(rng: random.Random) -> list[Act]:
    acts = [Act(f"playing {s.name}", "playing") if s.verb == "play" else Act(s.name, s.name) for s in SPORTS]
    acts += [Act(f"eating {rng.choice([f.name for f in FOODS if f.kind == 'dish'])}", "eating"),
             Act("sleeping at home", "sleeping"), Act("cooking dinner", "cooking"), Act("reading a book", "reading")]
    return acts + [Act(f"working at {a_or_an(p.workplace)}", "working") for p in rng.sample(PROFESSIONS, 3)]


def _person_scene(rng: random.Random) -> Scene:
    female = rng.random() < 0.5
    poss = "her" if female else "his"
    city = rng.choice(CITIES)
    country = COUNTRY[city.country]
    elsewhere = rng.sample([c for c in CITIES if c.country != city.country], 2)
    if rng.random() < 0.5:
        intro = ref = rng.choice(FEMALE_NAMES if female else MALE_NAMES)
    else:
        noun = rng.choice(("woman", "girl") if female else ("man", "boy"))
        intro, ref = f"A {noun}", f"The {noun}"
    shape = rng.random()
    if shape < 0.45:
        sport = rng.choice(SPORTS)
        act = Act(f"playing {sport.name}", "playing") if sport.verb == "play" else Act(sport.name, sport.name)
        premise, kind = f"{intro} is {act.text} in {city.name}.", "A person is doing a sport."
    elif shape < 0.65:
        dish = rng.choice([country.dish] + [f.name for f in FOODS if f.kind == "dish"])
        act = Act(f"eating {dish}", "eating")
        premise, kind = f"{intro} is {act.text} in a restaurant in {city.name}.", "A person is having a meal."
    elif shape < 0.85:
        job = rng.choice(PROFESSIONS)
        act = Act(f"working at {a_or_an(job.workplace)}", "working")
        if intro[0] != "A":
            intro = f"{intro}, {a_or_an(job.name)},"
        premise, kind = f"{intro} is {act.text} in {city.name}.", "A person is at work."
    else:
        city = rng.choice([c for c in CITIES if c.landmark and c.country not in (e.country for e in elsewhere)])
        country = COUNTRY[city.country]
        sight = city.landmark.replace("its ", "the ", 1)  # "its canals" -> "the canals in Venice"
        act = Act(f"looking at {sight}", f"looking at {sight}")
        premise, kind = f"{intro} is {act.text} in {city.name}.", "A person is sightseeing."
    others = tuple(a for a in _person_acts(rng) if a.general != act.general)
    extras = ("with friends", "for the first time", f"with {poss} {rng.choice(RELATIVES)}", "on a Sunday")
    return Scene(premise, ref, act, (city.name, country.display),
                 tuple(x for e in elsewhere for x in (e.name, COUNTRY[e.country].display)), others, kind, extras,
                 (f"{ref} is having fun.", f"{ref} is enjoying the day."))


def _animal_scene(rng: random.Random) -> Scene:
    animal = rng.choice(ANIMALS)
    room, other_room = rng.sample([r for r in ROOMS if r != "garden"], 2)
    acts = [Act(f"sleeping on the {rng.choice(RESTING_PLACES)}", "sleeping"), Act(f"eating {animal.food}", "eating"),
            Act("playing with a ball", "playing"), Act("drinking water", "drinking")]
    act = rng.choice(acts)
    premise = f"{capitalize(a_or_an(animal.name))} is {act.text} in the {room}."
    return Scene(premise, f"The {animal.name}", act, (f"the {room}",), (f"the {other_room}", "the garden"),
                 tuple(a for a in acts if a != act) + (Act("running in the garden", "running"),),
                 "An animal is in the house.", ("after a long walk", "next to its owner", "for the first time"),
                 (f"The {animal.name} is happy.", f"The {animal.name} is comfortable."))


def hypotheses(rng: random.Random, s: Scene) -> list[tuple[str, str]]:
    """Candidate (hypothesis, label) pairs for a scene. The same frames give different labels with
    different fillers ("The man is in France." / "The man is in Japan."), so the hypothesis alone
    does not tell the label."""
    other = rng.choice(s.others)
    place, away = rng.choice(s.places), rng.choice(s.other_places)
    extra = rng.choice(s.extras)
    return [
        (f"{s.ref} is {s.act.text}.", "entailment"), (f"{s.ref} is {other.text}.", "contradiction"),
        (f"{s.ref} is not {other.text}.", "entailment"), (f"{s.ref} is not {s.act.text}.", "contradiction"),
        (f"{s.ref} is {s.act.text} {extra}.", "neutral"), (f"{s.ref} is {other.text} {extra}.", "contradiction"),
        (f"{s.ref} is in {place}.", "entailment"), (f"{s.ref} is in {away}.", "contradiction"),
        (f"Nobody is {s.act.general}.", "contradiction"), (f"Nobody is {other.general}.", "neutral"),
        (f"Someone is {s.act.text} in {place}.", "entailment"), (f"Someone is {s.act.text} in {away}.", "neutral"),
        (f"Someone is {other.text} in {place}.", "neutral"), (s.kind, "entailment"),
    ]


def _scene(rng: random.Random) -> Scene:
    return (_animal_scene if rng.random() < 0.25 else _person_scene)(rng)


def _row(pair_id: str, premise: str, hypothesis: str, gold: str, annotators: list[str]) -> dict:
    return {"annotator_labels": annotators, "captionID": pair_id.rsplit("r", 1)[0], "gold_label": gold,
            "pairID": pair_id, "sentence1": premise, "sentence2": capitalize(hypothesis)}


def write(out_dir: Path, seed: int = SEED, n_premises: tuple[int, int, int] = N_PREMISES,
          n_disagreed: int = N_DISAGREED) -> dict:
    """Write ``train/dev/test.jsonl``: one entailment, neutral and contradiction per premise, in a
    shuffled order; ``n_disagreed`` extra "-" rows in train. Returns gold label counts per split."""
    rng = random.Random(seed)
    seen: set[str] = set()
    report = {}
    for split_name, n in zip(SPLITS, n_premises):
        extra = n_disagreed if split_name == "train" else 0
        scenes = draw_unique(_scene, n + extra, rng, key=lambda s: s.premise, seen=seen)
        rows = []
        for i, scene in enumerate(scenes):
            caption = f"course-{split_name}-{i}"
            if i >= n:  # annotators disagreed: two said one thing, two another, one a third
                votes = ["entailment", "entailment", "neutral", "neutral", "contradiction"]
                rng.shuffle(votes)
                rows.append(_row(f"{caption}r1x", scene.premise, rng.choice(scene.disputed), "-", votes))
                continue
            candidates = hypotheses(rng, scene)
            for label in LABELS:
                hypothesis = rng.choice([h for h, gold in candidates if gold == label])
                rows.append(_row(f"{caption}r1{label[0]}", scene.premise, hypothesis, label, [label]))
        rng.shuffle(rows)
        write_jsonl(Path(out_dir) / f"{split_name}.jsonl", rows)
        report[split_name] = dict(sorted(Counter(r["gold_label"] for r in rows).items()))
    return report


if __name__ == "__main__":
    main(write, TASK)
