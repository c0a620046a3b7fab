"""NER sentences in CoNLL-2003's four-column format (``word POS chunk tag``), tags in BIO.

Entities are people (PER), places (LOC), organisations (ORG) and CoNLL's "miscellaneous" (MISC:
nationalities, languages, events), taken from the shared world, many of them several words long
("Barack Obama", "Rio de Janeiro", "the World Health Organization", where "the" stays outside as in
CoNLL). Sentences come from templates whose literal words carry their part-of-speech tag
(``was/VBD``); entity words are NNP, and the chunk column is derived from the POS tags (NP, VP, PP,
in BIO). The POS and chunk columns are therefore only approximate: the NER tags are the point.
Sentences are grouped into documents separated by ``-DOCSTART-`` lines; no sentence repeats across
splits. The first training sentence is the course brief's "Barack Obama was born in Hawaii ."

``python -m minibert.course.datagen.task_ner`` writes ``data/tasks/ner/{train,dev,test}.txt``.
"""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Callable

from .task_common import SEED, SPLITS, draw_unique, main
from .world import (ANIMALS, CITIES, COUNTRIES, COUNTRY, DAYS, FEMALE_NAMES, LAST_NAMES, MALE_NAMES, MONTHS,
                    ORGANISATIONS, PEOPLE, PROFESSIONS, REGIONS, RESTING_PLACES, SCHOOL_SUBJECTS, WEATHERS)

SIZES = (3000, 400, 400)  # sentences
TASK = "ner"
Word = tuple[str, str, str]  # (word, POS, entity type or ""; in a sentence "PER#3": the type and its slot)

# Entities that are not in the world tables: CoNLL's MISC.
LANGUAGES = sorted({c.language for c in COUNTRIES})
EVENTS = ("the World Cup", "the Olympic Games", "the Tour de France", "the Nobel Prize", "the Champions League",
          "the Eurovision Song Contest", "the Boston Marathon", "the Cannes Film Festival")


def _words(text: str, entity: str, pos: str = "NNP") -> list[Word]:
    """The words of an entity name; a leading "the" stays outside the entity (CoNLL's convention)."""
    words = text.split()
    out: list[Word] = []
    if words[0] == "the":
        out.append(("the", "DT", ""))
        words = words[1:]
    return out + [(w, pos if w[0].isupper() else "IN", entity) for w in words]  # "de" in "Rio de Janeiro"


def _person(rng: random.Random) -> list[Word]:
    """An invented person: the templates say things that are not true of real people."""
    first = rng.choice(FEMALE_NAMES + MALE_NAMES)
    return _words(first if rng.random() < 0.25 else f"{first} {rng.choice(LAST_NAMES)}", "PER")


def _org(rng: random.Random, kind: str | None = None) -> list[Word]:
    return _words(rng.choice([o for o in ORGANISATIONS if kind in (None, o.kind)]).name, "ORG")


def _plain(text: str, pos: str) -> list[Word]:
    return [(w, pos, "") for w in text.split()]


# Slot fillers: {NAME} in a template -> words.
SLOTS: dict[str, Callable[[random.Random], list[Word]]] = {
    "PER": _person,
    "CITY": lambda r: _words(r.choice(CITIES).name, "LOC"),
    "COUNTRY": lambda r: _words(r.choice(COUNTRIES).display, "LOC"),
    "PLACE": lambda r: _words(r.choice([c.name for c in CITIES] + [c.display for c in COUNTRIES] + list(REGIONS)),
                              "LOC"),
    "ORG": _org,
    "COMPANY": lambda r: _org(r, "company"),
    "UNI": lambda r: _org(r, "university"),
    "CLUB": lambda r: _org(r, "club"),
    "DEMONYM": lambda r: _words(r.choice(COUNTRIES).demonym, "MISC", "JJ"),
    "LANG": lambda r: _words(r.choice(LANGUAGES), "MISC"),
    "EVENT": lambda r: _words(r.choice(EVENTS), "MISC"),
    "SUBJECT": lambda r: (lambda s: _words(s, "MISC") if s[0].isupper() else _plain(s, "NN"))(r.choice(SCHOOL_SUBJECTS)),
    "JOB": lambda r: _plain(r.choice(PROFESSIONS).name, "NN"),
    "DAY": lambda r: _plain(r.choice(DAYS), "NNP"),
    "MONTH": lambda r: _plain(r.choice(MONTHS), "NNP"),
    "YEAR": lambda r: _plain(str(r.randint(1990, 2023)), "CD"),
    "NUM": lambda r: _plain(str(r.choice((20, 50, 120, 200, 300, 500, 1000))), "CD"),
    "SCORE": lambda r: _plain(f"{r.randint(1, 4)}-{r.randint(0, 3)}", "CD"),
    "ANIMAL": lambda r: _plain(r.choice(ANIMALS).name, "NN"),
    "REST": lambda r: _plain(r.choice(RESTING_PLACES), "NN"),
    "WEATHER": lambda r: _plain(r.choice(WEATHERS).adjective, "JJ"),
}

