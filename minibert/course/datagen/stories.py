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
import re
from pathlib import Path
from typing import Callable

from minibert.corpus import format_corpus
from minibert.course.datagen import world as W

MIN_SENTENCES, MAX_SENTENCES = 5, 15

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


def _person(rng: random.Random) -> dict[str, str]:
    gender = rng.choice(("female", "male"))
    first = rng.choice(W.FEMALE_NAMES if gender == "female" else W.MALE_NAMES)
    return {"name": first, "last": rng.choice(W.LAST_NAMES), **pronouns(gender)}


def _friend(rng: random.Random, avoid: str) -> str:
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


def _number_word(n: int) -> str:
    return ("zero one two three four five six seven eight nine ten eleven twelve".split())[n]


# --------------------------------------------------------------------------------------------
# Topics: each returns the sentences of one document.
# --------------------------------------------------------------------------------------------

def pet_day(rng: random.Random) -> list[str]:
    """A pet's day at home, in the past tense. Animals eat, play, and sit on mats and sofas."""
    animal = rng.choices(W.PETS, weights=[5 if a.name in ("cat", "dog") else 1 for a in W.PETS])[0]
    owner = _person(rng)
    named = rng.random() < 0.5
    gender = rng.choice(("female", "male")) if named else "neuter"
    pet_name = rng.choice(W.FEMALE_PET_NAMES if gender == "female" else W.MALE_PET_NAMES)
    place = rng.choices(W.RESTING_PLACES, weights=[6] + [1] * (len(W.RESTING_PLACES) - 1))[0]
    other_place = rng.choice([p for p in W.RESTING_PLACES if p != place])
    pron = pronouns(gender)
    w = Writer(rng, owner=owner["name"], animal=animal.name,
               pet=pet_name if named else f"the {animal.name}", it=pron["he"], its=pron["his"],
               place=place, other=other_place, food=animal.food, sound=past(animal.sound),
               room=rng.choice(W.ROOMS), toy=rng.choice(W.TOYS), colour=rng.choice(W.COLOURS),
               day=rng.choice(W.DAYS))
    if named:
        w.say("{owner} has {a_animal} called {pet}.", "{pet} is {owner}'s [little |old |young |]{animal}.",
              "{owner} lives with a [{colour} |small |big |]{animal} named {pet}.", a_animal=an(animal.name))
    else:
        w.say("{owner} has {a_animal} at home.", "There is {a_animal} in {owner}'s house.",
              "{owner}'s {animal} is [small and {colour}|very friendly|a little lazy|{colour}].",
              a_animal=an(animal.name))
    w.say("On {day} morning, {pet} woke up early.", "[That|One] morning, {pet} was hungry.",
          "[It was a quiet {day}.|The house was quiet that morning.]")
    w.say("{owner} gave {pet} some {food} for breakfast.",
          "{pet} ate [all of |]{its} {food} [quickly|slowly|in the {room}].",
          "{it} [waited|sat] by {its} bowl until {owner} brought some {food}.")
    # The brief's sentence: "The cat sat on the mat." is the plain form of this beat.
    w.say("The {animal} sat on the {place}.", "The {animal} sat on the {place}.",
          "After breakfast, the {animal} sat on the {place}.",
          "Then the {animal} sat on the {place} [by the window|in the sun|for a long time].",
          "{pet} lay down on the {place} [and closed {its} eyes|in the {room}|near the door].")
    w.say("{it} [looked|seemed] [very happy|sleepy|calm] there.",
          "{it} [likes|loves] the {place} because it is [warm|soft|comfortable].",
          "The {place} is {its} favorite place in the house.", p=0.6)
    w.say("Later, {it} played with a {toy}.", "[In the afternoon|Around noon], {pet} chased a {toy} "
          "[around the {room}|across the floor|under the table].",
          "{owner} threw a {toy} and {pet} ran after it.", p=0.8)
    w.say("Every time the doorbell rang, the {animal} {sound}.",
          "When {owner} came home, the {animal} {sound} [loudly|happily|softly].", p=0.6)
    w.say("{owner} [stroked|patted] the {animal} and [smiled|laughed].",
          "{owner} says that {pet} is the best {animal} in the world.", p=0.5)
    w.say("In the evening, the {animal} [slept|curled up] on the {other}.",
          "At night, {pet} [slept|fell asleep] on the {other} next to {owner}.",
          "When it got dark, the {animal} went back to the {place} and slept.")
    return w.sentences


