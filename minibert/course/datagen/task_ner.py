"""NER sentences in CoNLL-2003's four-column format (``word POS chunk tag``), tags in BIO.

Entities are people (PER), places (LOC), organisations (ORG) and CoNLL's "miscellaneous" (MISC:
nationalities, languages, events), taken from the shared world, many of them several words long
("Barack Obama", "Rio de Janeiro", "the World Health Organization", where "the" stays outside as in
CoNLL). Sentences come from templates whose literal words carry their part-of-speech tag
(``was/VBD``); entity words are NNP, and the chunk column is derived from the POS tags (NP, VP, PP,
in BIO). The POS and chunk columns are therefore only approximate: the NER tags are the point.
Sentences are grouped into documents separated by ``-DOCSTART-`` lines; no sentence repeats across
splits.

Held out: training sentences name the world's training part (``world_split.TRAIN_PART``: its people,
places, organisations, languages, demonyms) and training events; dev and test sentences name the
held-out part and held-out events only, and a quarter of them come from templates training never
uses. So a tagger has to recognise entities from their context and form: a lookup of the training
entities finds almost none of them. The first dev sentence is the course brief's "Barack Obama was
born in Hawaii ." (dev, so that a demo tags a sentence the model was not trained on).

``python -m minibert.course.datagen.task_ner`` writes ``data/tasks/ner/{train,dev,test}.txt``.
"""
from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from typing import Callable

from .task_common import SEED, SPLITS, draw_unique, main
from .world import ANIMALS, COUNTRY, DAYS, MONTHS, PROFESSIONS, RESTING_PLACES, SCHOOL_SUBJECTS, WEATHERS
from .world_split import WorldPart, world_part

SIZES = (4500, 400, 400)  # sentences
TASK = "ner"
Word = tuple[str, str, str]  # (word, POS, entity type or ""; in a sentence "PER#3": the type and its slot)

# Events (MISC), which are not in the world tables: the first for training, the others held out.
TRAIN_EVENTS = ("the World Cup", "the Olympic Games", "the Nobel Prize", "the Champions League", "the Rugby World Cup",
                "the Asian Games", "the Berlin Film Festival", "the London Marathon")
HELD_OUT_EVENTS = ("the Tour de France", "the Eurovision Song Contest", "the Boston Marathon",
                   "the Cannes Film Festival", "the Super Bowl", "the Venice Film Festival", "the Davis Cup",
                   "the Commonwealth Games")


def _words(text: str, entity: str, pos: str = "NNP") -> list[Word]:
    """The words of an entity name; a leading "the" stays outside the entity (CoNLL's convention)."""
    words = text.split()
    out: list[Word] = []
    if words[0] == "the":
        out.append(("the", "DT", ""))
        words = words[1:]
    return out + [(w, pos if w[0].isupper() else "IN", entity) for w in words]  # "de" in "Rio de Janeiro"


def _person(rng: random.Random, part: WorldPart) -> list[Word]:
    """An invented person: the templates say things that are not true of real people."""
    first = rng.choice(part.first_names)
    return _words(first if rng.random() < 0.25 else f"{first} {rng.choice(part.last_names)}", "PER")


def _org(rng: random.Random, part: WorldPart, kind: str | None = None) -> list[Word]:
    return _words(rng.choice([o for o in part.organisations if kind in (None, o.kind)]).name, "ORG")


def _plain(text: str, pos: str) -> list[Word]:
    return [(w, pos, "") for w in text.split()]


def _subject(rng: random.Random, part: WorldPart) -> list[Word]:
    """A school subject: "maths" (not an entity) or a language of the part ("Thai", MISC)."""
    subject = rng.choice([s for s in SCHOOL_SUBJECTS if s.islower()] + ["LANGUAGE"])
    return _words(rng.choice(part.languages), "MISC") if subject == "LANGUAGE" else _plain(subject, "NN")


