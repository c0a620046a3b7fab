"""A small English -> French parallel corpus, as TSV (``english<TAB>french``, no header).

Short sentences from templates and a bilingual lexicon written for them, with the French grammar
the templates need done right: gender and number agreement of articles and adjectives, adjectives
before (``petit``, ``vieux``) or after (``noir``) the noun, present-tense conjugation, ``ne ... pas``
with ``de`` after a negated indefinite, elision (``j'ai``, ``n'est``), country prepositions (``en
France``, ``au Japon``, ``aux États-Unis``), and English progressive forms that French says in the
present. Tokens are separated by spaces and sentences are lower-case except names, like
"the cat is black ." -> "le chat est noir .". No French sentence repeats, within or across splits.

Held out: the people named in dev and test sentences are first names of the world's held-out part
(``world_split.HELD_OUT_PART``), never training's (names are copied, so this changes little: the vocabulary
and grammar are what the model has to learn, and every dev sentence is new).

``python -m minibert.course.datagen.task_translation`` writes ``data/tasks/translation/{train,dev,test}.tsv``.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

from .task_common import SEED, SPLITS, a_or_an, draw_unique, main, write_tsv
from .world import COUNTRY
from .world_split import world_part

SIZES = (5000, 300, 300)
TASK = "translation"


@dataclass(frozen=True)
class Noun:
    en: str
    en_plural: str
    fr: str
    fr_plural: str
    feminine: bool
    kind: str  # "animal", "person", "thing", "food"


NOUNS = tuple(Noun(*row) for row in (
    ("cat", "cats", "chat", "chats", False, "animal"), ("dog", "dogs", "chien", "chiens", False, "animal"),
    ("horse", "horses", "cheval", "chevaux", False, "animal"), ("cow", "cows", "vache", "vaches", True, "animal"),
    ("bird", "birds", "oiseau", "oiseaux", False, "animal"), ("mouse", "mice", "souris", "souris", True, "animal"),
    ("rabbit", "rabbits", "lapin", "lapins", False, "animal"), ("duck", "ducks", "canard", "canards", False, "animal"),
    ("boy", "boys", "garçon", "garçons", False, "person"), ("girl", "girls", "fille", "filles", True, "person"),
    ("woman", "women", "femme", "femmes", True, "person"), ("doctor", "doctors", "médecin", "médecins", False, "person"),
    ("house", "houses", "maison", "maisons", True, "thing"), ("car", "cars", "voiture", "voitures", True, "thing"),
    ("book", "books", "livre", "livres", False, "thing"), ("table", "tables", "table", "tables", True, "thing"),
    ("chair", "chairs", "chaise", "chaises", True, "thing"), ("door", "doors", "porte", "portes", True, "thing"),
    ("bike", "bikes", "vélo", "vélos", False, "thing"), ("ball", "balls", "ballon", "ballons", False, "thing"),
    ("cup", "cups", "tasse", "tasses", True, "thing"), ("bag", "bags", "sac", "sacs", False, "thing"),
    ("box", "boxes", "boîte", "boîtes", True, "thing"), ("window", "windows", "fenêtre", "fenêtres", True, "thing"),
    ("apple", "apples", "pomme", "pommes", True, "food"), ("cake", "cakes", "gâteau", "gâteaux", False, "food"),
    ("banana", "bananas", "banane", "bananes", True, "food"), ("carrot", "carrots", "carotte", "carottes", True, "food"),
    ("tomato", "tomatoes", "tomate", "tomates", True, "food"),
))
NOUN = {n.en: n for n in NOUNS}


@dataclass(frozen=True)
class Adjective:
    en: str
    forms: tuple[str, str, str, str]  # masculine, feminine, masculine plural, feminine plural
    before: bool                       # French puts it before the noun ("petit chat")
    nouns: tuple[str, ...]             # what it may describe


_ANIMALS = tuple(n.en for n in NOUNS if n.kind == "animal")
_THINGS = tuple(n.en for n in NOUNS if n.kind == "thing")
_LIVING = _ANIMALS + tuple(n.en for n in NOUNS if n.kind == "person")
ADJECTIVES = tuple(Adjective(*row) for row in (
    ("black", ("noir", "noire", "noirs", "noires"), False, _ANIMALS + _THINGS),
    ("white", ("blanc", "blanche", "blancs", "blanches"), False, _ANIMALS + _THINGS),
    ("grey", ("gris", "grise", "gris", "grises"), False, _ANIMALS + _THINGS),
    ("brown", ("brun", "brune", "bruns", "brunes"), False, _ANIMALS + ("table", "chair", "door", "bag", "box")),
    ("red", ("rouge", "rouge", "rouges", "rouges"), False, _THINGS + ("apple", "tomato")),
    ("green", ("vert", "verte", "verts", "vertes"), False, _THINGS + ("apple", "tomato", "banana")),
    ("blue", ("bleu", "bleue", "bleus", "bleues"), False, _THINGS + ("bird",)),
    ("yellow", ("jaune", "jaune", "jaunes", "jaunes"), False, _THINGS + ("banana", "bird", "duck")),
    ("small", ("petit", "petite", "petits", "petites"), True, _LIVING + _THINGS),
    ("big", ("grand", "grande", "grands", "grandes"), True, _LIVING + _THINGS),
    ("pretty", ("joli", "jolie", "jolis", "jolies"), True, _ANIMALS + _THINGS),
    ("old", ("vieux", "vieille", "vieux", "vieilles"), True,  # not "bird": "vieil oiseau"
     tuple(n for n in _LIVING + _THINGS if n != "bird")),
    ("new", ("nouveau", "nouvelle", "nouveaux", "nouvelles"), True, _THINGS),
    ("happy", ("heureux", "heureuse", "heureux", "heureuses"), False, _LIVING),
    ("tired", ("fatigué", "fatiguée", "fatigués", "fatiguées"), False, _LIVING),
    ("fast", ("rapide", "rapide", "rapides", "rapides"), False, ("car", "bike", "horse", "dog", "rabbit")),
))


@dataclass(frozen=True)
class Verb:
    en: str
    en_s: str                         # he ...s
    en_ing: str                       # "" when English does not use it in the progressive
    fr: tuple[str, str, str, str, str]  # je, il/elle, nous, vous, ils
    subjects: tuple[str, ...]         # nouns that can do it (people and pronouns always can)
    objects: tuple[str, ...] = ()     # transitive: what it takes


PERSON_NOUNS = tuple(n.en for n in NOUNS if n.kind == "person")
_ALL = tuple(n.en for n in NOUNS)
_FOOD = tuple(n.en for n in NOUNS if n.kind == "food")
_OBJECTS = tuple(n.en for n in NOUNS if n.kind != "person")  # what one can have or want
INTRANSITIVE = tuple(Verb(*row) for row in (
    ("sleep", "sleeps", "sleeping", ("dors", "dort", "dormons", "dormez", "dorment"), _LIVING),
    ("run", "runs", "running", ("cours", "court", "courons", "courez", "courent"),
     PERSON_NOUNS + ("dog", "horse", "cat", "rabbit", "mouse")),
    ("eat", "eats", "eating", ("mange", "mange", "mangeons", "mangez", "mangent"), _LIVING),
    ("sing", "sings", "singing", ("chante", "chante", "chantons", "chantez", "chantent"), PERSON_NOUNS + ("bird",)),
    ("swim", "swims", "swimming", ("nage", "nage", "nageons", "nagez", "nagent"), PERSON_NOUNS + ("duck", "dog")),
    ("play", "plays", "playing", ("joue", "joue", "jouons", "jouez", "jouent"), PERSON_NOUNS + ("cat", "dog")),
))
TRANSITIVE = tuple(Verb(*row) for row in (
    ("see", "sees", "", ("vois", "voit", "voyons", "voyez", "voient"), PERSON_NOUNS, _ALL),
    ("like", "likes", "", ("aime", "aime", "aimons", "aimez", "aiment"), PERSON_NOUNS, _ALL),
    ("want", "wants", "", ("veux", "veut", "voulons", "voulez", "veulent"), PERSON_NOUNS, _OBJECTS),
    ("have", "has", "", ("ai", "a", "avons", "avez", "ont"), PERSON_NOUNS, _OBJECTS),
    ("buy", "buys", "buying", ("achète", "achète", "achetons", "achetez", "achètent"), PERSON_NOUNS, _THINGS + _FOOD),
    ("eat", "eats", "eating", ("mange", "mange", "mangeons", "mangez", "mangent"), _LIVING, _FOOD),
    ("read", "reads", "reading", ("lis", "lit", "lisons", "lisez", "lisent"), PERSON_NOUNS, ("book",)),
    ("open", "opens", "opening", ("ouvre", "ouvre", "ouvrons", "ouvrez", "ouvrent"), PERSON_NOUNS,
     ("door", "window", "box", "bag", "book")),
))
# Subject pronouns: (English, French, person: index into Verb.fr, English "be", English "do")
PRONOUNS = (("I", "je", 0, "am", "do"), ("you", "vous", 3, "are", "do"), ("he", "il", 1, "is", "does"),
            ("she", "elle", 1, "is", "does"), ("we", "nous", 2, "are", "do"), ("they", "ils", 4, "are", "do"))
NUMBERS = (("two", "deux"), ("three", "trois"), ("four", "quatre"), ("five", "cinq"), ("six", "six"),
           ("seven", "sept"), ("eight", "huit"), ("nine", "neuf"), ("ten", "dix"))
PREPOSITIONS = (("in", "dans", ("house", "car", "box", "bag")), ("on", "sur", ("table", "chair", "box", "car")),
                ("under", "sous", ("table", "chair", "car")), ("behind", "derrière", ("house", "door", "car", "chair")),
                ("in front of", "devant", ("house", "door", "car", "window")))
SMALL = ("cat", "dog", "bird", "mouse", "rabbit", "duck", "book", "ball", "cup", "bag", "box", "apple", "cake",
         "banana", "carrot", "tomato")  # what can be in a bag or under a chair
# Country: (French name with article, "in" form, "of" form, capital in French)
COUNTRIES_FR = {
    "France": ("la France", "en France", "de la France", "Paris"),
    "Japan": ("le Japon", "au Japon", "du Japon", "Tokyo"),
    "Germany": ("l'Allemagne", "en Allemagne", "de l'Allemagne", "Berlin"),
    "Italy": ("l'Italie", "en Italie", "de l'Italie", "Rome"),
    "Spain": ("l'Espagne", "en Espagne", "de l'Espagne", "Madrid"),
    "Canada": ("le Canada", "au Canada", "du Canada", "Ottawa"),
    "Brazil": ("le Brésil", "au Brésil", "du Brésil", "Brasilia"),
    "Portugal": ("le Portugal", "au Portugal", "du Portugal", "Lisbonne"),
    "China": ("la Chine", "en Chine", "de la Chine", "Pékin"),
    "Mexico": ("le Mexique", "au Mexique", "du Mexique", "Mexico"),
    "United States": ("les États-Unis", "aux États-Unis", "des États-Unis", "Washington"),
    "Egypt": ("l'Égypte", "en Égypte", "de l'Égypte", "Le Caire"),
    "Greece": ("la Grèce", "en Grèce", "de la Grèce", "Athènes"),
    "Russia": ("la Russie", "en Russie", "de la Russie", "Moscou"),
    "Peru": ("le Pérou", "au Pérou", "du Pérou", "Lima"),
    "Morocco": ("le Maroc", "au Maroc", "du Maroc", "Rabat"),
    "Kenya": ("le Kenya", "au Kenya", "du Kenya", "Nairobi"),
    "Poland": ("la Pologne", "en Pologne", "de la Pologne", "Varsovie"),
    "Sweden": ("la Suède", "en Suède", "de la Suède", "Stockholm"),
    "Norway": ("la Norvège", "en Norvège", "de la Norvège", "Oslo"),
    "India": ("l'Inde", "en Inde", "de l'Inde", "New Delhi"),
    "Ireland": ("l'Irlande", "en Irlande", "de l'Irlande", "Dublin"),
    "Switzerland": ("la Suisse", "en Suisse", "de la Suisse", "Berne"),
    "Netherlands": ("les Pays-Bas", "aux Pays-Bas", "des Pays-Bas", "Amsterdam"),
    "Argentina": ("l'Argentine", "en Argentine", "de l'Argentine", "Buenos Aires"),
    "United Kingdom": ("le Royaume-Uni", "au Royaume-Uni", "du Royaume-Uni", "Londres"),
    "Australia": ("l'Australie", "en Australie", "de l'Australie", "Canberra"),
}
LANGUAGES = {"French": "français", "English": "anglais", "Spanish": "espagnol", "German": "allemand",
             "Italian": "italien", "Japanese": "japonais", "Portuguese": "portugais", "Chinese": "chinois",
             "Arabic": "arabe", "Russian": "russe", "Greek": "grec", "Dutch": "néerlandais", "Polish": "polonais",
             "Swedish": "suédois"}
WEATHER = (("it is sunny", "il fait beau"), ("it is hot", "il fait chaud"), ("it is cold", "il fait froid"),
           ("it is raining", "il pleut"), ("it is snowing", "il neige"), ("it is windy", "il y a du vent"))
WHEN = (("today", "aujourd'hui"), ("tonight", "ce soir"), ("this morning", "ce matin"), ("in winter", "en hiver"),
        ("in summer", "en été"))
Pair = tuple[str, str]


# ----------------------------------------------------------------------------- grammar
VOWELS = "aeiouéèêâîôAEIOUÉ"


def french(parts: list[str]) -> str:
    """Join French words with elision: je/ne/de + vowel or (mute) h, le/la + vowel -> j'/n'/d'/l'
    (``j'ai``, ``n'est``, ``j'habite``, ``l'oiseau``)."""
    out: list[str] = []
    for word in " ".join(parts).split():
        if out and ((out[-1] in ("je", "ne", "de") and word[0] in VOWELS + "h")
                    or (out[-1] in ("le", "la") and word[0] in VOWELS)):
            out[-1] = out[-1][0] + "'" + word
        else:
            out.append(word)
    return " ".join(out)


def _adjective(adj: Adjective, noun: Noun, plural: bool) -> str:
    return adj.forms[2 * plural + noun.feminine]


def noun_phrase(noun: Noun, det: str, plural: bool = False, adj: Adjective | None = None,
                number: Pair | None = None) -> Pair:
    """("the small cat", "le petit chat"). ``det``: "the", "a" or "number" (with ``number``)."""
    en_noun, fr_noun = (noun.en_plural, noun.fr_plural) if plural else (noun.en, noun.fr)
    en = f"{adj.en} {en_noun}" if adj else en_noun
    fr = fr_noun
    if adj:
        fr = f"{_adjective(adj, noun, plural)} {fr_noun}" if adj.before else f"{fr_noun} {_adjective(adj, noun, plural)}"
    if det == "the":
        return f"the {en}", french([f"{'les' if plural else 'la' if noun.feminine else 'le'} {fr}"])
    if det == "a":
        return a_or_an(en), f"{'une' if noun.feminine else 'un'} {fr}"
    return f"{number[0]} {en}", f"{number[1]} {fr}"


def _subject(rng: random.Random, allowed: tuple[str, ...], names: tuple[str, ...]) -> tuple[str, str, int, str, str]:
    """(English, French, French person, English "be", English "do") for a pronoun, one of ``names`` or a noun."""
    shape = rng.random()
    if shape < 0.45:
        return rng.choice(PRONOUNS)
    if shape < 0.65:
        name = rng.choice(names)
        return name, name, 1, "is", "does"
    noun, plural = NOUN[rng.choice(allowed)], rng.random() < 0.35
    en, fr = noun_phrase(noun, "the", plural)
    return (en, fr, 4, "are", "do") if plural else (en, fr, 1, "is", "does")


def _english_verb(verb: Verb, be: str, do: str, negative: bool, progressive: bool) -> str:
    third = do == "does"
    if progressive:
        return f"{be} not {verb.en_ing}" if negative else f"{be} {verb.en_ing}"
    if negative:
        return f"{do} not {verb.en}"
    return verb.en_s if third else verb.en


# ----------------------------------------------------------------------------- templates
def is_adjective(rng: random.Random) -> Pair:
    """the cat is black . -> le chat est noir ."""
    adj = rng.choice(ADJECTIVES)
    noun, plural, negative = NOUN[rng.choice(adj.nouns)], rng.random() < 0.35, rng.random() < 0.3
    en, fr = noun_phrase(noun, "the", plural)
    en_verb = ("are" if plural else "is") + (" not" if negative else "")
    fr_verb = ["ne", "sont", "pas"] if plural and negative else ["ne", "est", "pas"] if negative else \
        ["sont" if plural else "est"]
    return f"{en} {en_verb} {adj.en} .", french([fr, *fr_verb, _adjective(adj, noun, plural), "."])


def does_intransitive(rng: random.Random) -> Pair:
    """the small dog is sleeping . -> le petit chien dort ."""
    verb = rng.choice(INTRANSITIVE)
    noun = NOUN[rng.choice(verb.subjects)]
    adjectives = [a for a in ADJECTIVES if noun.en in a.nouns]
    adj = rng.choice(adjectives) if rng.random() < 0.6 else None
    plural, negative, progressive = rng.random() < 0.3, rng.random() < 0.25, rng.random() < 0.4
    en, fr = noun_phrase(noun, "the", plural, adj)
    en_verb = _english_verb(verb, "are" if plural else "is", "do" if plural else "does", negative, progressive)
    fr_verb = verb.fr[4 if plural else 1]
    return f"{en} {en_verb} .", french([fr, *(["ne", fr_verb, "pas"] if negative else [fr_verb]), "."])


def does_transitive(rng: random.Random, names: tuple[str, ...] = world_part("train").first_names) -> Pair:
    """I do not have a cat . -> je n'ai pas de chat ."""
    verb = rng.choice(TRANSITIVE)
    en_subj, fr_subj, person, be, do = _subject(rng, verb.subjects, names)
    noun = NOUN[rng.choice(verb.objects)]
    negative, progressive = rng.random() < 0.3, bool(verb.en_ing) and rng.random() < 0.3
    shape = rng.random()
    if verb.en == "like" and shape < 0.4:  # I like cats . -> j'aime les chats .
        en_obj, fr_obj = noun.en_plural, noun_phrase(noun, "the", True)[1]
    elif shape < 0.7:
        en_obj, fr_obj = noun_phrase(noun, "the", rng.random() < 0.3)
    elif shape < 0.85 and not negative:
        en_obj, fr_obj = noun_phrase(noun, "number", True, number=rng.choice(NUMBERS))
    else:
        en_obj, fr_obj = noun_phrase(noun, "a")
        if negative:  # pas de chat
            fr_obj = "de " + fr_obj.split(" ", 1)[1]
    en_verb = _english_verb(verb, be, do, negative, progressive)
    fr_verb = verb.fr[person]
    return (f"{en_subj} {en_verb} {en_obj} .",
            french([fr_subj, *(["ne", fr_verb, "pas"] if negative else [fr_verb]), *fr_obj.split(), "."]))


