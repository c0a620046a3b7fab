"""Multiple-choice items in SWAG's CSV format: a context, the start of the next sentence, 4 endings.

One ending follows from the context; the other three are endings that fit other contexts, often of
the same kind so that only the details decide ("picked up her racket and walked onto the court" ->
"hit the ball over the net", not "dived into the water"; the fruit salad is mixed, not baked). Some
need the world's facts: a taxi in Paris goes to the Eiffel Tower, a flight to see the Colosseum lands
in Rome. The columns are SWAG's (``video-id``, ``fold-ind``, ``startphrase``, ``sent1``, ``sent2``,
``gold-source``, ``ending0``..``ending3``, ``label``); the right ending's position is uniform.

``python -m minibert.course.datagen.task_multiple_choice`` writes
``data/tasks/multiple_choice/{train,dev,test}.csv``.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, draw_unique, main, write_csv
from .world import CITIES, DAYS, FEMALE_NAMES, MALE_NAMES, OBJECTS, RECIPES, ANIMALS

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
    "golf": ("put the ball on the tee and took out a club", "swung the club and hit the ball."),
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
    "garage": ("mechanic", "repaired the engine of a car."),
}


def _ending(text: str, actor: Actor) -> str:
    return text.format(her=actor.her)


def _sport(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    sport = rng.choice(sorted(SPORTS))
    start, gold = SPORTS[sport]
    others = [SPORTS[s][1] for s in sorted(SPORTS) if s != sport] + list(METHODS.values())
    return f"{a.name} {_ending(start, a)}.", capitalize(a.she), gold, others


def _cooking(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    dish = rng.choice(sorted(RECIPES))
    ingredients, method = RECIPES[dish]
    listed = ", ".join(ingredients[:-1]) + " and " + ingredients[-1]
    others = [e for m, e in METHODS.items() if m != method] + [s[1] for s in SPORTS.values()]
    return (f"{a.name} wanted to make {dish}, so {a.she} bought {listed}.", f"Back home, {a.she}",
            METHODS[method], others)


def _weather(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    weather = rng.choice(sorted(WEATHER))
    group, gold = WEATHER[weather]
    others = [e for g, e in WEATHER.values() if g != group] + [w[1] for w in WORK.values()]
    return (f"It was {weather} in {rng.choice(CITIES).name} when {a.name} got ready to go out.",
            f"So {a.she}", _ending(gold, a), [_ending(e, a) for e in others])


def _work(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    place = rng.choice(sorted(WORK))
    job, gold = WORK[place]
    others = [e for p, (_, e) in WORK.items() if p != place]
    return (f"{a.name} is a {job}, and on {rng.choice(DAYS)} {a.she} arrived at the {place} early.",
            f"First, {a.she}", gold, others)


def _pet(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    animal = rng.choice(ANIMALS)
    return (f"{a.name}'s {animal.name} was hungry.", f"{capitalize(a.she)} gave it",
            f"some {animal.food}.", [f"{a_or_an(o)}." for o in OBJECTS])


def _taxi(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    with_sights = [c for c in CITIES if c.landmark and not c.landmark.startswith("its ")]
    city = rng.choice(with_sights)
    others = [c.landmark + "." for c in with_sights if c.name != city.name]
    return (f"{a.name} landed in {city.name} for a short holiday.", f"From the airport, {a.she} took a taxi to",
            city.landmark + ".", others)


def _flight(rng: random.Random, a: Actor) -> tuple[str, str, str, list[str]]:
    with_sights = [c for c in CITIES if c.landmark and not c.landmark.startswith("its ")]
    city = rng.choice(with_sights)
    others = [c.name + "." for c in with_sights if c.name != city.name]
    return (f"{a.name} had always wanted to see {city.landmark}.", f"So {a.she} booked a flight to",
            city.name + ".", others)


SCENARIOS = (_sport, _cooking, _weather, _work, _pet, _taxi, _flight)


def item(rng: random.Random) -> tuple[str, str, str, list[str]]:
    """(sent1, sent2, the right ending, three wrong ones)."""
    female = rng.random() < 0.5
    a = Actor(rng.choice(FEMALE_NAMES if female else MALE_NAMES), "she" if female else "he",
              "her" if female else "his")
    sent1, sent2, gold, others = rng.choice(SCENARIOS)(rng, a)
    return sent1, sent2, gold, rng.sample(sorted(set(others) - {gold}), 3)


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.csv``; the right ending is at each position equally often (up to
    one item). Returns the count of each label position per split."""
    rng = random.Random(seed)
    seen: set = set()
    report = {}
    for name, size in zip(SPLITS, sizes):
        items = draw_unique(item, size, rng, key=lambda x: (x[0], x[1]), seen=seen)
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
