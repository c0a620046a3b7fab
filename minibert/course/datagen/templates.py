"""The template engine of the course's generated text: slots, alternatives, agreement (``stories`` uses it).

A template has slots in braces (``{name}``, ``{he}``, ``{city}``) filled from a document's cast, and
alternatives in square brackets (``[Then|After that|Later]``) of which one is drawn; alternatives can nest
and can be empty (``[very |]``). The first letter of a sentence is capitalised after filling.
"""
from __future__ import annotations

import random
import re

from minibert.course.datagen import world as W

# --------------------------------------------------------------------------------------------
# The template engine
# --------------------------------------------------------------------------------------------

_ALTERNATIVES = re.compile(r"\[([^\[\]]*)\]")   # an innermost [a|b|c] group


def expand(template: str, rng: random.Random, **slots: str) -> str:
    """Fill one template: draw each ``[a|b]`` alternative, fill ``{slot}``s, tidy up the sentence."""
    while (group := _ALTERNATIVES.search(template)) is not None:   # innermost first, so groups can nest
        template = template[: group.start()] + rng.choice(group.group(1).split("|")) + template[group.end():]
    text = re.sub(r"\s+", " ", template.format(**slots)).strip()
    text = text.replace(" ,", ",").replace(" .", ".")
    return text[0].upper() + text[1:]


def an(word: str) -> str:
    """``an(apple) == "an apple"``, ``an(cat) == "a cat"``."""
    return f"{'an' if word[0].lower() in 'aeiou' else 'a'} {word}"


def pronouns(gender: str) -> dict[str, str]:
    """Slots for agreeing pronouns: ``{he} {him} {his}`` for a female, male or neuter referent."""
    table = {"female": ("she", "her", "her"), "male": ("he", "him", "his"), "neuter": ("it", "it", "its")}
    he, him, his = table[gender]
    return {"he": he, "him": him, "his": his}


def lower_first(sentence: str) -> str:
    """Lower-case a sentence's first word for use after a connective, unless it is a proper noun."""
    first = sentence.split()[0]
    return sentence if first in _PROPER_STARTS else sentence[0].lower() + sentence[1:]


_PROPER_STARTS = {"Mars", "Jupiter", "I"}


class Writer:
    """Collects the sentences of one document; every beat goes through :meth:`say`."""

    def __init__(self, rng: random.Random, **cast: str):
        self.rng = rng
        self.cast = cast
        self.sentences: list[str] = []

    def say(self, *templates: str, p: float = 1.0, **extra: str) -> None:
        """Tell one beat: with probability ``p``, draw one of ``templates`` and fill it from the cast."""
        if self.rng.random() < p:
            self.sentences.append(expand(self.rng.choice(templates), self.rng, **self.cast, **extra))

    def said(self, sentence: str) -> None:
        """Append a sentence written elsewhere (a fact from the world)."""
        self.sentences.append(sentence)


def draw_person(rng: random.Random) -> dict[str, str]:
    gender = rng.choice(("female", "male"))
    first = rng.choice(W.FEMALE_NAMES if gender == "female" else W.MALE_NAMES)
    return {"name": first, "last": rng.choice(W.LAST_NAMES), **pronouns(gender)}


def draw_friend(rng: random.Random, avoid: str) -> str:
    return rng.choice([n for n in W.FEMALE_NAMES + W.MALE_NAMES if n != avoid])


def listing(items: list[str] | tuple[str, ...]) -> str:
    """``listing(["a", "b", "c"]) == "a, b and c"``."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def ordinal(n: int) -> str:
    """``ordinal(21) == "21st"``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def past(verb: str) -> str:
    """The past tense of a third-person animal sound: ``past("barks") == "barked"``."""
    base = verb[:-1]
    return {"yap": "yapped"}.get(base, base + ("d" if base.endswith("e") else "ed"))


def number_word(n: int) -> str:
    return ("zero one two three four five six seven eight nine ten eleven twelve".split())[n]
