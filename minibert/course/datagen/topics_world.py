"""Topics about the world for the course corpus: countries, cities, the weather, science, famous people,
organisations, and the geography lesson that names each capital once (see ``topics_everyday``).
"""
from __future__ import annotations

import random

from minibert.course.datagen import world as W
from minibert.course.datagen.templates import (Writer, an, draw_friend, draw_person, lower_first,
                                                number_word, pronouns)


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
    traveller = draw_person(rng)
    city = rng.choice(W.CITIES)
    country = W.COUNTRY[city.country]
    weather = rng.choice(W.WEATHERS)
    w = Writer(rng, **traveller, city=city.name, country=country.display, language=country.language,
               demonym=country.demonym, dish=country.dish, landmark=city.landmark,
               transport=rng.choice(W.TRANSPORT), season=rng.choice(W.SEASONS), weather=weather.adjective,
               relative=rng.choice(W.RELATIVES), days=number_word(rng.randint(2, 7)),
               month=rng.choice(W.MONTHS), friend=draw_friend(rng, traveller["name"]))
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
    boss = draw_person(rng)
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


def capitals_lesson(rng: random.Random) -> list[str]:
    """A geography lesson that goes over capital cities, each country's capital named once.

    A country profile names its capital several times, so a model can fill in "The capital of France is
    [MASK]." by copying "Paris" from a nearby sentence without knowing the fact. Here no capital is
    repeated: to predict a masked one the model has to have *remembered* which city goes with which
    country, which is what fill-mask asks it in lesson 09.
    """
    pupil = draw_person(rng)
    teacher = f"{rng.choice(('Mr', 'Mrs', 'Ms'))} {rng.choice(W.LAST_NAMES)}"
    w = Writer(rng, **pupil, teacher=teacher, friend=draw_friend(rng, pupil["name"]))
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
