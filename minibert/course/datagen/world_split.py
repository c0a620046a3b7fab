"""The fine-tuning tasks' split of the world (``world.py``): a training part and a held-out part.

The pre-training corpus (``stories.py``) tells of the whole world. The fine-tuning datasets
(``task_*.py``) write their training split from one part of it and their dev and test splits from the
other, so a dev score says whether a model reads its input, not whether it remembers the names of
its training examples. The split goes by country: a held-out country takes its cities, landmarks,
dish, demonym, its organisations and the famous people born there with it. First names, last names
and pet names are split too; languages spoken in both parts stay on the training side.

``world_part("train")`` is ``TRAIN_PART``; ``world_part("dev")`` and ``world_part("test")`` are
``HELD_OUT_PART``. Nothing here is used by the corpus, which therefore does not change.
"""
from __future__ import annotations

from dataclasses import dataclass

from .world import (CITIES, CITY, COUNTRIES, FEMALE_NAMES, FEMALE_PET_NAMES, LAST_NAMES, MALE_NAMES, MALE_PET_NAMES,
                    ORGANISATIONS, PEOPLE, REGIONS, City, Country, Organisation, Person)

HELD_OUT_COUNTRIES: tuple[str, ...] = ("France", "United States", "Mexico", "Spain", "Netherlands", "Portugal",
                                       "Greece", "Norway", "Egypt", "Kenya", "Thailand", "Indonesia", "Peru")
HELD_OUT_REGIONS: tuple[str, ...] = ("Hawaii", "California", "Texas", "the Sahara")
HELD_OUT_FEMALE_NAMES: tuple[str, ...] = ("Sofia", "Lucy", "Clara", "Yuki", "Nora", "Zoe", "Mei", "Ines")
HELD_OUT_MALE_NAMES: tuple[str, ...] = ("James", "Leo", "Sam", "Omar", "Hiro", "Kofi", "Ivan", "Hugo")
HELD_OUT_LAST_NAMES: tuple[str, ...] = ("Moreau", "Rossi", "Kim", "Patel", "Dubois", "Okafor", "Costa", "Fischer",
                                        "Sato", "Hughes")
HELD_OUT_PET_NAMES: tuple[str, ...] = ("Luna", "Coco", "Nala", "Oscar", "Simba", "Leo")

# Organisations only the fine-tuning tasks name (the corpus names ORGANISATIONS only), so that each
# part has companies, universities, agencies and clubs. Companies are invented; the others are real,
# in their real cities.
TASK_ORGANISATIONS: tuple[Organisation, ...] = ORGANISATIONS + (
    Organisation("Harbour Light Insurance", "company", "Sydney", "insurance"),
    Organisation("Tiger Lily Cosmetics", "company", "Seoul", "cosmetics"),
    Organisation("Desert Rose Travel", "company", "Marrakesh", "holidays"),
    Organisation("Kiwi Fields Dairy", "company", "Auckland", "milk and cheese"),
    Organisation("Red Cliff Airlines", "company", "Lisbon", "flights"),
    Organisation("Nordic Light Studios", "company", "Oslo", "films"),
    Organisation("Olive Grove Foods", "company", "Athens", "olive oil"),
    Organisation("Lakeside Robotics", "company", "Nairobi", "robots"),
    Organisation("the University of Melbourne", "university", "Melbourne", "teaching and research"),
    Organisation("Peking University", "university", "Beijing", "teaching and research"),
    Organisation("the University of Lisbon", "university", "Lisbon", "teaching and research"),
    Organisation("the University of Nairobi", "university", "Nairobi", "teaching and research"),
    Organisation("the African Union", "agency", "Addis Ababa", "cooperation in Africa"),
    Organisation("the World Bank", "agency", "Washington", "loans for development"),
    Organisation("AC Milan", "club", "Milan", "football"),
    Organisation("Galatasaray", "club", "Istanbul", "football"),
    Organisation("Benfica", "club", "Lisbon", "football"),
    Organisation("Panathinaikos", "club", "Athens", "football"),
)


@dataclass(frozen=True)
class WorldPart:
    """The names and facts one split of a fine-tuning task may use."""

    countries: tuple[Country, ...]
    cities: tuple[City, ...]
    regions: tuple[str, ...]
    people: tuple[Person, ...]
    organisations: tuple[Organisation, ...]
    female_names: tuple[str, ...]
    male_names: tuple[str, ...]
    last_names: tuple[str, ...]
    pet_names: tuple[str, ...]                 # pets are "it" in the tasks: one list
    languages: tuple[str, ...]                 # spoken in this part only, or (training part) in both

    @property
    def first_names(self) -> tuple[str, ...]:
        return self.female_names + self.male_names


def _world_part(held_out: bool) -> WorldPart:
    def keep(name: str, held: tuple[str, ...]) -> bool:
        return (name in held) == held_out

    countries = tuple(c for c in COUNTRIES if keep(c.name, HELD_OUT_COUNTRIES))
    names = {c.name for c in countries}
    train_languages = {c.language for c in COUNTRIES if c.name not in HELD_OUT_COUNTRIES}
    return WorldPart(
        countries=countries,
        cities=tuple(c for c in CITIES if c.country in names),
        regions=tuple(r for r in REGIONS if keep(r, HELD_OUT_REGIONS)),
        people=tuple(p for p in PEOPLE if p.birth_country in names),
        organisations=tuple(o for o in TASK_ORGANISATIONS if CITY[o.city].country in names),
        female_names=tuple(n for n in FEMALE_NAMES if keep(n, HELD_OUT_FEMALE_NAMES)),
        male_names=tuple(n for n in MALE_NAMES if keep(n, HELD_OUT_MALE_NAMES)),
        last_names=tuple(n for n in LAST_NAMES if keep(n, HELD_OUT_LAST_NAMES)),
        pet_names=tuple(n for n in FEMALE_PET_NAMES + MALE_PET_NAMES if keep(n, HELD_OUT_PET_NAMES)),
        languages=tuple(sorted({c.language for c in countries} - (set() if not held_out else train_languages))),
    )


TRAIN_PART: WorldPart = _world_part(held_out=False)
HELD_OUT_PART: WorldPart = _world_part(held_out=True)


def world_part(split: str) -> WorldPart:
    """The part of the world a split of a fine-tuning task draws from: train -> TRAIN_PART,
    dev and test -> HELD_OUT_PART."""
    return TRAIN_PART if split == "train" else HELD_OUT_PART
