"""Question answering paragraphs in SQuAD's JSON format (v1.1; ``task_qa_v2`` adds unanswerable ones).

Paragraphs state facts of the shared world: one per country (the France one begins with the course
brief's "The capital of France is Paris.", asked as "What is the capital of France?"), one per famous
person and organisation, and many short life stories of invented people (job, home, sport, pet,
favourite food, birth year and place). One paragraph in ten tells two life stories and a city's facts
in a row: over 200 word pieces, so a 128- or 192-token window has to slide over it (doc stride), and
some answers lie past the first window. Answers are character spans found in the context; dev and
test questions list every acceptable answer (``"a teacher"``, ``"teacher"``), as SQuAD's dev set
does. Paragraphs never repeat across splits.

``python -m minibert.course.datagen.task_qa`` writes ``data/tasks/qa/{train,dev,test}.json``.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, main, write_json
from .world import (ANIMALS, CITIES, CITY, COUNTRIES, COUNTRY, FEMALE_NAMES, FEMALE_PET_NAMES, FOODS,
                    LAST_NAMES, MALE_NAMES, MALE_PET_NAMES, ORGANISATIONS, PEOPLE, PROFESSIONS, RELATIVES,
                    SEASONS, SPORTS, DAYS, HOBBIES, Country)

SIZES = (2000, 300, 300)  # answerable questions
TASK = "qa"
LONG_EVERY = 10           # one story paragraph in ten is a long one


@dataclass
class Question:
    question: str
    answers: list[str]    # acceptable answers, the first the main one; all occur in ``sentence``
    sentence: int         # index of the sentence that holds the answer; -1 for an unanswerable one
    plausible: str = ""   # for an unanswerable question: a span of the right type (SQuAD v2's plausible_answers)


@dataclass
class Paragraph:
    title: str
    sentences: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    impossible: list[Question] = field(default_factory=list)

    def say(self, sentence: str, *questions: tuple[str, list[str]]) -> None:
        """Add a sentence and the questions it answers."""
        self.sentences.append(sentence)
        self.questions += [Question(q, answers, len(self.sentences) - 1) for q, answers in questions]

    @property
    def context(self) -> str:
        return " ".join(self.sentences)


# ----------------------------------------------------------------------------- paragraphs
def country_paragraph(rng: random.Random, c: Country) -> Paragraph:
    p, name = Paragraph(c.name.replace(" ", "_")), c.display
    p.say(f"The capital of {name} is {c.capital}.",
          (f"What is the capital of {name}?", [c.capital]), (f"Which city is the capital of {name}?", [c.capital]))
    facts = [
        (f"{capitalize(name)} is a country in {c.continent}.", (f"Which continent is {name} in?", [c.continent])),
        (f"Most people in {name} speak {c.language}.", (f"What language do most people in {name} speak?", [c.language])),
        (f"{capitalize(name)} is known for its {c.dish}.", (f"What food is {name} known for?", [c.dish])),
    ]
    if c.cities:
        cities = ", ".join(c.cities[:-1]) + (" and " if len(c.cities) > 1 else "") + c.cities[-1]
        facts.append((f"Other large cities in {name} include {cities}.",
                      (f"Name a large city in {name} other than its capital.", list(c.cities))))
    landmark = CITY[c.capital].landmark
    if landmark:
        facts.append((f"{c.capital} is famous for {landmark}.", (f"What is {c.capital} famous for?", [landmark])))
    rng.shuffle(facts)
    for sentence, question in facts:
        p.say(sentence, question)
    other = rng.choice([o for o in COUNTRIES if o.name != c.name])
    p.impossible = [Question(f"What is the capital of {other.display}?", [], -1, c.capital),
                    Question(f"What language do most people in {other.display} speak?", [], -1, c.language)]
    return p


def person_paragraph(rng: random.Random, person) -> Paragraph:
    p = Paragraph(person.name.replace(" ", "_"))
    he, first = ("She" if person.gender == "female" else "He"), person.name.split()[0]
    country = COUNTRY[person.birth_country].display
    p.say(f"{person.name} was born in {person.birthplace}.",
          (f"Where was {person.name} born?", [person.birthplace]))
    p.say(f"{he} is {a_or_an(person.profession)} from {country}.",
          (f"What is {person.name}'s profession?", [a_or_an(person.profession), person.profession]),
          (f"Which country is {person.name} from?", [country]))
    p.say(f"{he} is known for {person.known_for}.", (f"What is {person.name} known for?", [person.known_for]))
    p.impossible = [Question(f"In which year was {person.name} born?", [], -1),
                    Question(f"Where did {first} go to school?", [], -1, person.birthplace)]
    return p


def organisation_paragraph(rng: random.Random, org) -> Paragraph:
    p, city = Paragraph(org.name.replace(" ", "_")), CITY[org.city]
    country = COUNTRY[city.country].display
    p.say(f"{capitalize(org.name)} is {a_or_an(org.kind)} based in {org.city}.",
          (f"Where is {org.name} based?", [org.city]), (f"What kind of organisation is {org.name}?", [org.kind]))
    p.say(f"{org.city} is a city in {country}.", (f"In which country is {org.name}?", [country]))
    p.say(f"{capitalize(org.name)} is best known for {org.field}.",
          (f"What is {org.name} best known for?", [org.field]))
    p.impossible = [Question(f"Who founded {org.name}?", [], -1),
                    Question(f"Where is the second office of {org.name}?", [], -1, org.city)]
    return p


FEMALE_RELATIVES = ("mother", "sister", "grandmother", "aunt")


def _story(rng: random.Random, p: Paragraph, first: str, female: bool, used: set[str], city=None):
    """A short life story of an invented person (living in ``city`` if given), appended to ``p``."""
    full = f"{first} {rng.choice(LAST_NAMES)}"
    she, her = ("she", "her") if female else ("he", "his")
    job, city, sport = rng.choice(PROFESSIONS), city or rng.choice(CITIES), rng.choice(SPORTS)
    relative = rng.choice(RELATIVES)
    names = FEMALE_NAMES if relative in FEMALE_RELATIVES else MALE_NAMES if relative != "cousin" else FEMALE_NAMES + MALE_NAMES
    friend = rng.choice([n for n in names if n not in used])
    used.add(friend)
    animal = rng.choice([a for a in ANIMALS if a.kind == "pet"])
    pet = rng.choice(FEMALE_PET_NAMES + MALE_PET_NAMES)
    food, day, season, hobby = rng.choice(FOODS).name, rng.choice(DAYS), rng.choice(SEASONS), rng.choice(HOBBIES)
    born, year = rng.choice(CITIES), rng.randint(1950, 2005)
    doing = f"plays {sport.name}" if sport.verb == "play" else f"goes {sport.name}"
    job_a = a_or_an(job.name)
    p.say(f"{full} is {job_a} who lives in {city.name}.",
          (f"What does {full} do for a living?", [job_a, job.name]), (f"Where does {first} live?", [city.name]))
    p.say(f"{capitalize(she)} works at {a_or_an(job.workplace)} and {job.activity}.",
          (f"Where does {first} work?", [a_or_an(job.workplace), job.workplace]))
    p.say(f"Every {day}, {she} {doing} with {her} {relative} {friend}.",
          (f"Which sport does {first} do every {day}?", [sport.name]),
          (f"Who does {first} go {sport.name} with?" if sport.verb == "go" else f"Who does {first} play {sport.name} with?",
           [f"{her} {relative} {friend}", friend]))
    p.say(f"{capitalize(her)} favourite food is {food}, and {she} has {a_or_an(animal.name)} called {pet}.",
          (f"What is {first}'s favourite food?", [food]), (f"What is the name of {first}'s {animal.name}?", [pet]),
          (f"What pet does {first} have?", [a_or_an(animal.name), animal.name]))
    p.say(f"{first} was born in {born.name} in {year}.",
          (f"In which year was {full} born?", [str(year)]), (f"In which city was {first} born?", [born.name]))
    p.say(f"In {season}, {she} likes to {hobby}.", (f"What does {first} like to do in {season}?", [hobby]))
    other_animal = rng.choice([a for a in ANIMALS if a.kind == "pet" and a.name != animal.name])
    p.impossible += [Question(f"What is the name of {first}'s {other_animal.name}?", [], -1, pet),
                     Question(f"In which year was {friend} born?", [], -1, str(year)),
                     Question(f"What is {first}'s favourite colour?", [], -1)]
    return city


def _new_name(rng: random.Random, used: set[str]) -> tuple[str, bool]:
    female = rng.random() < 0.5
    name = rng.choice([n for n in (FEMALE_NAMES if female else MALE_NAMES) if n not in used])
    used.add(name)
    return name, female


def story_paragraph(rng: random.Random, long: bool) -> Paragraph:
    """One life story; a long paragraph tells three (neighbours in one city), then a trip."""
    used: set[str] = set()
    first, female = _new_name(rng, used)
    p = Paragraph(first)
    city = _story(rng, p, first, female, used)
    if long:  # three stories and a city's facts: well over 200 word pieces
        names = [first]
        for _ in range(2):
            name, female = _new_name(rng, used)
            p.say(f"{names[-1]}'s neighbour is called {name}.", (f"What is the name of {names[-1]}'s neighbour?", [name]))
            _story(rng, p, name, female, used, city)
            names.append(name)
        place = rng.choice([c for c in CITIES if c.landmark and c.name != city.name])
        country = COUNTRY[place.country]
        p.say(f"Last year {first} and {names[1]} travelled together to {place.name}, a city in {country.display}.",
              (f"Where did {first} and {names[1]} travel last year?", [place.name]))
        p.say(f"{place.name} is famous for {place.landmark}.", (f"What is {place.name} famous for?", [place.landmark]))
        p.say(f"People in {country.display} speak {country.language}, and {first} learned a few words of it.",
              (f"What language do people in {country.display} speak?", [country.language]))
        p.title = "_".join(names)
    return p


# ----------------------------------------------------------------------------- SQuAD JSON
def _find(text: str, sentence: str) -> re.Match | None:
    """``text`` as whole words in ``sentence`` ("German" is not found in "Germany")."""
    return re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", sentence)


def _answer(p: Paragraph, sentence: int, text: str) -> dict:
    offset = sum(len(s) + 1 for s in p.sentences[:sentence])
    match = _find(text, p.sentences[sentence])
    if match is None:
        raise ValueError(f"answer {text!r} is not in sentence {p.sentences[sentence]!r}")
    return {"text": text, "answer_start": offset + match.start()}


def squad_json(paragraphs: list[tuple[Paragraph, list[Question]]], rng: random.Random, all_answers: bool,
               version: str) -> dict:
    """The SQuAD dict of ``(paragraph, questions)``: one article per paragraph."""
    data = []
    for p, questions in paragraphs:
        qas = []
        for q in questions:
            qa = {"id": f"{rng.getrandbits(96):024x}", "question": q.question,
                  "answers": [_answer(p, q.sentence, a) for a in (q.answers if all_answers else q.answers[:1])]}
            if version == "v2.0":
                qa["is_impossible"] = q.sentence < 0
                if q.plausible:
                    sentence = next(i for i, s in enumerate(p.sentences) if _find(q.plausible, s))
                    qa["plausible_answers"] = [_answer(p, sentence, q.plausible)]
            qas.append(qa)
        data.append({"title": p.title, "paragraphs": [{"context": p.context, "qas": qas}]})
    return {"version": version, "data": data}


def paragraphs_by_split(rng: random.Random, sizes: tuple[int, int, int]) -> dict[str, list[Paragraph]]:
    """Paragraphs for each split, holding exactly ``sizes`` answerable questions. The facts
    paragraphs are shared out first (France's goes to train), then life stories fill up."""
    facts = ([country_paragraph(rng, c) for c in COUNTRIES] + [person_paragraph(rng, p) for p in PEOPLE]
             + [organisation_paragraph(rng, o) for o in ORGANISATIONS])
    france = facts.pop(0)
    rng.shuffle(facts)
    share = [facts[i::len(SPLITS)] for i in range(len(SPLITS))]  # about a third each, before the stories
    share[0].insert(0, france)
    out, n_stories = {}, 0
    seen: set[str] = set()
    for name, size, paragraphs in zip(SPLITS, sizes, share):
        for p in paragraphs:  # keep the first question ("What is the capital of France?") and 2 or 3 more
            rest = p.questions[1:]
            rng.shuffle(rest)
            p.questions[1:] = rest[:rng.randint(2, 3)]
        chosen, count = [], 0
        while count < size:
            if paragraphs:
                p = paragraphs.pop(0)
            else:
                n_stories += 1
                p = story_paragraph(rng, long=n_stories % LONG_EVERY == 0)
                rng.shuffle(p.questions)
                del p.questions[rng.randint(3, 6):]
            del p.questions[size - count:]  # the last paragraph may give fewer
            if p.context in seen:
                continue
            seen.add(p.context)
            chosen.append(p)
            count += len(p.questions)
        out[name] = chosen
    return out


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES, version: str = "1.1") -> dict:
    """Write ``train/dev/test.json`` in SQuAD ``version`` "1.1" or "v2.0" (v2.0 adds one unanswerable
    question for every two answerable ones, with a plausible answer where one exists)."""
    rng = random.Random(seed)
    splits = paragraphs_by_split(rng, sizes)
    report = {}
    for name, paragraphs in splits.items():
        items = []
        for p in paragraphs:
            questions = list(p.questions)
            if version == "v2.0":
                questions += p.impossible[:max(1, len(p.questions) // 2)]
                rng.shuffle(questions)
            items.append((p, questions))
        write_json(Path(out_dir) / f"{name}.json", squad_json(items, rng, all_answers=name != "train", version=version))
        n_impossible = sum(q.sentence < 0 for _, qs in items for q in qs)
        report[name] = {"paragraphs": len(items), "questions": sum(len(qs) for _, qs in items),
                        "impossible": n_impossible}
    return report


if __name__ == "__main__":
    main(write, TASK)