def sport_fan(rng: random.Random) -> list[str]:
    """A fan talks about a sport in the first person; the brief's positive NSP pair lives here."""
    sport = rng.choices(W.SPORTS, weights=[8 if s.name == "football" else 1 for s in W.SPORTS])[0]
    doing = f"playing {sport.name}" if sport.verb == "play" else sport.name
    club = rng.choice([o for o in W.ORGANISATIONS if o.kind == "club"])
    friend = _friend(rng, "")
    w = Writer(rng, sport=sport.name, doing=doing, player=sport.player, where=sport.place,
               equipment=sport.equipment, friend=friend, day=rng.choice(W.DAYS), club=club.name,
               club_city=club.city, season=rng.choice(W.SEASONS), n=_number_word(sport.team_size)
               if sport.team_size <= 12 else str(sport.team_size))
    # The brief's sentence pair, always consecutive.
    w.say("I love {doing}.", "I love {doing}.", "I really love {doing}.")
    w.say("It's my favorite sport.", "It's my favorite sport.", "It is my favorite sport.")
    w.say("I started when I was [six|seven|eight|ten] years old.",
          "My [father|mother|older brother|uncle] taught me when I was [small|a child].", p=0.7)
    w.say("I [go|practice] with my friend {friend} every {day}.",
          "Every {day}, {friend} and I meet at the {where} near my house.",
          "On {day}s I [train|practice] with my team at the local {where}.")
    if sport.team_size > 1:
        w.say("A {sport} team has {n} players.", "In {sport}, each team has {n} players.", p=0.6)
    where = "{sport} is played on a {where}." if sport.verb == "play" else "I usually go {sport} on the {where}."
    w.say("You need [a good|a|your own] {equipment} for {sport}.", "All you need is {an_equipment} and some friends.",
          where, p=0.7, an_equipment=an(sport.equipment))
    if sport.name == "football":
        w.say("My favorite team is {club}.", "I [support|am a fan of] {club}, a [big |]club from {club_city}.",
              p=0.8)
        w.say("Last {day} I watched {club} on television.", "Last season {club} won [a lot of|most of their] games.",
              p=0.5)
    w.say("{sport} keeps me [fit|healthy|happy].", "[Playing|Doing] sport [makes me feel good|helps me relax].",
          "When I play, I forget about [school|work|everything else].", p=0.8)
    w.say("One day I want to be a [real|professional|famous] {player}.",
          "I hope I can play {sport} for the rest of my life.",
          "[Sport|{sport}] is the best part of my week.")
    return w.sentences


def match_report(rng: random.Random) -> list[str]:
    """A football match between two clubs, with goals, fans and a final score."""
    home, away = rng.sample([o for o in W.ORGANISATIONS if o.kind == "club"], 2)
    scorer = f"{rng.choice(W.MALE_NAMES)} {rng.choice(W.LAST_NAMES)}"
    hg, ag = rng.randint(1, 4), rng.randint(0, 3)
    weather = rng.choice(W.WEATHERS)
    minute = rng.randint(5, 40)
    result = (f"{home.name} won" if hg > ag else f"{away.name} won" if ag > hg else "the two teams drew")
    w = Writer(rng, home=home.name, away=away.name, city=home.city, scorer=scorer,
               surname=scorer.split()[1], weather=weather.adjective, day=rng.choice(W.DAYS),
               hg=str(hg), ag=str(ag), result=result, minute=str(minute), nth=ordinal(minute),
               late=str(rng.randint(70, 90)))
    w.say("On {day}, {home} played against {away} in {city}.",
          "{home} welcomed {away} to {city} on {day} evening.",
          "It was a big night of football in {city}, where {home} played {away}.")
    w.say("The stadium was full and the fans were singing.", "Thousands of fans came to watch the match.",
          "It was a {weather} evening, but the stadium was full.")
    w.say("{home} started [well|quickly|strongly] and kept the ball.",
          "In the first minutes, {away} [looked nervous|had two good chances|defended well].")
    w.say("After {minute} minutes, {scorer} scored the first goal.",
          "{scorer} [opened the scoring|scored] in the {nth} minute with a [great|low|clever] shot.")
    w.say("The fans [cheered|jumped|shouted] [loudly|with joy].", "The crowd went wild.", p=0.7)
    w.say("In the second half, {away} [played better|attacked more|pushed forward].",
          "After the break, the game became [faster|harder|more open].", p=0.8)
    w.say("{surname} [was the best player on the pitch|ran more than anyone else|played very well].",
          "The goalkeeper made [a great save|several good saves] near the end.", p=0.7)
    w.say("The final score was {hg}-{ag}, and {result}.", "In the end, {result}: the score was {hg}-{ag}.")
    w.say("Football is a game of two halves, and this match showed it.",
          "The coach said he was [proud of|happy with] his players.",
          "The two teams will meet again [next season|in the spring|later this year].", p=0.7)
    return w.sentences


