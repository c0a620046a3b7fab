"""Everyday topics of the course corpus: a pet's day, a football fan, a match, cooking, school, work, a farm.

A topic draws its cast once (a person with a gender, a pet, a club...) and then tells its beats in order: an
opening, a few middle beats (some optional, kept with a probability), a closing. Each beat draws one of its
templates (``templates.expand``). The topics about the world (countries, cities, people, facts) are in
``topics_world``; ``stories`` draws a topic per document.
"""
from __future__ import annotations

import random

from minibert.course.datagen import world as W
from minibert.course.datagen.templates import (Writer, an, draw_friend, draw_person, listing, number_word, ordinal,
                                                past, pronouns)


def pet_day(rng: random.Random) -> list[str]:
    """A pet's day at home, in the past tense. Animals eat, play, and sit on mats and sofas."""
    animal = rng.choices(W.PETS, weights=[5 if a.name in ("cat", "dog") else 1 for a in W.PETS])[0]
    owner = draw_person(rng)
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
    friend = draw_friend(rng, "")
    w = Writer(rng, sport=sport.name, doing=doing, player=sport.player, where=sport.place,
               equipment=sport.equipment, friend=friend, day=rng.choice(W.DAYS), club=club.name,
               club_city=club.city, season=rng.choice(W.SEASONS), n=number_word(sport.team_size)
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


_CHOPPABLE = {"carrots", "potatoes", "onions", "tomatoes", "garlic", "mushrooms", "apples", "bananas", "oranges",
              "strawberries", "peppers", "lettuce", "cucumbers"}


def cooking(rng: random.Random) -> list[str]:
    """A person cooks a dish, step by step, and shares it."""
    cook = draw_person(rng)
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
def school_day(rng: random.Random) -> list[str]:
    """A pupil's day at school: subjects, a teacher, a friend, homework."""
    pupil = draw_person(rng)
    s1, s2, fav = rng.sample(W.SCHOOL_SUBJECTS, 3)
    teacher = f"{rng.choice(('Mr', 'Mrs', 'Ms'))} {rng.choice(W.LAST_NAMES)}"
    w = Writer(rng, **pupil, s1=s1, s2=s2, fav=fav, teacher=teacher, friend=draw_friend(rng, pupil["name"]),
               day=rng.choice(W.DAYS[:5]), age=number_word(rng.randint(8, 12)),
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
    worker = draw_person(rng)
    job = rng.choice(W.PROFESSIONS)
    city = rng.choice(W.CITIES)
    w = Writer(rng, **worker, job=an(job.name), job_name=job.name, workplace=job.workplace,
               activity=job.activity, city=city.name, colleague=draw_friend(rng, worker["name"]),
               hobby=rng.choice(W.HOBBIES), start=number_word(rng.randint(6, 9)), end=number_word(rng.randint(4, 7)),
               years=number_word(rng.randint(2, 12)))
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


def farm_visit(rng: random.Random) -> list[str]:
    """A family visits a farm; each animal has its sound, food and home."""
    family = rng.choice(W.LAST_NAMES)
    animals = rng.sample([a for a in W.ANIMALS if a.kind == "farm"], 3)
    city = rng.choice(W.CITIES)
    w = Writer(rng, family=family, city=city.name, day=rng.choice(W.DAYS), child=draw_friend(rng, ""),
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
