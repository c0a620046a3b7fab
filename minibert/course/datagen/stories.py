"""The generator of the course pre-training corpus: short, coherent English documents.

BERT's two pre-training tasks need two things from a corpus. Next sentence prediction needs *topic
flow*: consecutive sentences of a document share people, places and pronouns, while a sentence from
another document usually does not. Masked language modeling needs *regularities*: cats sit on mats,
the capital of France is Paris, football is a sport. This module writes such text from the facts in
``world.py``, so a model pre-trained on it for a few CPU minutes can be asked about them.

The grammar
-----------
* A **document** is one of fourteen topics (a pet's day, a football fan, a match report, a country
  profile, a city trip, cooking, the weather, school, work, science facts, a famous person, a company
  or club, a farm visit, a geography lesson on capitals). The topic is drawn with the weights in
  ``TOPICS``.
* A topic draws its **cast** once (a person with a gender, a pet, a country, a club...) and then tells
  its **beats** in order: an opening, a few middle beats (some optional, kept with a probability), a
  closing. Because the cast is fixed for the whole document, every sentence talks about the same
  entities, and pronouns agree with them (Anna ... she ... her cat ... it).
* A beat is a list of **templates**, of which one is drawn. A template has slots in braces
  (``{name}``, ``{he}``, ``{city}``) filled from the cast, and alternatives in square brackets
  (``[Then|After that|Later]``) of which one is drawn; alternatives can nest and can be empty
  (``[very |]``). The first letter of a sentence is capitalised after filling.
* Documents have 5 to 15 sentences.

The course brief's examples occur in context: "The cat sat on the mat." in pets' days, "I love playing
football. It's my favorite sport." as consecutive sentences of a fan's story, and "The capital of France
is Paris." with the same fact for every country in the country profiles and the geography lessons.

Everything is drawn from one ``random.Random(seed)``: the same seed gives the same corpus everywhere.
The committed corpus is made by::

    python -m minibert.course.datagen.stories --out data/corpus/course.txt --documents 8000 --seed 0
    python -m minibert.course.datagen.stories --out data/corpus/course_dev.txt --documents 400 --seed 1
"""
from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Callable

from minibert.corpus import write_documents
from minibert.course.datagen.topics_everyday import (cooking, farm_visit, match_report, pet_day, school_day, sport_fan,
                                                      work_day)
from minibert.course.datagen.topics_world import (capitals_lesson, city_trip, country_profile, famous_person,
                                                  organisation_profile, science_facts, weather_report)

MIN_SENTENCES, MAX_SENTENCES = 5, 15


# A topic: (function, weight). Pets, football and countries carry the brief's examples, so they weigh more;
# the capitals lesson is what lets a model remember country -> capital facts (see its docstring).
TOPICS: tuple[tuple[Callable[[random.Random], list[str]], float], ...] = (
    (pet_day, 3), (sport_fan, 2), (match_report, 1), (country_profile, 3), (city_trip, 1.5), (cooking, 1),
    (weather_report, 1), (school_day, 1), (work_day, 1), (science_facts, 1), (famous_person, 1),
    (organisation_profile, 1), (farm_visit, 1), (capitals_lesson, 6),
)


def generate_document(rng: random.Random) -> list[str]:
    """One document of 5 to 15 sentences on a topic drawn with ``TOPICS``'s weights."""
    topic = rng.choices([t for t, _ in TOPICS], weights=[w for _, w in TOPICS])[0]
    while not MIN_SENTENCES <= len(sentences := topic(rng)) <= MAX_SENTENCES:
        pass   # optional beats were skipped too often (or too few): draw again from the same stream
    return sentences


def generate_corpus(n_documents: int, seed: int = 0) -> list[list[str]]:
    """``n_documents`` documents, each a list of sentences; the same seed gives the same corpus."""
    if n_documents < 0:
        raise ValueError(f"n_documents must be >= 0, got {n_documents}")
    rng = random.Random(seed)
    return [generate_document(rng) for _ in range(n_documents)]


def write_corpus(path: str | Path, n_documents: int, seed: int = 0) -> Path:
    """Generate a corpus and write it to ``path`` in the standard format; returns the path."""
    return write_documents(generate_corpus(n_documents, seed), path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the course pre-training corpus.")
    parser.add_argument("--out", required=True, help="output text file")
    parser.add_argument("--documents", type=int, default=5000, help="number of documents")
    parser.add_argument("--seed", type=int, default=0, help="random seed (same seed, same corpus)")
    args = parser.parse_args(argv)
    path = write_corpus(args.out, args.documents, args.seed)
    print(f"wrote {args.documents} documents to {path} ({path.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