def country_profile(rng: random.Random) -> list[str]:
    """A country with its capital, language, continent, cities and food: the atlas facts."""
    c = rng.choice(W.COUNTRIES)
    neighbour = rng.choice([o for o in W.COUNTRIES if o.continent == c.continent and o is not c])
    city = rng.choice(c.cities)
    capital = W.CITY[c.capital]
    w = Writer(rng, country=c.display, capital=c.capital, language=c.language, continent=c.continent,
               demonym=c.demonym, city=city, cities=" and ".join(c.cities[:2]), dish=c.dish,
               landmark=capital.landmark, other=neighbour.display, other_capital=neighbour.capital)
    w.say("{country} is a country in {continent}.", "{country} is [a large|a beautiful|an interesting] "
          "country in {continent}.", "Let me tell you about {country}, a country in {continent}.")
    # The fact the fill-mask lesson asks about: always in this plain form, sometimes with a variant next.
    w.say("The capital of {country} is {capital}.")
    w.say("{capital} is the capital city of {country}.", "{capital} is [also|] the seat of the government.",
          "Many people live and work in {capital}.", p=0.5)
    w.say("People in {country} speak {language}.", "The main language of {country} is {language}.",
          "Most people there speak {language}.")
    several = ("Other [big|large|important] cities are {cities}.",) if len(c.cities) > 1 else ()
    w.say(*several, "{city} is another [big|famous|busy] city in {country}.", "Many visitors also go to {city}.",
          p=0.9)
    if capital.landmark:
        w.say("In {capital}, visitors can see {landmark}.", "{landmark} is in {capital}.",
              "Tourists love to visit {landmark} in {capital}.", p=0.8)
    w.say("{demonym} food is [famous|popular|delicious]: [try|many people love] the {dish}.",
          "{country} is known for its {dish}.", "If you visit, you should eat {dish}.", p=0.8)
    w.say("Like {other}, {country} is in {continent}.",
          "The capital of {other}, another country in {continent}, is {other_capital}.", p=0.6)
    w.say("Every year, many tourists visit {country}.", "{country} is a good place for a holiday.",
          "I would like to visit {country} one day.", p=0.8)
    return w.sentences


def city_trip(rng: random.Random) -> list[str]:
    """A trip to a city: travel, the landmark, the weather, the local food, the way home."""
    traveller = _person(rng)
    city = rng.choice(W.CITIES)
    country = W.COUNTRY[city.country]
    weather = rng.choice(W.WEATHERS)
    w = Writer(rng, **traveller, city=city.name, country=country.display, language=country.language,
               demonym=country.demonym, dish=country.dish, landmark=city.landmark,
               transport=rng.choice(W.TRANSPORT), season=rng.choice(W.SEASONS), weather=weather.adjective,
               relative=rng.choice(W.RELATIVES), days=_number_word(rng.randint(2, 7)),
               month=rng.choice(W.MONTHS), friend=_friend(rng, traveller["name"]))
    w.say("Last {season}, {name} traveled to {city} by {transport}.",
          "In {month}, {name} went on a trip to {city}.",
          "{name} and {his} friend {friend} spent {days} days in {city} last {season}.")
    w.say("{city} is the capital of {country}." if city.is_capital else "{city} is a city in {country}.")
    w.say("{he} stayed in a small hotel near the center.", "{he} stayed with {his} {relative}, who lives there.",
          "The hotel was [clean and quiet|old but comfortable|near the station].", p=0.8)
    if city.landmark:
        w.say("On the first day, {he} visited {landmark}.", "The first thing {he} saw was {landmark}.",
              "{he} [took many photos of|spent a whole morning at] {landmark}.")
    w.say("The weather was {weather}, so {he} [walked a lot|stayed in museums|sat in cafes].",
          "It was {weather} [most of the time|every day|on the first day].", p=0.8)
    w.say("For dinner, {he} tried {dish}, [a {demonym} speciality|which {he} really liked].",
          "The food was [great|delicious|wonderful]: {he} ate {dish} every evening.", p=0.8)
    w.say("People in {city} speak {language}, and {name} learned a few words.",
          "{he} [practiced|tried to speak] a little {language} in the shops.", p=0.6)
    w.say("{he} bought a present for {his} {relative}.", "Before leaving, {he} bought some postcards.", p=0.5)
    w.say("After {days} days, {he} went back home.", "At the end of the trip, {he} took the {transport} home.",
          "It was a [wonderful|lovely|great|tiring but happy] trip.")
    return w.sentences