ENTITY_OF_SLOT = {"PER": "PER", "PLACE": "LOC", "COUNTRY": "LOC"}
TEMPLATES = (
    "{PER} was/VBD born/VBN in/IN {PLACE} ./.",
    "{PER} works/VBZ for/IN {COMPANY} in/IN {CITY} ./.",
    "{COMPANY} opened/VBD a/DT new/JJ office/NN in/IN {CITY} on/IN {DAY} ./.",
    "{PER} ,/, a/DT {DEMONYM} {JOB} ,/, visited/VBD {PLACE} last/JJ {MONTH} ./.",
    "{CLUB} beat/VBD {CLUB} {SCORE} on/IN {DAY} ./.",
    "the/DT {DEMONYM} team/NN won/VBD {EVENT} in/IN {YEAR} ./.",
    "{PER} speaks/VBZ {LANG} and/CC {LANG} ./.",
    "{PER} met/VBD {PER} at/IN {ORG} ./.",
    "{PER} studied/VBD {SUBJECT} at/IN {UNI} ./.",
    "{COMPANY} said/VBD on/IN {DAY} that/IN it/PRP will/MD hire/VB {NUM} people/NNS in/IN {COUNTRY} ./.",
    "{PER} told/VBD reporters/NNS in/IN {CITY} that/IN {ORG} would/MD help/VB ./.",
    "{PER} flew/VBD from/IN {CITY} to/IN {CITY} on/IN {DAY} ./.",
    "{PER} won/VBD {EVENT} in/IN {YEAR} ./.",
    "{PER} (/( {COUNTRY} )/) scored/VBD twice/RB for/IN {CLUB} ./.",
    "{COMPANY} has/VBZ {NUM} workers/NNS in/IN {COUNTRY} ./.",
    "the/DT {JOB} from/IN {CITY} moved/VBD to/TO {PLACE} in/IN {YEAR} ./.",
    "the/DT {ANIMAL} sat/VBD on/IN the/DT {REST} ./.",
    "it/PRP was/VBD {WEATHER} on/IN {DAY} ./.",
    "{PER} 's/POS {ANIMAL} sleeps/VBZ on/IN the/DT {REST} ./.",
)
# True facts about the world's famous people: only these templates name them.
FAMOUS_TEMPLATES = ("{PER} was/VBD born/VBN in/IN {PLACE} ./.", "{PER} was/VBD born/VBN in/IN {COUNTRY} ./.",
                    "{PER} is/VBZ from/IN {COUNTRY} ./.")
_CHUNK = {"DT": "NP", "JJ": "NP", "NN": "NP", "NNS": "NP", "NNP": "NP", "NNPS": "NP", "CD": "NP", "PRP": "NP",
          "POS": "NP", "VBD": "VP", "VBZ": "VP", "VBN": "VP", "VB": "VP", "MD": "VP", "RB": "VP", "IN": "PP",
          "TO": "PP"}


def sentence(rng: random.Random, template: str | None = None, **fixed: str) -> list[Word]:
    """One sentence from ``template`` (or a random one); ``fixed`` pins slots to given entities:
    ``sentence(rng, TEMPLATES[0], PER="Barack Obama", PLACE="Hawaii")``."""
    if template is None and rng.random() < 0.05:
        person = rng.choice(PEOPLE)
        template = rng.choice(FAMOUS_TEMPLATES)
        fixed = {"PER": person.name, "PLACE": person.birthplace, "COUNTRY": COUNTRY[person.birth_country].display}
    words: list[Word] = []
    for i, piece in enumerate((template or rng.choice(TEMPLATES)).split()):
        if piece.startswith("{"):
            slot = piece[1:-1]
            filled = _words(fixed[slot], ENTITY_OF_SLOT[slot]) if slot in fixed else SLOTS[slot](rng)
            words += [(w, pos, f"{entity}#{i}" if entity else "") for w, pos, entity in filled]  # #i: which slot
        else:
            word, pos = piece.rsplit("/", 1)
            words.append((word, pos, ""))
    words = [("an" if w == "a" and words[j + 1][0][0] in "AEIOUaeiou" else w, pos, entity)
             for j, (w, pos, entity) in enumerate(words)]
    word, pos, entity = words[0]
    return [(word[:1].upper() + word[1:], pos, entity)] + words[1:]


def conll_lines(words: list[Word]) -> list[str]:
    """``word POS chunk tag`` lines: BIO entity tags, and BIO chunks derived from the POS tags."""
    lines, previous_entity, previous_chunk = [], "", ""
    for word, pos, entity in words:
        chunk = _CHUNK.get(pos, "")
        chunk_tag = "O" if not chunk else ("I-" if chunk == previous_chunk else "B-") + chunk
        tag = "O" if not entity else ("I-" if entity == previous_entity else "B-") + entity.split("#")[0]
        lines.append(f"{word} {pos} {chunk_tag} {tag}")
        previous_entity, previous_chunk = entity, chunk
    return lines


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.txt``: documents of 6 to 14 sentences. Returns per split the number
    of sentences and the count of each entity type (B- tags)."""
    rng = random.Random(seed)
    obama = sentence(rng, TEMPLATES[0], PER="Barack Obama", PLACE="Hawaii")
    seen = {tuple(w for w, _, _ in obama)}
    report = {}
    for name, size in zip(SPLITS, sizes):
        sentences = draw_unique(sentence, size - (name == "train"), rng,
                                key=lambda s: tuple(w for w, _, _ in s), seen=seen)
        if name == "train":
            sentences.insert(0, obama)
        lines, start = [], 0
        while start < len(sentences):
            length = rng.randint(6, 14)
            lines += ["-DOCSTART- -X- -X- O", ""]
            for words in sentences[start:start + length]:
                lines += conll_lines(words) + [""]
            start += length
        path = Path(out_dir) / f"{name}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
        tags = Counter(line.rsplit(" ", 1)[1][2:] for line in lines if line.endswith(("B-PER", "B-LOC", "B-ORG", "B-MISC")))
        report[name] = {"sentences": len(sentences), **dict(sorted(tags.items()))}
    return report


if __name__ == "__main__":
    main(write, TASK)