def is_somewhere(rng: random.Random) -> Pair:
    """the cat is under the table . -> le chat est sous la table ."""
    en_prep, fr_prep, places = rng.choice(PREPOSITIONS)
    place = NOUN[rng.choice(places)]
    thing = NOUN[rng.choice([n for n in SMALL if n != place.en])]
    plural = rng.random() < 0.3
    en, fr = noun_phrase(thing, "the", plural)
    en_place, fr_place = noun_phrase(place, "the")
    return f"{en} {'are' if plural else 'is'} {en_prep} {en_place} .", \
        french([fr, "sont" if plural else "est", fr_prep, fr_place, "."])


def country_fact(rng: random.Random, names: tuple[str, ...] = world_part("train").first_names) -> Pair:
    """the capital of Japan is Tokyo . / Anna lives in Japan . / we speak French ."""
    name = rng.choice(sorted(COUNTRIES_FR))
    country = COUNTRY[name]
    fr_name, fr_in, fr_of, fr_capital = COUNTRIES_FR[name]
    shape = rng.random()
    if shape < 0.3:
        return f"the capital of {country.display} is {country.capital} .", f"la capitale {fr_of} est {fr_capital} ."
    en_subj, fr_subj, person, _, do = _subject(rng, PERSON_NOUNS, names)
    live = ("live", "lives", "", ("habite", "habite", "habitons", "habitez", "habitent"))
    speak = ("speak", "speaks", "", ("parle", "parle", "parlons", "parlez", "parlent"))
    negative = rng.random() < 0.25
    if shape < 0.65:
        en_base, en_s, _, forms = live
        en_rest, fr_rest = (f"in {country.display}", fr_in) if rng.random() < 0.5 else \
            (f"in {country.capital}", f"à {fr_capital}")
        if fr_rest == "à Le Caire":
            fr_rest = "au Caire"
    else:
        en_base, en_s, _, forms = speak
        language = rng.choice(sorted(LANGUAGES))
        en_rest, fr_rest = language, LANGUAGES[language]
    en_verb = f"{do} not {en_base}" if negative else (en_s if do == "does" else en_base)
    fr_verb = ["ne", forms[person], "pas"] if negative else [forms[person]]
    return f"{en_subj} {en_verb} {en_rest} .", french([fr_subj, *fr_verb, fr_rest, "."])