_CHOPPABLE = {"carrots", "potatoes", "onions", "tomatoes", "garlic", "mushrooms", "apples", "bananas", "oranges",
              "strawberries", "peppers", "lettuce", "cucumbers"}


def cooking(rng: random.Random) -> list[str]:
    """A person cooks a dish, step by step, and shares it."""
    cook = _person(rng)
    dish, (ingredients, method) = rng.choice(list(W.RECIPES.items()))
    fresh = [i for i in ingredients if i in _CHOPPABLE]
    first = rng.choice(fresh) if fresh else ingredients[0]
    rest = [i for i in ingredients if i != first]
    method_sentence = {
        "boil": "Then {he} boils everything in a big pot for [twenty|thirty] minutes.",
        "fry": "Then {he} fries everything in a hot pan [with a little oil|for a few minutes].",
        "bake": "Then {he} puts everything in the oven and bakes it for [half an hour|forty minutes].",
        "mix": "Then {he} mixes everything in a large bowl.",
    }[method]
    w = Writer(rng, **cook, dish=dish, all=listing(ingredients), first=first, rest=listing(rest),
               is_="are" if dish.endswith("s") else "is", verb=rng.choice(W.KITCHEN_VERBS),
               guest=rng.choice(W.RELATIVES), day=rng.choice(W.DAYS))
    w.say("Today {name} is making {dish}.", "On {day}, {name} cooks {dish} for the family.",
          "{name} loves cooking, and {his} favorite dish is {dish}.")
    w.say("{he} needs {all}.", "For {dish} you need {all}.", "{he} takes {all} out of the cupboard.")
    if fresh:
        w.say("First, {he} washes the {first} and {verb}s them.", "First, {he} {verb}s the {first} on a board.")
    else:
        w.say("First, {he} puts the {first} in a bowl.", "First, {he} weighs the {first}.")
    w.say("Next, {he} adds the {rest}.", "After that, {he} adds the {rest}.", p=0.8)
    w.say(method_sentence)
    w.say("The kitchen smells [wonderful|delicious].", "While it cooks, {he} cleans the table.", p=0.7)
    w.say("{his} {guest} comes into the kitchen to help.", "{his} {guest} sets the table.", p=0.5)
    w.say("When it is ready, {he} [tastes|tries] it.", "At last, the {dish} {is_} ready.")
    w.say("It tastes [great|delicious|very good].", "Everybody says the {dish} {is_} [delicious|perfect].",
          "It is [a bit too salty|a little burnt], but everyone eats it anyway.")
    w.say("{name} will make it again next week.", "Cooking at home is [cheap|healthy|fun].", p=0.6)
    return w.sentences


# Countries where snow and cold days are ordinary, for weather reports that make sense.
_COLD_WINTERS = {"France", "Germany", "Italy", "Spain", "Canada", "United States", "China", "South Korea", "Japan",
                 "Turkey", "Russia", "Switzerland", "Sweden", "Norway", "Poland", "Netherlands", "United Kingdom",
                 "Ireland", "Greece", "Chile", "Argentina", "New Zealand"}
_DEGREES = {"snowy": (-10, 1), "cold": (-5, 6), "hot": (28, 40), "sunny": (15, 30)}   # otherwise 5..20


