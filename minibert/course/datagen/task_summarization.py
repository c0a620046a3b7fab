"""Short news documents with extractive summaries, as JSON lines.

Each line: ``{"id", "document", "sentences", "summary", "summary_indices"}``. ``document`` is the
sentences joined by spaces, so the file also reads as XSum-style ``document``/``summary`` data. A
document has 6 to 12 sentences about one event (a company opening, a football match, a students'
prize, a new library, an animal rescue): the topic sentence that says what happened (first, or
second after a scene-setting sentence) and the sentence with the main fact (a number, the scorer, the
prize) are the summary; the rest is background from the shared world (the city's country and sights,
the weather, quotes). Key sentences are recognisable by what they say, not only by their position:
the main fact can be anywhere after the topic.

Held out: dev and test documents take place in the cities of the world's held-out part
(``world_split.HELD_OUT_PART``) and name its people and organisations, never training's.

``python -m minibert.course.datagen.task_summarization`` writes
``data/tasks/summarization/{train,dev,test}.jsonl``.
"""
from __future__ import annotations

import random
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, draw_unique, main, write_jsonl
from .world import ANIMALS, CITY, COUNTRY, DAYS, MONTHS, WEATHERS
from .world_split import WorldPart, world_part

SIZES = (700, 150, 150)
TASK = "summarization"
Event = tuple[str, str, str, list[str]]  # city, topic sentence, main-fact sentence, background sentences


def _person(rng: random.Random, w: WorldPart) -> str:
    return f"{rng.choice(w.first_names)} {rng.choice(w.last_names)}"


def _background(rng: random.Random, city_name: str, w: WorldPart) -> list[str]:
    """Sentences any story in ``city_name`` may carry."""
    city = CITY[city_name]
    country = COUNTRY[city.country]
    weather = rng.choice(WEATHERS)
    out = [f"{city.name} is a city in {country.display}.", f"The weather in {city.name} was {weather.adjective} that day.",
           f"Many people in {city.name} heard about it on the radio.", "Local newspapers wrote about it the next day.",
           f"{_person(rng, w)}, who lives nearby, said it was a good day for the city.",
           f"People in {country.display} speak {country.language}.", "Some people took photos with their phones.",
           f"It was the second time this {rng.choice(('year', 'month'))} that {city.name} was in the news."]
    if city.landmark:
        out.append(f"{city.name} is also known for {city.landmark}.")
    return out


def _company(rng: random.Random, w: WorldPart) -> Event:
    org = rng.choice([o for o in w.organisations if o.kind == "company"])
    city = rng.choice([c for c in w.cities if c.name != org.city])
    place = rng.choice(("factory", "office", "shop", "warehouse"))
    return (city.name, f"{org.name} opened a new {place} in {city.name} on {rng.choice(DAYS)}.",
            f"The new {place} will create {rng.choice((50, 80, 120, 200, 350, 500))} jobs.",
            [f"{org.name} is a {org.field} company based in {org.city}.",
             f"\"We are proud to be in {city.name},\" said {_person(rng, w)}, who runs the company.",
             f"The building has {rng.choice(('two', 'three', 'four', 'five'))} floors.",
             "The company plans to open more places like it next year.",
             f"Work on the building started last {rng.choice(MONTHS)}."])


def _match(rng: random.Random, w: WorldPart) -> Event:
    home, away = rng.sample([o for o in w.organisations if o.kind == "club"], 2)
    won = rng.randint(1, 4)
    lost = won - 1  # one goal in it: "the winning goal in the last minute"
    return (home.city, f"{home.name} beat {away.name} {won}-{lost} in {home.city} on {rng.choice(DAYS)}.",
            f"{_person(rng, w)} scored the winning goal in the last minute.",
            [f"The match was played in front of {rng.choice((20, 35, 50, 60))} thousand fans.",
             f"{home.name} is a football club from {home.city}.",
             f"The two teams last met in {rng.choice(MONTHS)}.",
             f"\"It was a hard game,\" said the coach of {away.name}.",
             f"{away.name} will play again next {rng.choice(DAYS)}."])


