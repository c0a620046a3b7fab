"""Question answering paragraphs in SQuAD's JSON format (v1.1; ``task_qa_v2`` adds unanswerable ones).

Paragraphs state facts of the shared world: one per country (the France one begins with the course
brief's "The capital of France is Paris.", asked as "What is the capital of France?"), one per famous
person and organisation, and many short life stories of invented people (job, home, sport, pet,
favourite food, birth year and place). One paragraph in ten tells two life stories and a city's facts
in a row: over 200 word pieces, so a 128- or 192-token window has to slide over it (doc stride), and
some answers lie past the first window. Answers are character spans found in the context; dev and
test questions list every acceptable answer (``"a teacher"``, ``"teacher"``), as SQuAD's dev set
does. Paragraphs never repeat across splits.

Held out: the training paragraphs are about the world's training part (``world_split.TRAIN_PART``: its
countries, famous people, organisations, cities, first and last names, pet names); dev and test
paragraphs are about the held-out part only, so no person, place or organisation a dev question asks
about occurs in a training context: the answer has to be read, it cannot be remembered. France's
paragraph opens the dev split, its first question "What is the capital of France?".

``python -m minibert.course.datagen.task_qa`` writes ``data/tasks/qa/{train,dev,test}.json``.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, capitalize, main, write_json
from .world import ANIMALS, CITY, COUNTRY, DAYS, FOODS, HOBBIES, PROFESSIONS, RELATIVES, SEASONS, SPORTS, Country
from .world_split import WorldPart, world_part

SIZES = (3000, 300, 300)  # answerable questions
TASK = "qa"
LONG_EVERY = 10           # one story paragraph in ten is a long one
HELD_OUT_SHARE = 1 / 3    # of the dev and test facts: in a wording training never uses


@dataclass
class Question:
    question: str
    answers: list[str]    # acceptable answers, the first the main one; all occur in ``sentence``
    sentence: int         # index of the sentence that holds the answer; -1 for an unanswerable one
    plausible: str = ""   # for an unanswerable question: a span of the right type (SQuAD v2's plausible_answers)


@dataclass
class Paragraph:
    title: str
    held_out: bool = False  # a dev/test paragraph: some sentences in wordings training never uses
    sentences: list[str] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    impossible: list[Question] = field(default_factory=list)

    def say(self, sentence: str, *questions: tuple[str, list[str]]) -> None:
        """Add a sentence and the questions it answers."""
        self.sentences.append(sentence)
        self.questions += [Question(q, answers, len(self.sentences) - 1) for q, answers in questions]

    def tell(self, rng: random.Random, wordings: tuple[str, ...], held_out: tuple[str, ...],
             *questions: tuple[str, list[str]], **slots: str) -> None:
        """Say a fact in one of its ``wordings`` (dev and test: one of the ``held_out`` ones, a third of
        the time), filled with ``slots``; the first letter is capitalised."""
        wording = rng.choice(held_out if self.held_out and rng.random() < HELD_OUT_SHARE else wordings)
        self.say(capitalize(wording.format(**slots)), *questions)

    @property
    def context(self) -> str:
        return " ".join(self.sentences)


# ----------------------------------------------------------------------------- paragraphs
# Each fact has several wordings, so the answer is sometimes before the words the question repeats,
# sometimes after them, and some wordings only dev and test use.
CONTINENT = (("{name} is a country in {continent}.", "{name} lies in {continent}.",
              "{continent} is the continent where {name} lies."), ("Geographically, {name} belongs to {continent}.",))
LANGUAGE = (("Most people in {name} speak {language}.", "{language} is the language most people in {name} speak.",
             "The main language of {name} is {language}."), ("In {name}, {language} is what most people speak.",))
DISH = (("{name} is known for its {dish}.", "A famous dish of {name} is {dish}.",
         "Visitors to {name} often try {dish}."), ("People who travel to {name} like to eat {dish}.",))
CITIES = (("Other large cities in {name} include {cities}.", "Apart from {capital}, {name} has large cities such as "
           "{cities}."), ("Travellers to {name} also visit {cities}.",))
LANDMARK = (("{city} is famous for {landmark}.", "In {city}, visitors come to see {landmark}."),
            ("Many tourists in {city} go to {landmark}.",))


def country_paragraph(rng: random.Random, c: Country, part: WorldPart, held_out: bool) -> Paragraph:
    p, name = Paragraph(c.name.replace(" ", "_"), held_out), c.display
    p.say(f"The capital of {name} is {c.capital}.",
          (f"What is the capital of {name}?", [c.capital]), (f"Which city is the capital of {name}?", [c.capital]))
    facts = [(CONTINENT, (f"Which continent is {name} in?", [c.continent])),
             (LANGUAGE, (f"What language do most people in {name} speak?", [c.language])),
             (DISH, (f"What food is {name} known for?", [c.dish]))]
    if c.cities:
        facts.append((CITIES, (f"Name a large city in {name} other than its capital.", list(c.cities))))
    landmark = CITY[c.capital].landmark
    if landmark:
        facts.append((LANDMARK, (f"What is {c.capital} famous for?", [landmark])))
    rng.shuffle(facts)
    cities = ", ".join(c.cities[:-1]) + (" and " if len(c.cities) > 1 else "") + c.cities[-1] if c.cities else ""
    for wordings, question in facts:
        p.tell(rng, *wordings, question, name=name, continent=c.continent, language=c.language, dish=c.dish,
               cities=cities, capital=c.capital, city=c.capital, landmark=landmark)
    other = rng.choice([o for o in part.countries if o.name != c.name])
    p.impossible = [Question(f"What is the capital of {other.display}?", [], -1, c.capital),
                    Question(f"What language do most people in {other.display} speak?", [], -1, c.language)]
    return p


def person_paragraph(rng: random.Random, person, held_out: bool) -> Paragraph:
    p = Paragraph(person.name.replace(" ", "_"), held_out)
    he, him = ("she", "her") if person.gender == "female" else ("he", "him")
    first, country = person.name.split()[0], COUNTRY[person.birth_country].display
    p.tell(rng, ("{person} was born in {place}.", "{place} is where {person} was born.",
                 "{person}'s birthplace is {place}."), ("{person} came into the world in {place}.",),
           (f"Where was {person.name} born?", [person.birthplace]), person=person.name, place=person.birthplace)
    p.tell(rng, ("{he} is {job} from {country}.", "{he} comes from {country} and is {job}."),
           ("{he} grew up in {country} and worked as {job}.",),
           (f"What is {person.name}'s profession?", [a_or_an(person.profession), person.profession]),
           (f"Which country is {person.name} from?", [country]), he=he, job=a_or_an(person.profession),
           country=country)
    p.tell(rng, ("{he} is known for {known}.", "{he} is famous for {known}."), ("People remember {him} for {known}.",),
           (f"What is {person.name} known for?", [person.known_for]), he=he, him=him, known=person.known_for)
    p.impossible = [Question(f"In which year was {person.name} born?", [], -1),
                    Question(f"Where did {first} go to school?", [], -1, person.birthplace)]
    return p


def organisation_paragraph(rng: random.Random, org, held_out: bool) -> Paragraph:
    p, city = Paragraph(org.name.replace(" ", "_"), held_out), CITY[org.city]
    country = COUNTRY[city.country].display
    slots = dict(org=org.name, kind=a_or_an(org.kind), city=org.city, country=country, field=org.field)
    p.tell(rng, ("{org} is {kind} based in {city}.", "{city} is where {org}, {kind}, is based."),
           ("The home of {org}, {kind}, is in {city}.",),
           (f"Where is {org.name} based?", [org.city]), (f"What kind of organisation is {org.name}?", [org.kind]), **slots)
    p.tell(rng, ("{city} is a city in {country}.", "{city} lies in {country}."), ("{city} belongs to {country}.",),
           (f"In which country is {org.name}?", [country]), **slots)
    p.tell(rng, ("{org} is best known for {field}.", "Most people know {org} for {field}."),
           ("The work of {org} is mainly about {field}.",), (f"What is {org.name} best known for?", [org.field]), **slots)
    p.impossible = [Question(f"Who founded {org.name}?", [], -1),
                    Question(f"Where is the second office of {org.name}?", [], -1, org.city)]
    return p


FEMALE_RELATIVES = ("mother", "sister", "grandmother", "aunt")


def _story(rng: random.Random, p: Paragraph, first: str, female: bool, used: set[str], part: WorldPart, city=None):
    """A short life story of an invented person (living in ``city`` if given), appended to ``p``."""
    full = f"{first} {rng.choice(part.last_names)}"
    she, her = ("she", "her") if female else ("he", "his")
    job, city, sport = rng.choice(PROFESSIONS), city or rng.choice(part.cities), rng.choice(SPORTS)
    relative = rng.choice(RELATIVES)
    names = part.female_names if relative in FEMALE_RELATIVES else part.male_names if relative != "cousin" \
        else part.first_names
    friend = rng.choice([n for n in names if n not in used])
    used.add(friend)
    animal = rng.choice([a for a in ANIMALS if a.kind == "pet"])
    pet = rng.choice([n for n in part.pet_names if n not in used])
    food, day, season, hobby = rng.choice(FOODS).name, rng.choice(DAYS), rng.choice(SEASONS), rng.choice(HOBBIES)
    born, year = rng.choice(part.cities), rng.randint(1950, 2005)
    verb = "play" if sport.verb == "play" else "go"
    slots = dict(full=full, first=first, she=she, her=her, job=a_or_an(job.name), city=city.name,
                 workplace=a_or_an(job.workplace), activity=job.activity, day=day, sport=sport.name, verb=verb,
                 does=f"{verb}s" if verb == "play" else "goes", company=f"{her} {relative} {friend}", food=food,
                 animal=a_or_an(animal.name), kind=animal.name, pet=pet, born=born.name, year=str(year),
                 season=season, hobby=hobby)
    p.tell(rng, ("{full} is {job} who lives in {city}.", "{full} lives in {city} and works as {job}."),
           ("{city} is home to {full}, who works as {job}.",),
           (f"What does {full} do for a living?", [a_or_an(job.name), job.name]),
           (f"Where does {first} live?", [city.name]), **slots)
    p.tell(rng, ("{she} works at {workplace} and {activity}.", "Every day {she} goes to {workplace}, where {she} "
                 "{activity}."), ("{she} spends {her} working days at {workplace} and {activity}.",),
           (f"Where does {first} work?", [a_or_an(job.workplace), job.workplace]), **slots)
    p.tell(rng, ("Every {day}, {she} {does} {sport} with {company}.", "{sport} is what {she} does every {day} with "
                 "{company}."), ("On {day}s, {company} and {she} {verb} {sport} together.",),
           (f"Which sport does {first} do every {day}?", [sport.name]),
           (f"Who does {first} {verb} {sport.name} with?", [f"{her} {relative} {friend}", friend]), **slots)
    p.tell(rng, ("{her} favourite food is {food}, and {she} has {animal} called {pet}.",
                 "{she} loves {food} most of all and has {animal} named {pet}."),
           ("{she} shares {her} home with {animal}, {pet}, and likes {food} best.",),
           (f"What is {first}'s favourite food?", [food]), (f"What is the name of {first}'s {animal.name}?", [pet]),
           (f"What pet does {first} have?", [a_or_an(animal.name), animal.name]), **slots)
    p.tell(rng, ("{first} was born in {born} in {year}.", "In {year}, {first} was born in {born}."),
           ("{first} came into the world in {born} in {year}.",),
           (f"In which year was {full} born?", [str(year)]), (f"In which city was {first} born?", [born.name]), **slots)
    p.tell(rng, ("In {season}, {she} likes to {hobby}.", "{she} likes to {hobby} in {season}."),
           ("When it is {season}, {her} favourite thing is to {hobby}.",),
           (f"What does {first} like to do in {season}?", [hobby]), **slots)
    other_animal = rng.choice([a for a in ANIMALS if a.kind == "pet" and a.name != animal.name])
    p.impossible += [Question(f"What is the name of {first}'s {other_animal.name}?", [], -1, pet),
                     Question(f"In which year was {friend} born?", [], -1, str(year)),
                     Question(f"What is {first}'s favourite colour?", [], -1)]
    return city


def _new_name(rng: random.Random, used: set[str], part: WorldPart) -> tuple[str, bool]:
    female = rng.random() < 0.5
    name = rng.choice([n for n in (part.female_names if female else part.male_names) if n not in used])
    used.add(name)
    return name, female


def story_paragraph(rng: random.Random, long: bool, part: WorldPart) -> Paragraph:
    """One life story; a long paragraph tells three (neighbours in one city), then a trip."""
    used: set[str] = set()
    first, female = _new_name(rng, used, part)
    p = Paragraph(first, part is not world_part("train"))
    city = _story(rng, p, first, female, used, part)
    if long:  # three stories and a city's facts: well over 200 word pieces
        names = [first]
        for _ in range(2):
            name, female = _new_name(rng, used, part)
            p.tell(rng, ("{a}'s neighbour is called {b}.", "{b} lives next door to {a}."), ("Next door to {a} lives {b}.",),
                   (f"What is the name of {names[-1]}'s neighbour?", [name]), a=names[-1], b=name)
            _story(rng, p, name, female, used, part, city)
            names.append(name)
        place = rng.choice([c for c in part.cities if c.landmark and c.name != city.name])
        country = COUNTRY[place.country]
        p.say(f"Last year {first} and {names[1]} travelled together to {place.name}, a city in {country.display}.",
              (f"Where did {first} and {names[1]} travel last year?", [place.name]))
        p.tell(rng, *LANDMARK, (f"What is {place.name} famous for?", [place.landmark]), city=place.name,
               landmark=place.landmark)
        p.say(f"People in {country.display} speak {country.language}, and {first} learned a few words of it.",
              (f"What language do people in {country.display} speak?", [country.language]))
        p.title = "_".join(names)
    return p


# ----------------------------------------------------------------------------- SQuAD JSON
def _find(text: str, sentence: str) -> re.Match | None:
    """``text`` as whole words in ``sentence`` ("German" is not found in "Germany")."""
    return re.search(r"(?<!\w)" + re.escape(text) + r"(?!\w)", sentence)


def _answer(p: Paragraph, sentence: int, text: str) -> dict:
    """The answer ``text`` where it is in the sentence, as the context spells it ("Her sister Ana")."""
    offset = sum(len(s) + 1 for s in p.sentences[:sentence])
    match = _find(text, p.sentences[sentence]) or _find(capitalize(text), p.sentences[sentence])
    if match is None:
        raise ValueError(f"answer {text!r} is not in sentence {p.sentences[sentence]!r}")
    return {"text": match.group(0), "answer_start": offset + match.start()}


def _answers(p: Paragraph, q: Question) -> list[str]:
    """The acceptable answers that the wording of the answer's sentence contains ("a cat", "cat")."""
    if not q.answers:  # unanswerable
        return []
    sentence = p.sentences[q.sentence]
    found = [a for a in q.answers if _find(a, sentence) or _find(capitalize(a), sentence)]
    if not found:
        raise ValueError(f"no answer of {q.question!r} is in {sentence!r}")
    return found