def weather_report(rng: random.Random) -> list[str]:
    """Today's and tomorrow's weather in a city, with advice. Sunny skies are blue."""
    today, tomorrow = rng.sample(W.WEATHERS, 2)
    while {today.adjective, tomorrow.adjective} & {"snowy", "cold"} and "hot" in (today.adjective, tomorrow.adjective):
        today, tomorrow = rng.sample(W.WEATHERS, 2)   # no heat wave the day after snow
    cold = {"snowy", "cold"} & {today.adjective, tomorrow.adjective}
    city = rng.choice([c for c in W.CITIES if not cold or c.country in _COLD_WINTERS])
    w = Writer(rng, city=city.name, country=W.COUNTRY[city.country].display, adj=today.adjective,
               noun=today.noun, sky=today.sky, advice=today.advice, adj2=tomorrow.adjective,
               advice2=tomorrow.advice, day=rng.choice(W.DAYS),
               degrees=str(rng.randint(*_DEGREES.get(today.adjective, (5, 20)))))
    w.say("Here is the weather for {city}.", "Good morning, this is the weather report for {city}, {country}.",
          "It is {day} in {city}.")
    w.say("Today it is {adj}.", "The weather today is {adj}.", "Today will be {adj} in {city}.")
    w.say("The sky is {sky}.", "In the morning, the sky is {sky}.")
    w.say("The temperature is about {degrees} degrees.", "It is around {degrees} degrees in the afternoon.",
          p=0.8)
    w.say("If you go out, {advice}.", "[Remember to|Don't forget to] {advice}.", p=0.9)
    w.say("Tomorrow it will be {adj2}.", "Tomorrow the weather changes: it will be {adj2}.",
          "By tomorrow morning, it will be {adj2}.")
    w.say("So tomorrow, {advice2}.", "Tomorrow you should {advice2}.", p=0.6)
    w.say("That is all for today.", "Have a nice {day}!", "Enjoy your {day}.", p=0.7)
    return w.sentences


def school_day(rng: random.Random) -> list[str]:
    """A pupil's day at school: subjects, a teacher, a friend, homework."""
    pupil = _person(rng)
    s1, s2, fav = rng.sample(W.SCHOOL_SUBJECTS, 3)
    teacher = f"{rng.choice(('Mr', 'Mrs', 'Ms'))} {rng.choice(W.LAST_NAMES)}"
    w = Writer(rng, **pupil, s1=s1, s2=s2, fav=fav, teacher=teacher, friend=_friend(rng, pupil["name"]),
               day=rng.choice(W.DAYS[:5]), age=_number_word(rng.randint(8, 12)),
               food=rng.choice([f.name for f in W.FOODS if f.kind in ("fruit", "dish")]))
    w.say("{name} was {age} years old and went to school in town.", "On {day}, {name} went to school early.",
          "That {day}, {name} [walked|took the bus|rode {his} bike] to school.")
    w.say("The first lesson was {s1}.", "In the morning, {he} had {s1} and {s2}.")
    w.say("{his} teacher, {teacher}, [explained|showed them] something new.",
          "{teacher} asked the class a difficult question.", p=0.8)
    w.say("{his} favorite subject is {fav}.", "{he} likes {fav} best because it is [fun|interesting|easy].")
    w.say("At lunch, {he} ate {food} with {his} friend {friend}.", "During the break, {he} played with {friend}.",
          p=0.9)
    w.say("In the afternoon, they had {s2}.", "After lunch, the class [went to the library|had a test].", p=0.7)
    w.say("{teacher} gave them homework for {s1}.", "{he} had a lot of homework that day.", p=0.7)
    w.say("When {he} got home, {he} [did {his} homework|told {his} family about {his} day].",
          "In the evening, {he} was tired but happy.")
    return w.sentences


def work_day(rng: random.Random) -> list[str]:
    """A person's job: profession, workplace, what they do, colleagues, after work."""
    worker = _person(rng)
    job = rng.choice(W.PROFESSIONS)
    city = rng.choice(W.CITIES)
    w = Writer(rng, **worker, job=an(job.name), job_name=job.name, workplace=job.workplace,
               activity=job.activity, city=city.name, colleague=_friend(rng, worker["name"]),
               hobby=rng.choice(W.HOBBIES), start=_number_word(rng.randint(6, 9)), end=_number_word(rng.randint(4, 7)),
               years=_number_word(rng.randint(2, 12)))
    w.say("{name} {last} is {job}.", "{name} works as {job} in {city}.", "My {relative} {name} is {job}.",
          relative=rng.choice(W.RELATIVES))
    w.say("{he} works at a {workplace} [in {city}|near {his} home|in the city center].",
          "Every day {he} goes to the {workplace}.")
    w.say("At work, {he} {activity}.", "As {job}, {he} {activity}.")
    w.say("{he} starts work at {start} o'clock in the morning.", "{his} day begins early, at {start} o'clock.",
          p=0.8)
    w.say("{he} has been {job} for {years} years.", "{he} [loves|enjoys|is proud of] {his} job.",
          "Being {job} is [hard|busy|interesting], but {he} likes it.", p=0.8)
    w.say("{his} colleague {colleague} often helps {him}.", "{he} often has lunch with {his} colleague {colleague}.",
          p=0.7)
    w.say("{he} finishes at {end} o'clock.", "In the afternoon, {he} [goes to a meeting|answers emails].", p=0.6)
    w.say("After work, {he} likes to {hobby}.", "In the evening, {he} goes home and [relaxes|rests|sleeps early].")
    return w.sentences


