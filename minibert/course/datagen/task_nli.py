"""NLI pairs in SNLI's JSON-lines format (``sentence1``, ``sentence2``, ``gold_label``, ``pairID``...).

Like SNLI, each premise (a scene: someone playing a sport, eating, working or sightseeing, or an animal
in a room) gets one hypothesis of each label, so labels are balanced exactly. A premise states some
details and leaves others out, and a hypothesis asks about one detail:

    A man in a red jacket is playing football in Lyon.  /  The man is wearing a red jacket.    entailment
                                                        /  The man is not in France.           contradiction
                                                        /  The man is playing football with his sister.  neutral

The same hypothesis takes every label with some premise: it is entailed when the premise states the
same detail, contradicted when the premise states another value ("a blue jacket", "in Oslo", another
activity), neutral when the premise does not say. The hypotheses' fillers are drawn from the same
lists whatever the label, so the hypothesis alone does not tell the label; some need the world's facts
(Lyon is in France). The training split also holds a few rows whose annotators disagreed, labelled
``-`` as in SNLI, which loaders must skip and count. Premises never repeat across splits.

Held out: dev and test scenes name people, cities and countries from the world's held-out part
(``world_split.HELD_OUT_PART``) only, and a third of their premises and hypotheses are worded in ways training
never uses ("In Bergen, a woman ...", "has a red hat on").

``python -m minibert.course.datagen.task_nli`` writes ``data/tasks/nli/{train,dev,test}.jsonl``.
"""
from __future__ import annotations

import dataclasses
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .task_common import SEED, SPLITS, a_or_an, capitalize, draw_unique, main, write_jsonl
from .world import ANIMALS, COUNTRY, FOODS, PROFESSIONS, RELATIVES, RESTING_PLACES, ROOMS, SPORTS, City
from .world_split import world_part

N_PREMISES = (2000, 167, 167)  # x 3 hypotheses: 6000 / 501 / 501 labelled pairs
N_DISAGREED = 24               # extra "-" rows in train
TASK = "nli"
LABELS = ("entailment", "neutral", "contradiction")
COLOURS = ("red", "blue", "green", "yellow", "black", "white", "grey", "brown")
ANIMAL_COLOURS = ("black", "white", "grey", "brown")
GARMENTS = ("shirt", "jacket", "hat", "coat", "scarf", "cap")
HELD_OUT_SHARE = 1 / 3         # of dev and test premises and hypotheses: worded as training never is


@dataclass(frozen=True)
class Act:
    text: str         # "playing football", "eating sushi", "sleeping on the sofa"
    general: str      # what two acts must differ in to be incompatible: "playing", "eating", "sleeping"


@dataclass(frozen=True)
class Scene:
    premise: str
    ref: str                        # how hypotheses refer back to the subject: "The man", "Anna", "The cat"
    act: Act
    new_act: Callable[[], Act]      # another act, drawn like the premise's, that cannot happen with it
    colours: dict[str, str | None]  # garment -> its colour, for what the premise mentions ({"": "black"}: the cat)
    garments: tuple[str, ...]       # what a hypothesis may ask about ("" for an animal's own colour)
    place: tuple[str, ...] | None   # where the premise says it is ("Lyon", "France"), or None
    origin: tuple[str, ...] | None  # where the premise says a person comes from, or None
    new_place: Callable[[], str]    # a place elsewhere (a city, a country, a room)
    company: str | None             # "his sister" when the premise says so
    companions: tuple[str, ...]     # the companions a hypothesis may name
    disputed: tuple[str, ...]       # hypotheses annotators disagree on ("is having fun")


def _person_act(rng: random.Random, city: City) -> Act:
    """What a person in a premise is doing (drawn the same way for the premise and for its rivals)."""
    shape = rng.random()
    if shape < 0.45:
        sport = rng.choice(SPORTS)
        return Act(f"playing {sport.name}", sport.name) if sport.verb == "play" else Act(sport.name, sport.name)
    if shape < 0.65:
        dish = rng.choice([COUNTRY[city.country].dish] + [f.name for f in FOODS if f.kind == "dish"])
        return Act(f"eating {dish}", "eating")
    if shape < 0.85:
        job = rng.choice(PROFESSIONS)
        return Act(f"working at {a_or_an(job.workplace)}", f"working at {job.workplace}")
    return Act(rng.choice(("sleeping", "reading a book", "cooking dinner", "painting a picture")), "resting")


def _rival(draw: Callable[[], Act], act: Act) -> Act:
    """Another act drawn by ``draw``, one that cannot happen at the same time as ``act``."""
    while (other := draw()).general == act.general:
        pass
    return other


def _clothes(rng: random.Random) -> dict[str, str | None]:
    """What a person wears in a premise: nothing said, or one or two garments, most with a colour."""
    n = rng.choice((0, 1, 1, 2))
    garments = rng.sample(GARMENTS, n)
    colours = rng.sample(COLOURS, n)
    return {g: (c if rng.random() < 0.6 else None) for g, c in zip(garments, colours)}


