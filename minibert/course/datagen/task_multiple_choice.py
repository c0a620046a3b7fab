"""Multiple-choice items in SWAG's CSV format: a context, the start of the next sentence, 4 endings.

One ending follows from the context; the other three are endings that fit other contexts, often of
the same kind so that only the details decide ("picked up her racket and walked onto the court" ->
"hit the ball over the net", not "dived into the water"; the fruit salad is mixed, not baked). Some
need the world's facts: a taxi in Paris goes to the Eiffel Tower, a flight to see the Colosseum lands
in Rome; a hungry pet is given its own food, not another animal's. The columns are SWAG's
(``video-id``, ``fold-ind``, ``startphrase``, ``sent1``, ``sent2``, ``gold-source``,
``ending0``..``ending3``, ``label``); the right ending's position is uniform.

Held out: dev and test name people and cities of the world's held-out part (``world_split.HELD_OUT_PART``:
taxis and flights go to its sights, the Eiffel Tower, the pyramids), and add sports and jobs that
training never shows (golf, rowing; a mechanic, a postman), so the right ending has to be understood,
not recognised.

``python -m minibert.course.datagen.task_multiple_choice`` writes
``data/tasks/multiple_choice/{train,dev,test}.csv``.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, draw_unique, main, write_csv
from .world import ANIMALS, DAYS, RECIPES
from .world_split import world_part

SIZES = (2000, 300, 300)
TASK = "multiple_choice"
HEADER = ("", "video-id", "fold-ind", "startphrase", "sent1", "sent2", "gold-source",
          "ending0", "ending1", "ending2", "ending3", "label")


@dataclass(frozen=True)
class Actor:
    name: str
    she: str
    her: str


# What happens next, in the past tense. {her} is the actor's possessive.
SPORTS = {  # sport: (how it starts, what follows)
    "football": ("put on {her} boots and walked onto the pitch with a ball", "kicked the ball towards the goal."),
    "basketball": ("bounced the ball on the court and looked at the hoop", "threw the ball into the basket."),
    "tennis": ("picked up {her} racket and walked onto the court", "hit the ball over the net."),
    "swimming": ("put on {her} swimsuit and walked to the pool", "dived into the water."),
    "cycling": ("pumped up the tyres of {her} bike", "rode off down the road."),
    "running": ("tied the laces of {her} running shoes at the start of the track", "ran three laps of the track."),
    "skiing": ("put on {her} skis at the top of the mountain", "skied down the slope."),
}
HELD_OUT_SPORTS = {
    "golf": ("put the ball on the tee and took out a club", "swung the club and hit the ball."),
    "rowing": ("sat down in the boat and took the oars", "rowed across the lake."),
    "climbing": ("put on {her} harness at the foot of the rock", "climbed to the top of the wall."),
}
METHODS = {"bake": "baked it in the oven for an hour.", "fry": "fried everything in a hot pan.",
           "boil": "boiled everything in a big pot.", "mix": "mixed everything together in a large bowl."}
WEATHER = {  # weather: (group, what one does); distractors come from the other group
    "sunny": ("warm", "put on {her} sunglasses."), "hot": ("warm", "put on shorts and a t-shirt."),
    "rainy": ("cold", "took an umbrella."), "snowy": ("cold", "put on warm boots."),
    "freezing": ("cold", "put on a thick coat and gloves."),
}
WORK = {  # workplace: (job, what they did first); jobs that share a workplace are never distractors
    "school": ("teacher", "wrote the date on the board for the children."),
    "hospital": ("doctor", "examined the first patient of the day."),
    "bakery": ("baker", "put the first loaves of bread in the oven."),
    "restaurant": ("chef", "started cooking lunch for the guests."),
    "airport": ("pilot", "checked the plane before the flight."),
    "farm": ("farmer", "fed the cows and collected the eggs."),
    "library": ("librarian", "put the returned books back on the shelves."),
}
HELD_OUT_WORK = {
    "garage": ("mechanic", "repaired the engine of a car."),
    "post office": ("postman", "sorted the letters for the morning round."),
    "museum": ("guide", "showed the first visitors around the old paintings."),
}


def _ending(text: str, actor: Actor) -> str:
    return text.format(her=actor.her)


def _sport(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    sports = SPORTS if split == "train" else {**SPORTS, **HELD_OUT_SPORTS}
    sport = rng.choice(sorted(sports if split == "train" or rng.random() < 0.5 else HELD_OUT_SPORTS))
    start, gold = sports[sport]
    others = [sports[s][1] for s in sorted(sports) if s != sport] + list(METHODS.values())
    return f"{a.name} {_ending(start, a)}.", capitalize(a.she), gold, others


def _cooking(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    dish = rng.choice(sorted(RECIPES))
    ingredients, method = RECIPES[dish]
    listed = ", ".join(ingredients[:-1]) + " and " + ingredients[-1]
    others = [e for m, e in METHODS.items() if m != method] + [s[1] for s in SPORTS.values()]
    return (f"{a.name} wanted to make {dish}, so {a.she} bought {listed}.", f"Back home, {a.she}",
            METHODS[method], others)


def _weather(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    weather = rng.choice(sorted(WEATHER))
    group, gold = WEATHER[weather]
    others = [e for g, e in WEATHER.values() if g != group] + [w[1] for w in WORK.values()]
    return (f"It was {weather} in {rng.choice(world_part(split).cities).name} when {a.name} got ready to go out.",
            f"So {a.she}", _ending(gold, a), [_ending(e, a) for e in others])


def _work(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    work = WORK if split == "train" else {**WORK, **HELD_OUT_WORK}
    place = rng.choice(sorted(work if split == "train" or rng.random() < 0.5 else HELD_OUT_WORK))
    job, gold = work[place]
    others = [e for p, (_, e) in work.items() if p != place]
    return (f"{a.name} is {a_or_an(job)}, and on {rng.choice(DAYS)} {a.she} arrived at the {place} early.",
            f"First, {a.she}", gold, others)


def _pet(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    animal = rng.choice(ANIMALS)
    return (f"{a.name}'s {animal.name} was hungry.", f"{capitalize(a.she)} gave it",
            f"some {animal.food}.", [f"some {o.food}." for o in ANIMALS if o.food != animal.food])


def _sights(split: str):
    return [c for c in world_part(split).cities if c.landmark and not c.landmark.startswith("its ")]


def _taxi(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    city = rng.choice(_sights(split))
    others = [c.landmark + "." for c in _sights(split) if c.name != city.name]
    return (f"{a.name} landed in {city.name} for a short holiday.", f"From the airport, {a.she} took a taxi to",
            city.landmark + ".", others)


def _flight(rng: random.Random, a: Actor, split: str) -> tuple[str, str, str, list[str]]:
    city = rng.choice(_sights(split))
    others = [c.name + "." for c in _sights(split) if c.name != city.name]
    return (f"{a.name} had always wanted to see {city.landmark}.", f"So {a.she} booked a flight to",
            city.name + ".", others)


SCENARIOS = (_sport, _cooking, _weather, _work, _pet, _taxi, _flight)


def item(rng: random.Random, split: str = "train") -> tuple[str, str, str, list[str]]:
    """(sent1, sent2, the right ending, three wrong ones), with the names and places of ``split``."""
    part = world_part(split)
    female = rng.random() < 0.5
    a = Actor(rng.choice(part.female_names if female else part.male_names), "she" if female else "he",
              "her" if female else "his")
    sent1, sent2, gold, others = rng.choice(SCENARIOS)(rng, a, split)
    return sent1, sent2, gold, rng.sample(sorted(set(others) - {gold}), 3)


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.csv``; the right ending is at each position equally often (up to
    one item). Returns the count of each label position per split."""
    rng = random.Random(seed)
    seen: set = set()
    report = {}
    for name, size in zip(SPLITS, sizes):
        items = draw_unique(lambda r, name=name: item(r, name), size, rng, key=lambda x: (x[0], x[1]), seen=seen)
        labels = [i % 4 for i in range(size)]
        rng.shuffle(labels)
        rows = []
        for i, ((s1, s2, gold, wrong), label) in enumerate(zip(items, labels)):
            endings = wrong[:label] + [gold] + wrong[label:]
            rows.append((i, f"course-{name}-{i}", str(i), f"{s1} {s2}", s1, s2, "gold", *endings, label))
        write_csv(Path(out_dir) / f"{name}.csv", rows, HEADER)
        report[name] = dict(sorted(Counter(labels).items()))
    return report


if __name__ == "__main__":
    main(write, TASK)