def science_facts(rng: random.Random) -> list[str]:
    """True, simple facts on one subject, joined by connectives."""
    subject, facts = rng.choice(list(W.SCIENCE_FACTS.items()))
    chosen = rng.sample(facts, rng.randint(min(4, len(facts)), min(7, len(facts))))
    w = Writer(rng, subject=subject)
    w.say("Here are some [simple |]facts about {subject}.", "Today we learn about {subject}.",
          "[Science|Our teacher] can tell us a lot about {subject}.")
    connectives = ("Also, ", "In addition, ", "Another fact is that ", "We also know that ", "")
    for i, fact in enumerate(chosen):
        connective = "" if i == 0 else rng.choice(connectives)
        w.said(connective + lower_first(fact) if connective else fact)
    w.say("Science helps us understand the world.", "Isn't that interesting?",
          "You can read more about {subject} in the library.", p=0.7)
    return w.sentences


def famous_person(rng: random.Random) -> list[str]:
    """A short biography; "Barack Obama was born in Hawaii." lives here."""
    person = rng.choice(W.PEOPLE)
    country = W.COUNTRY[person.birth_country]
    w = Writer(rng, person=person.name, surname=person.name.split()[-1], place=person.birthplace,
               country=country.display, job=an(person.profession), known=person.known_for,
               language=country.language, **pronouns(person.gender))
    w.say("Today in class we read about {person}.", "{person} is one of the most famous people from {country}.",
          "Have you heard of {person}?", p=0.7)
    w.say("{person} was born in {place}.")
    w.say("{place} is in {country}.", "{he} grew up in {country}.", "{his} family lived in {country}.", p=0.8)
    w.say("{person} became {job}.", "Later, {he} worked as {job}.", "As an adult, {he} became {job}.")
    w.say("{he} is [best |]known for {known}.", "{surname} is famous for {known}.")
    w.say("{he} worked very hard [all {his} life|for many years].",
          "Many people [admire|remember] {him} [today|for {his} work].", p=0.8)
    w.say("{his} story [inspires|is told to] many young people.", "Books and films tell the story of {his} life.",
          "Schools in {country} teach children about {him}.", p=0.7)
    return w.sentences