def _worn(colours: dict[str, str | None]) -> str:
    """ "a red jacket and a hat" """
    return " and ".join(a_or_an(f"{c} {g}" if c else g) for g, c in colours.items())


def _person_scene(rng: random.Random, split: str) -> Scene:
    part, held_out = world_part(split), split != "train" and rng.random() < HELD_OUT_SHARE
    female = rng.random() < 0.5
    poss = "her" if female else "his"
    city = rng.choice(part.cities)
    home = rng.choice([c for c in part.cities if c.country != city.country]) if rng.random() < 0.4 else None
    act = _person_act(rng, city)
    named = rng.random() < 0.5
    if named:
        intro = ref = rng.choice(part.female_names if female else part.male_names)
    else:
        noun = rng.choice(("woman", "girl") if female else ("man", "boy"))
        intro, ref = f"A {noun}", f"The {noun}"
    colours = _clothes(rng)
    here = rng.random() < 0.6
    company = f"{poss} {rng.choice(RELATIVES)}" if rng.random() < 0.4 else None
    where, with_ = (f" in {city.name}" if here else ""), (f" with {company}" if company else "")
    origin = f" from {home.name}" if home else ""
    if held_out and here:  # the place first: "In Bergen, a woman in a red hat is ..."
        subject = intro if named else intro.lower()
        worn = f", wearing {_worn(colours)}," if colours else ""
        premise = f"In {city.name}, {subject}{origin}{worn} is {act.text}{with_}."
    elif colours and named:
        premise = f"{intro}{origin}, wearing {_worn(colours)}, is {act.text}{where}{with_}."
    else:
        worn = f" in {_worn(colours)}" if colours else ""
        premise = f"{intro}{origin}{worn} is {act.text}{where}{with_}."

    def new_place() -> str:  # neither where the person is nor where they come from
        other = rng.choice([c for c in part.cities if c.country not in (city.country, home and home.country)])
        return rng.choice((other.name, COUNTRY[other.country].display))

    return Scene(premise, ref, act, lambda: _rival(lambda: _person_act(rng, city), act), colours, GARMENTS,
                 (city.name, COUNTRY[city.country].display) if here else None,
                 (home.name, COUNTRY[home.country].display) if home else None, new_place, company,
                 tuple(f"{poss} {r}" for r in RELATIVES), (f"{ref} is having fun.", f"{ref} is enjoying the day."))


def _animal_scene(rng: random.Random, split: str) -> Scene:
    animal = rng.choice(ANIMALS)
    rooms = [r for r in ROOMS if r != "garden"]
    room = rng.choice(rooms)

    def draw() -> Act:
        return rng.choice([Act(f"sleeping on the {rng.choice(RESTING_PLACES)}", "sleeping"),
                           Act(f"eating {animal.food}", "eating"), Act("playing with a ball", "playing"),
                           Act("drinking water", "drinking")])
    act = draw()
    look = rng.choice(ANIMAL_COLOURS) if rng.random() < 0.5 else None
    here = rng.random() < 0.6
    companions = ("its mother", f"another {animal.name}", "its owner")
    company = rng.choice(companions) if rng.random() < 0.4 else None
    premise = f"{capitalize(a_or_an(f'{look} {animal.name}' if look else animal.name))} is {act.text}" \
              + (f" in the {room}" if here else "") + (f" with {company}." if company else ".")
    return Scene(premise, f"The {animal.name}", act, lambda: _rival(draw, act), {"": look} if look else {}, ("",),
                 (f"the {room}",) if here else None, None,
                 lambda: f"the {rng.choice([r for r in rooms if r != room])}", company, companions,
                 (f"The {animal.name} is happy.", f"The {animal.name} is comfortable."))


def _wearing(s: Scene, garment: str, colour: str, negated: bool, held_out: bool) -> str:
    if not garment:  # an animal: "The cat is (not) black."
        return f"{s.ref} is {'not ' if negated else ''}{colour}."
    if held_out:
        return f"{s.ref} {'does not have' if negated else 'has'} {a_or_an(colour)} {garment} on."
    return f"{s.ref} is {'not ' if negated else ''}wearing {a_or_an(colour)} {garment}."