def squad_json(paragraphs: list[tuple[Paragraph, list[Question]]], rng: random.Random, all_answers: bool,
               version: str) -> dict:
    """The SQuAD dict of ``(paragraph, questions)``: one article per paragraph."""
    data = []
    for p, questions in paragraphs:
        qas = []
        for q in questions:
            qa = {"id": f"{rng.getrandbits(96):024x}", "question": q.question,
                  "answers": [_answer(p, q.sentence, a) for a in (_answers(p, q) if all_answers else _answers(p, q)[:1])]}
            if version == "v2.0":
                qa["is_impossible"] = q.sentence < 0
                if q.plausible:
                    sentence = next(i for i, s in enumerate(p.sentences) if _find(q.plausible, s))
                    qa["plausible_answers"] = [_answer(p, sentence, q.plausible)]
            qas.append(qa)
        data.append({"title": p.title, "paragraphs": [{"context": p.context, "qas": qas}]})
    return {"version": version, "data": data}


def facts_paragraphs(rng: random.Random, part: WorldPart) -> list[Paragraph]:
    """A paragraph for each country, famous person and organisation of ``part``, in the world's order."""
    held_out = part is not world_part("train")
    return ([country_paragraph(rng, c, part, held_out) for c in part.countries]
            + [person_paragraph(rng, p, held_out) for p in part.people]
            + [organisation_paragraph(rng, o, held_out) for o in part.organisations])


def paragraphs_by_split(rng: random.Random, sizes: tuple[int, int, int]) -> dict[str, list[Paragraph]]:
    """Paragraphs for each split, holding exactly ``sizes`` answerable questions. Train gets the facts
    paragraphs of the training part; dev and test share those of the held-out part (France's opens
    dev); then life stories, from the split's part, fill up."""
    train_facts = facts_paragraphs(rng, world_part("train"))
    held_out = facts_paragraphs(rng, world_part("dev"))
    france = held_out.pop(0)
    rng.shuffle(train_facts)
    rng.shuffle(held_out)
    share = {"train": train_facts, "dev": [france] + held_out[0::2], "test": held_out[1::2]}
    out, n_stories = {}, 0
    seen: set[str] = set()
    for name, size in zip(SPLITS, sizes):
        paragraphs = share[name]
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
                p = story_paragraph(rng, long=n_stories % LONG_EVERY == 0, part=world_part(name))
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