def weather(rng: random.Random) -> Pair:
    """it is raining today . -> il pleut aujourd'hui ."""
    (en, fr), (en_when, fr_when) = rng.choice(WEATHER), rng.choice(WHEN)
    return f"{en} {en_when} .", f"{fr} {fr_when} ."


def where_is(rng: random.Random) -> Pair:
    """where are the cats ? -> où sont les chats ?"""
    noun, plural = rng.choice(NOUNS), rng.random() < 0.4
    en, fr = noun_phrase(noun, "the", plural)
    return f"where {'are' if plural else 'is'} {en} ?", f"où {'sont' if plural else 'est'} {fr} ?"


# template: weight (how often it is drawn)
TEMPLATES = ((is_adjective, 3), (does_intransitive, 3), (does_transitive, 6), (is_somewhere, 2),
             (country_fact, 3), (weather, 1), (where_is, 1))


def pair(rng: random.Random, split: str = "train") -> Pair:
    template = rng.choices([t for t, _ in TEMPLATES], weights=[w for _, w in TEMPLATES])[0]
    if template in (does_transitive, country_fact):  # the templates that name people
        return template(rng, world_part(split).first_names)
    return template(rng)


def write(out_dir: Path, seed: int = SEED, sizes: tuple[int, int, int] = SIZES) -> dict:
    """Write ``train/dev/test.tsv`` (English, French). Returns the pairs per split."""
    rng = random.Random(seed)
    seen: set[str] = set()
    report = {}
    for name, size in zip(SPLITS, sizes):
        pairs = draw_unique(lambda r, name=name: pair(r, name), size, rng, key=lambda p: p[1], seen=seen)
        write_tsv(Path(out_dir) / f"{name}.tsv", pairs)
        report[name] = {"pairs": len(pairs)}
    return report


if __name__ == "__main__":
    main(write, TASK)