def organisation_profile(rng: random.Random) -> list[str]:
    """A company, a university, an agency or a club, and where it is."""
    org = rng.choice(W.ORGANISATIONS)
    city = W.CITY[org.city]
    boss = _person(rng)
    w = Writer(rng, org=org.name, city=org.city, country=W.COUNTRY[city.country].display, field=org.field,
               boss=f"{boss['name']} {boss['last']}", bhe=boss["he"], year=str(rng.randint(1880, 2015)),
               n=str(rng.choice((50, 120, 300, 800, 2000, 5000))), **pronouns("neuter"))
    intro = {
        "company": ("{org} is a company based in {city}, {country}.", "{org} is a {field} company from {city}."),
        "university": ("{org} is a university in {city}.", "{org} is a famous university in {country}."),
        "agency": ("{org} has its main office in {city}.", "{org} is an international organization in {city}."),
        "club": ("{org} is a football club from {city}.", "{org} is one of the best known clubs in {country}."),
    }[org.kind]
    w.say(*intro)
    if org.kind == "company":
        w.say("It works in the {field} business.", "The company [makes|sells] {field} products.",
              "Its business is {field}.")
        w.say("It was started in {year}.", "{boss} runs the company.", "The boss of {org} is {boss}.")
        w.say("Today {org} has about {n} workers.", "About {n} people work for the company.", p=0.8)
        w.say("Last year, {org} opened a new office.", "The company wants to grow in other countries.", p=0.7)
        w.say("Many of its customers live in {country}.", "Its products are sold in many shops.", p=0.6)
    elif org.kind == "university":
        w.say("Students from many countries study there.", "Thousands of students study at {org}.")
        w.say("It is known for {field}.", "Its teachers do research in many subjects.", p=0.8)
        w.say("Professor {boss} teaches history there.", "The library of {org} is very old.", p=0.7)
        w.say("Getting a place at {org} is not easy.", "Many famous scientists studied at {org}.", p=0.7)
    elif org.kind == "agency":
        w.say("It works for {field}.", "Its work is about {field}.")
        w.say("Many countries are members of {org}.", "People from all over the world work there.")
        w.say("It was founded in the last century.", "Its leaders meet every year.", p=0.7)
    else:
        w.say("Its fans are famous for their songs.", "The club plays its home games in {city}.")
        w.say("Football is the most popular sport in {country}.", "Its players are among the best in the world.",
              p=0.8)
        w.say("Every week, thousands of fans come to the stadium.", "The club has won many trophies.", p=0.8)
        w.say("Children in {city} dream of playing for {org}.", "{boss} is one of its biggest fans.", p=0.7)
    return w.sentences


def farm_visit(rng: random.Random) -> list[str]:
    """A family visits a farm; each animal has its sound, food and home."""
    family = rng.choice(W.LAST_NAMES)
    animals = rng.sample([a for a in W.ANIMALS if a.kind == "farm"], 3)
    city = rng.choice(W.CITIES)
    w = Writer(rng, family=family, city=city.name, day=rng.choice(W.DAYS), child=_friend(rng, ""),
               weather=rng.choice(W.WEATHERS).adjective)
    w.say("On {day}, the {family} family visited a farm near {city}.",
          "Last weekend, the {family} family spent a day on a farm.")
    w.say("It was a {weather} day.", "The farmer showed them around.", p=0.8)
    for animal in animals:
        w.say("They saw {plural} in the {home}.", "There were {plural} in the {home}.",
              "The {name} lives in the {home}.", plural=animal.plural, home=animal.home, name=animal.name)
        w.say("The {name} {sound}.", "{name_plural_cap} eat {food}.", "The {name} ate some {food}.",
              p=0.8, name=animal.name, sound=animal.sound, food=animal.food, name_plural_cap=animal.plural)
    w.say("{child} fed the ducks with bread.", "{child} liked the animals very much.", p=0.6)
    w.say("In the evening, they drove home tired and happy.", "It was a great day on the farm.")
    return w.sentences


def capitals_lesson(rng: random.Random) -> list[str]:
    """A geography lesson that goes over capital cities, each country's capital named once.

    A country profile names its capital several times, so a model can fill in "The capital of France is
    [MASK]." by copying "Paris" from a nearby sentence without knowing the fact. Here no capital is
    repeated: to predict a masked one the model has to have *remembered* which city goes with which
    country, which is what fill-mask asks it in lesson 09.
    """
    pupil = _person(rng)
    teacher = f"{rng.choice(('Mr', 'Mrs', 'Ms'))} {rng.choice(W.LAST_NAMES)}"
    w = Writer(rng, **pupil, teacher=teacher, friend=_friend(rng, pupil["name"]))
    w.say("In the geography lesson, {teacher} asked the class about capital cities.",
          "Today {name} learned the capitals of many countries.",
          "[Here is|This is] a short quiz about capital cities.",
          "{name} and {friend} [tested each other on|practiced] capital cities [for a test|after school].")
    for country in rng.sample(W.COUNTRIES, rng.randint(4, 8)):   # the plain form, which lesson 09 asks, twice
        w.say("The capital of {country} is {capital}.", "The capital of {country} is {capital}.",
              "{capital} is the capital of {country}.", "The capital city of {country} is {capital}.",
              "[{name}|{friend}] knew that the capital of {country} is {capital}.",
              country=country.display, capital=country.capital)
    w.say("{name} got [all|most] of the answers right.", "For homework, they had to learn them by heart.",
          "{teacher} said they would have a test [next week|on Friday].", p=0.8)
    return w.sentences


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
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(format_corpus(generate_corpus(n_documents, seed)), encoding="utf-8")
    return path


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