def _frames(rng: random.Random, s: Scene, held_out: bool) -> list[tuple[str, Callable[[], str]]]:
    """(label, make hypothesis) for every frame and label the scene allows. A frame's filler is drawn
    from the same list whatever the label, and premise words come back in every label ("a red jacket
    and a blue hat" -> "is wearing a blue jacket" contradicts), so neither the hypothesis alone nor the
    words it shares with the premise give the label away."""
    frames: list[tuple[str, Callable[[], str]]] = []
    said = [c for c in s.colours.values() if c]

    palette = COLOURS if s.garments != ("",) else ANIMAL_COLOURS

    def colour_near(avoid: str | None) -> str:  # often a colour the premise names, for another thing
        near = [c for c in said if c != avoid]
        return rng.choice(near) if near and rng.random() < 0.5 else rng.choice([c for c in palette if c != avoid])

    for negated in (False, True):
        yes, no = ("contradiction", "entailment") if negated else ("entailment", "contradiction")
        # the colour of something the premise mentions (or, once, of something it does not)
        unmentioned = [g for g in s.garments if g not in s.colours]
        for garment in list(s.colours) + rng.sample(unmentioned, min(1, len(unmentioned))):
            colour = s.colours.get(garment)
            if colour:
                frames += [(yes, lambda g=garment, c=colour, n=negated: _wearing(s, g, c, n, held_out)),
                           (no, lambda g=garment, c=colour, n=negated: _wearing(s, g, colour_near(c), n, held_out))]
            else:
                frames.append(("neutral", lambda g=garment, n=negated: _wearing(s, g, colour_near(None), n, held_out)))
        # where it is: a place it came from is not where it is
        is_in = f"{s.ref} is {'not ' if negated else ''}in"
        elsewhere = (lambda: rng.choice(s.origin)) if s.origin else s.new_place
        if s.place:
            frames += [(yes, lambda i=is_in: f"{i} {rng.choice(s.place)}."),
                       (no, lambda i=is_in, e=elsewhere: f"{i} {e()}.")]
        else:
            frames.append(("neutral", lambda i=is_in, e=elsewhere: f"{i} {e() if rng.random() < 0.5 else s.new_place()}."))
    if s.origin:
        frames += [("entailment", lambda: f"{s.ref} is from {rng.choice(s.origin)}."),
                   ("contradiction", lambda: f"{s.ref} is from {rng.choice(s.place or (s.new_place(),))}.")]
    elif s.garments != ("",):  # a person: where they come from is not said
        frames.append(("neutral", lambda: f"{s.ref} is from {rng.choice(s.place or (s.new_place(),))}."))
    # what it is doing, and with whom
    frames += [("entailment", lambda: f"{s.ref} is {s.act.text}."),
               ("contradiction", lambda: f"{s.ref} is {s.new_act().text}."),
               ("contradiction", lambda: f"{s.ref} is not {s.act.text}."),
               ("entailment", lambda: f"{s.ref} is not {s.new_act().text}.")]
    others = [c for c in s.companions if c != s.company]
    frames += [("neutral", lambda: f"{s.ref} is {s.act.text} with {rng.choice(others)}."),
               ("contradiction", lambda: f"{s.ref} is {s.new_act().text} with {rng.choice(s.companions)}.")]
    frames += [("neutral", lambda: f"{s.ref} is not {s.act.text} with {rng.choice(others)}."),
               ("entailment", lambda: f"{s.ref} is not {s.new_act().text} with {rng.choice(s.companions)}.")]
    if s.company:
        frames += [("entailment", lambda: f"{s.ref} is {s.act.text} with {s.company}."),
                   ("contradiction", lambda: f"{s.ref} is not {s.act.text} with {s.company}.")]
        for garment, colour in s.colours.items():  # the companion's clothes are not described
            if colour:
                swapped = dataclasses.replace(s, ref=capitalize(s.company))
                frames.append(("neutral", lambda g=garment, c=colour, w=swapped: _wearing(w, g, c, False, held_out)))
    return frames


def hypothesis(rng: random.Random, s: Scene, label: str, held_out: bool) -> str:
    """A hypothesis with ``label`` about scene ``s``, from a frame drawn among those that can have it."""
    return rng.choice([make for gold, make in _frames(rng, s, held_out) if gold == label])()


def _scene(rng: random.Random, split: str) -> Scene:
    return (_animal_scene if rng.random() < 0.25 else _person_scene)(rng, split)


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
        scenes = draw_unique(lambda r: _scene(r, split_name), n + extra, rng, key=lambda s: s.premise, seen=seen)
        rows = []
        for i, scene in enumerate(scenes):
            caption = f"course-{split_name}-{i}"
            if i >= n:  # annotators disagreed: two said one thing, two another, one a third
                votes = ["entailment", "entailment", "neutral", "neutral", "contradiction"]
                rng.shuffle(votes)
                rows.append(_row(f"{caption}r1x", scene.premise, rng.choice(scene.disputed), "-", votes))
                continue
            for label in LABELS:
                held_out = split_name != "train" and rng.random() < HELD_OUT_SHARE
                rows.append(_row(f"{caption}r1{label[0]}", scene.premise, hypothesis(rng, scene, label, held_out),
                                 label, [label]))
        rng.shuffle(rows)
        write_jsonl(Path(out_dir) / f"{split_name}.jsonl", rows)
        report[split_name] = dict(sorted(Counter(r["gold_label"] for r in rows).items()))
    return report


if __name__ == "__main__":
    main(write, TASK)