def _prize(rng: random.Random, w: WorldPart) -> Event:
    uni = rng.choice([o for o in w.organisations if o.kind == "university"])
    task = rng.choice(("sort rubbish", "water plants", "read books aloud", "find lost keys", "paint pictures"))
    fair = rng.choice([c for c in w.cities if c.name != uni.city])
    return (fair.name, f"Students at {uni.name} built a small robot that can {task}.",
            f"The robot won first prize at a science fair in {fair.name}.",
            [f"The team has {rng.choice(('four', 'five', 'six', 'seven'))} students.",
             f"They worked on the robot for {rng.choice(('three', 'five', 'eight'))} months.",
             f"{capitalize(uni.name)} is a university in {uni.city}.",
             f"\"We learned a lot,\" said {_person(rng, w)}, one of the students.",
             "The robot is made of old computer parts."])


def _library(rng: random.Random, w: WorldPart) -> Event:
    city = rng.choice(w.cities)
    return (city.name, f"A new library opened in {city.name} on {rng.choice(DAYS)}.",
            f"The library has {rng.choice(('twenty', 'fifty', 'eighty'))} thousand books and is free for everyone.",
            [f"The mayor of {city.name} cut a red ribbon at the door.",
             f"Children from {rng.choice(('two', 'three', 'five'))} schools came to visit on the first day.",
             f"The building used to be a {rng.choice(('post office', 'bank', 'cinema', 'train station'))}.",
             f"\"Everyone should have a place to read,\" said {_person(rng, w)}, the new librarian.",
             "The library is open every day except Sunday."])


def _rescue(rng: random.Random, w: WorldPart) -> Event:
    city, animal = rng.choice(w.cities), rng.choice([a for a in ANIMALS if a.kind == "pet"])
    owner = _person(rng, w)
    return (city.name, f"Firefighters in {city.name} rescued {a_or_an(animal.name)} from a tall tree on {rng.choice(DAYS)}.",
            f"The {animal.name} had been stuck in the tree for {rng.choice(('two', 'six', 'twelve', 'twenty'))} hours.",
            [f"The {animal.name} belongs to {owner}.", f"{owner} called the firefighters in the morning.",
             "The firefighters used a long ladder.", f"The {animal.name} was hungry but not hurt.",
             f"\"I am so happy to have my {animal.name} back,\" said {owner.split()[0]}."])


EVENTS = (_company, _match, _prize, _library, _rescue)
OPENERS = ("It was a busy week for the city.", "Here is some news from this week.", "This story made many people smile.")


def document(rng: random.Random, split: str = "train") -> dict:
    """One document (6 to 12 sentences) with its two summary sentences, about the world part of ``split``."""
    w = world_part(split)
    city, topic, fact, background = rng.choice(EVENTS)(rng, w)
    pool = background + _background(rng, city, w)
    rng.shuffle(pool)
    opener = [rng.choice(OPENERS)] if rng.random() < 0.3 else []
    others = pool[:rng.randint(4, 10 - len(opener))]
    rest = others[:]
    rest.insert(rng.randint(1, len(rest) - 1), fact)  # never right after the topic: position is not the cue
    sentences = opener + [topic] + rest
    indices = [len(opener), len(opener) + 1 + rest.index(fact)]
    return {"document": " ".join(sentences), "sentences": sentences,
            "summary": " ".join(sentences[i] for i in indices), "summary_indices": indices}


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.jsonl``. Returns per split the number of documents, of sentences,
    and how often each position is in a summary."""
    rng = random.Random(seed)
    seen: set[str] = set()
    report = {}
    for name, size in zip(SPLITS, sizes):
        docs = draw_unique(lambda r, name=name: document(r, name), size, rng, key=lambda d: d["document"], seen=seen)
        rows = [{"id": f"course-{name}-{i}", **d} for i, d in enumerate(docs)]
        write_jsonl(Path(out_dir) / f"{name}.jsonl", rows)
        n_sentences = sum(len(d["sentences"]) for d in docs)
        report[name] = {"documents": len(docs), "sentences": n_sentences,
                        "summary sentences": sum(len(d["summary_indices"]) for d in docs)}
    return report


if __name__ == "__main__":
    main(write, TASK)