# Slot fillers: {NAME} in a template -> words, drawn from the split's part of the world.
SLOTS: dict[str, Callable[[random.Random, WorldPart], list[Word]]] = {
    "PER": _person,
    "CITY": lambda r, w: _words(r.choice(w.cities).name, "LOC"),
    "COUNTRY": lambda r, w: _words(r.choice(w.countries).display, "LOC"),
    "PLACE": lambda r, w: _words(r.choice([c.name for c in w.cities] + [c.display for c in w.countries]
                                          + list(w.regions)), "LOC"),
    "ORG": _org,
    "COMPANY": lambda r, w: _org(r, w, "company"),
    "UNI": lambda r, w: _org(r, w, "university"),
    "CLUB": lambda r, w: _org(r, w, "club"),
    "DEMONYM": lambda r, w: _words(r.choice(w.countries).demonym, "MISC", "JJ"),
    "LANG": lambda r, w: _words(r.choice(w.languages), "MISC"),
    "EVENT": lambda r, w: _words(r.choice(TRAIN_EVENTS if w is world_part("train") else HELD_OUT_EVENTS), "MISC"),
    "SUBJECT": _subject,
    "JOB": lambda r, w: _plain(r.choice(PROFESSIONS).name, "NN"),
    "DAY": lambda r, w: _plain(r.choice(DAYS), "NNP"),
    "MONTH": lambda r, w: _plain(r.choice(MONTHS), "NNP"),
    "YEAR": lambda r, w: _plain(str(r.randint(1990, 2023)), "CD"),
    "NUM": lambda r, w: _plain(str(r.choice((20, 50, 120, 200, 300, 500, 1000))), "CD"),
    "SCORE": lambda r, w: _plain(f"{r.randint(1, 4)}-{r.randint(0, 3)}", "CD"),
    "ANIMAL": lambda r, w: _plain(r.choice(ANIMALS).name, "NN"),
    "REST": lambda r, w: _plain(r.choice(RESTING_PLACES), "NN"),
    "WEATHER": lambda r, w: _plain(r.choice(WEATHERS).adjective, "JJ"),
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
# Sentence shapes only dev and test use: the same entity types in contexts training never shows.
HELD_OUT_TEMPLATES = (
    "{PER} opened/VBD a/DT cafe/NN in/IN {CITY} with/IN money/NN from/IN {COMPANY} ./.",
    "fans/NNS of/IN {CLUB} travelled/VBD to/TO {CITY} for/IN the/DT final/NN ./.",
    "{PER} ,/, who/WP grew/VBD up/RP in/IN {PLACE} ,/, now/RB teaches/VBZ {LANG} ./.",
    "a/DT {DEMONYM} film/NN about/IN {PER} won/VBD a/DT prize/NN at/IN {EVENT} ./.",
    "{UNI} and/CC {COMPANY} will/MD build/VB a/DT laboratory/NN in/IN {COUNTRY} ./.",
    "last/JJ {MONTH} ,/, {PER} and/CC {PER} drove/VBD across/IN {COUNTRY} ./.",
    "{PER} joined/VBD {ORG} after/IN five/CD years/NNS in/IN {CITY} ./.",
)
# True facts about the world's famous people: only these templates name them.
FAMOUS_TEMPLATES = ("{PER} was/VBD born/VBN in/IN {PLACE} ./.", "{PER} was/VBD born/VBN in/IN {COUNTRY} ./.",
                    "{PER} is/VBZ from/IN {COUNTRY} ./.")
_CHUNK = {"DT": "NP", "JJ": "NP", "NN": "NP", "NNS": "NP", "NNP": "NP", "NNPS": "NP", "CD": "NP", "PRP": "NP",
          "POS": "NP", "VBD": "VP", "VBZ": "VP", "VBN": "VP", "VB": "VP", "MD": "VP", "RB": "VP", "IN": "PP",
          "TO": "PP"}


def sentence(rng: random.Random, split: str = "train", template: str | None = None, **fixed: str) -> list[Word]:
    """One sentence of ``split`` from ``template`` (or a random one of the split's templates); ``fixed``
    pins slots to given entities: ``sentence(rng, "dev", TEMPLATES[0], PER="Barack Obama", PLACE="Hawaii")``."""
    part = world_part(split)
    templates = TEMPLATES if split == "train" else TEMPLATES + HELD_OUT_TEMPLATES
    if template is None and rng.random() < 0.05:
        person = rng.choice(part.people)
        template = rng.choice(FAMOUS_TEMPLATES)
        fixed = {"PER": person.name, "PLACE": person.birthplace, "COUNTRY": COUNTRY[person.birth_country].display}
    words: list[Word] = []
    for i, piece in enumerate((template or rng.choice(templates)).split()):
        if piece.startswith("{"):
            slot = piece[1:-1]
            filled = _words(fixed[slot], ENTITY_OF_SLOT[slot]) if slot in fixed else SLOTS[slot](rng, part)
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
    obama = sentence(rng, "dev", TEMPLATES[0], PER="Barack Obama", PLACE="Hawaii")
    seen = {tuple(w for w, _, _ in obama)}
    report = {}
    for name, size in zip(SPLITS, sizes):
        sentences = draw_unique(lambda r, name=name: sentence(r, name), size - (name == "dev"), rng,
                                key=lambda s: tuple(w for w, _, _ in s), seen=seen)
        if name == "dev":
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
