"""A small world of facts that every piece of course data shares.

The pre-training corpus (``stories.py``) and the fine-tuning datasets (``minibert.tasks``) draw their
names and facts from here, so what a model learns in pre-training ("the capital of France is Paris",
"cats sit on mats", "football is a sport") is what the fine-tuning tasks later ask about.

Everything is plain, immutable Python data: tuples of frozen dataclasses, in a fixed order, so any
generator seeded with ``random.Random(seed)`` gives the same text on every machine. Names are
ASCII (``Brasilia``, ``Sao Paulo``) so that the WordPiece vocabulary and the lessons' printouts stay
simple. Facts are true of the real world at the level of a school atlas; where a country has several
official languages, one main language is listed.

Lookups: ``COUNTRY["France"].capital``, ``CITY["Lyon"].country``, ``ANIMAL["cat"].sound``,
``SPORT["football"].player``, ``PERSON["Barack Obama"].birthplace``.
"""
from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------------------------
# Places
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    name: str
    capital: str
    language: str
    continent: str
    demonym: str                 # "French" people, "a Japanese city"
    cities: tuple[str, ...]      # other large cities (the capital is not repeated here)
    dish: str                    # a dish the country is known for
    article: str = ""            # "the" for "the Netherlands", "the United States"

    @property
    def display(self) -> str:
        """The name as it appears inside a sentence: "the Netherlands", "France"."""
        return f"{self.article} {self.name}".strip()


COUNTRIES: tuple[Country, ...] = (
    Country("France", "Paris", "French", "Europe", "French", ("Lyon", "Marseille", "Nice"), "croissants"),
    Country("Japan", "Tokyo", "Japanese", "Asia", "Japanese", ("Osaka", "Kyoto"), "sushi"),
    Country("Germany", "Berlin", "German", "Europe", "German", ("Munich", "Hamburg"), "pretzels"),
    Country("Italy", "Rome", "Italian", "Europe", "Italian", ("Milan", "Venice", "Naples", "Turin"), "pizza"),
    Country("Spain", "Madrid", "Spanish", "Europe", "Spanish", ("Barcelona", "Seville", "Valencia"), "paella"),
    Country("Egypt", "Cairo", "Arabic", "Africa", "Egyptian", ("Alexandria", "Luxor"), "falafel"),
    Country("Brazil", "Brasilia", "Portuguese", "South America", "Brazilian", ("Rio de Janeiro", "Sao Paulo"),
            "feijoada"),
    Country("Canada", "Ottawa", "English", "North America", "Canadian", ("Toronto", "Vancouver", "Montreal"),
            "pancakes with maple syrup"),
    Country("Mexico", "Mexico City", "Spanish", "North America", "Mexican", ("Guadalajara", "Cancun"), "tacos"),
    Country("Argentina", "Buenos Aires", "Spanish", "South America", "Argentinian", ("Cordoba", "Rosario"),
            "grilled beef"),
    Country("Colombia", "Bogota", "Spanish", "South America", "Colombian", ("Medellin", "Cartagena"), "arepas"),
    Country("Peru", "Lima", "Spanish", "South America", "Peruvian", ("Cusco", "Arequipa"), "ceviche"),
    Country("Chile", "Santiago", "Spanish", "South America", "Chilean", ("Valparaiso",), "empanadas"),
    Country("China", "Beijing", "Chinese", "Asia", "Chinese", ("Shanghai", "Guangzhou"), "dumplings"),
    Country("India", "New Delhi", "Hindi", "Asia", "Indian", ("Mumbai", "Bangalore", "Agra"), "curry"),
    Country("South Korea", "Seoul", "Korean", "Asia", "Korean", ("Busan",), "kimchi"),
    Country("Thailand", "Bangkok", "Thai", "Asia", "Thai", ("Chiang Mai", "Phuket"), "pad thai"),
    Country("Vietnam", "Hanoi", "Vietnamese", "Asia", "Vietnamese", ("Ho Chi Minh City",), "pho"),
    Country("Indonesia", "Jakarta", "Indonesian", "Asia", "Indonesian", ("Bali", "Surabaya"), "fried rice"),
    Country("Turkey", "Ankara", "Turkish", "Asia", "Turkish", ("Istanbul", "Izmir"), "kebabs"),
    Country("Russia", "Moscow", "Russian", "Europe", "Russian", ("Saint Petersburg",), "borscht"),
    Country("Australia", "Canberra", "English", "Oceania", "Australian", ("Sydney", "Melbourne", "Perth"),
            "meat pies"),
    Country("New Zealand", "Wellington", "English", "Oceania", "New Zealand", ("Auckland",), "lamb"),
    Country("Kenya", "Nairobi", "Swahili", "Africa", "Kenyan", ("Mombasa",), "ugali"),
    Country("Nigeria", "Abuja", "English", "Africa", "Nigerian", ("Lagos", "Kano"), "jollof rice"),
    Country("Morocco", "Rabat", "Arabic", "Africa", "Moroccan", ("Marrakesh", "Casablanca"), "couscous"),
    Country("Ghana", "Accra", "English", "Africa", "Ghanaian", ("Kumasi",), "banku"),
    Country("Ethiopia", "Addis Ababa", "Amharic", "Africa", "Ethiopian", ("Gondar",), "injera"),
    Country("South Africa", "Pretoria", "English", "Africa", "South African", ("Cape Town", "Johannesburg"),
            "bobotie"),
    Country("Portugal", "Lisbon", "Portuguese", "Europe", "Portuguese", ("Porto",), "custard tarts"),
    Country("Greece", "Athens", "Greek", "Europe", "Greek", ("Thessaloniki",), "moussaka"),
    Country("Netherlands", "Amsterdam", "Dutch", "Europe", "Dutch", ("Rotterdam", "Utrecht"), "cheese", "the"),
    Country("Switzerland", "Bern", "German", "Europe", "Swiss", ("Zurich", "Geneva"), "fondue"),
    Country("Sweden", "Stockholm", "Swedish", "Europe", "Swedish", ("Gothenburg",), "meatballs"),
    Country("Norway", "Oslo", "Norwegian", "Europe", "Norwegian", ("Bergen",), "salmon"),
    Country("Poland", "Warsaw", "Polish", "Europe", "Polish", ("Krakow", "Gdansk"), "pierogi"),
    Country("Ireland", "Dublin", "English", "Europe", "Irish", ("Cork", "Galway"), "stew"),
    Country("United Kingdom", "London", "English", "Europe", "British", ("Manchester", "Edinburgh", "Oxford"),
            "fish and chips", "the"),
    Country("United States", "Washington", "English", "North America", "American",
            ("New York", "Chicago", "Boston", "Honolulu"), "hamburgers", "the"),
)
COUNTRY: dict[str, Country] = {c.name: c for c in COUNTRIES}

CONTINENTS: tuple[str, ...] = ("Africa", "Asia", "Europe", "North America", "South America", "Oceania")


@dataclass(frozen=True)
class City:
    name: str
    country: str                 # a key of COUNTRY
    is_capital: bool
    landmark: str = ""           # a famous sight, "" when none is listed


_LANDMARKS = {
    "Paris": "the Eiffel Tower", "Rome": "the Colosseum", "Cairo": "the pyramids of Giza",
    "London": "Big Ben", "Berlin": "the Brandenburg Gate", "Tokyo": "the Tokyo Tower",
    "Barcelona": "the Sagrada Familia", "Athens": "the Acropolis", "Sydney": "the Opera House",
    "New York": "the Statue of Liberty", "Rio de Janeiro": "Sugarloaf Mountain", "Beijing": "the Forbidden City",
    "Agra": "the Taj Mahal", "Moscow": "Red Square", "Amsterdam": "its canals", "Venice": "its canals",
    "Kyoto": "its old temples", "Istanbul": "the Blue Mosque", "Cusco": "the road to Machu Picchu",
    "Luxor": "the Valley of the Kings", "Madrid": "the Prado museum", "Lisbon": "its yellow trams",
    "Cape Town": "Table Mountain", "Honolulu": "Waikiki beach", "Edinburgh": "its castle",
}

CITIES: tuple[City, ...] = tuple(
    City(name, country.name, name == country.capital, _LANDMARKS.get(name, ""))
    for country in COUNTRIES
    for name in (country.capital, *country.cities)
)
CITY: dict[str, City] = {c.name: c for c in CITIES}

# Places that are neither countries nor cities in the tables above but appear in famous facts.
REGIONS: tuple[str, ...] = ("Hawaii", "California", "Texas", "Bavaria", "Tuscany", "Scotland", "Patagonia",
                            "Siberia", "the Sahara", "the Alps", "the Amazon", "the Himalayas")

# --------------------------------------------------------------------------------------------
# People
# --------------------------------------------------------------------------------------------

# First names with the pronoun the generator uses for them ("she" / "he").
FEMALE_NAMES: tuple[str, ...] = (
    "Anna", "Maria", "Sofia", "Emma", "Olivia", "Mia", "Lucy", "Sarah", "Hannah", "Julia", "Laura", "Clara",
    "Grace", "Amira", "Yuki", "Priya", "Fatima", "Ines", "Nora", "Elena", "Chloe", "Zoe", "Aisha", "Mei",
)
MALE_NAMES: tuple[str, ...] = (
    "Tom", "James", "David", "Daniel", "Lucas", "Leo", "Max", "Sam", "Ben", "Oliver", "Noah", "Omar",
    "Pedro", "Hiro", "Ravi", "Kofi", "Marco", "Jonas", "Ivan", "Mateo", "Ethan", "Felix", "Hugo", "Ali",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Brown", "Garcia", "Martin", "Muller", "Rossi", "Tanaka", "Silva", "Kim", "Nguyen", "Patel",
    "Johnson", "Lopez", "Dubois", "Novak", "Jensen", "Okafor", "Mensah", "Ahmed", "Costa", "Walker",
    "Wilson", "Fischer", "Moreau", "Sato", "Khan", "Evans", "Clarke", "Hughes", "Bianchi",
)


@dataclass(frozen=True)
class Person:
    """A famous real person and a few plain facts about them."""

    name: str
    gender: str                  # "female" / "male": picks "she"/"he"
    birthplace: str              # a city or region
    birth_country: str           # a key of COUNTRY
    profession: str
    known_for: str               # a verb phrase: "... is known for {known_for}"


PEOPLE: tuple[Person, ...] = (
    Person("Barack Obama", "male", "Hawaii", "United States", "politician",
           "being the president of the United States"),
    Person("Marie Curie", "female", "Warsaw", "Poland", "scientist", "her research on radioactivity"),
    Person("Albert Einstein", "male", "Ulm", "Germany", "physicist", "the theory of relativity"),
    Person("Ada Lovelace", "female", "London", "United Kingdom", "mathematician",
           "writing the first computer program"),
    Person("Leonardo da Vinci", "male", "Vinci", "Italy", "painter", "painting the Mona Lisa"),
    Person("William Shakespeare", "male", "Stratford", "United Kingdom", "writer", "his plays and poems"),
    Person("Frida Kahlo", "female", "Mexico City", "Mexico", "painter", "her colorful self-portraits"),
    Person("Nelson Mandela", "male", "Mvezo", "South Africa", "politician",
           "being the first black president of South Africa"),
    Person("Isaac Newton", "male", "Woolsthorpe", "United Kingdom", "physicist", "the laws of motion"),
    Person("Charles Darwin", "male", "Shrewsbury", "United Kingdom", "naturalist",
           "the theory of evolution"),
    Person("Jane Austen", "female", "Steventon", "United Kingdom", "writer", "her novels"),
    Person("Wangari Maathai", "female", "Nyeri", "Kenya", "scientist", "planting millions of trees"),
    Person("Pele", "male", "Tres Coracoes", "Brazil", "footballer", "winning three World Cups"),
    Person("Serena Williams", "female", "Saginaw", "United States", "tennis player",
           "winning twenty-three Grand Slam titles"),
    Person("Hayao Miyazaki", "male", "Tokyo", "Japan", "film director", "his animated films"),
    Person("Gabriel Garcia Marquez", "male", "Aracataca", "Colombia", "writer", "his novels"),
)
PERSON: dict[str, Person] = {p.name: p for p in PEOPLE}

# --------------------------------------------------------------------------------------------
# Organisations
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str                    # "company", "university", "club", "agency"
    city: str                    # a key of CITY (its country is CITY[city].country)
    field: str                   # what it does: "software", "football", "medicine", ...


ORGANISATIONS: tuple[Organisation, ...] = (
    # Companies: invented names, so no sentence makes a claim about a real firm.
    Organisation("Northwind Foods", "company", "Chicago", "food"),
    Organisation("Bluebird Software", "company", "Toronto", "software"),
    Organisation("Sunrise Motors", "company", "Osaka", "cars"),
    Organisation("Greenleaf Energy", "company", "Hamburg", "solar power"),
    Organisation("Atlas Shipping", "company", "Rotterdam", "shipping"),
    Organisation("Blue River Bank", "company", "London", "banking"),
    Organisation("Silver Peak Games", "company", "Montreal", "video games"),
    Organisation("Golden Harvest Coffee", "company", "Sao Paulo", "coffee"),
    Organisation("Orion Telecom", "company", "Stockholm", "phones"),
    Organisation("Maple Books", "company", "Dublin", "books"),
    # Universities and agencies (real, with their real cities).
    Organisation("Oxford University", "university", "Oxford", "teaching and research"),
    Organisation("the Sorbonne", "university", "Paris", "teaching and research"),
    Organisation("the University of Tokyo", "university", "Tokyo", "teaching and research"),
    Organisation("Harvard University", "university", "Boston", "teaching and research"),
    Organisation("the University of Cape Town", "university", "Cape Town", "teaching and research"),
    Organisation("the United Nations", "agency", "New York", "peace and cooperation"),
    Organisation("the World Health Organization", "agency", "Geneva", "health"),
    # Football clubs (real, with their real cities).
    Organisation("Real Madrid", "club", "Madrid", "football"),
    Organisation("FC Barcelona", "club", "Barcelona", "football"),
    Organisation("Bayern Munich", "club", "Munich", "football"),
    Organisation("Juventus", "club", "Turin", "football"),
    Organisation("Manchester United", "club", "Manchester", "football"),
    Organisation("Ajax", "club", "Amsterdam", "football"),
    Organisation("Boca Juniors", "club", "Buenos Aires", "football"),
    Organisation("Flamengo", "club", "Rio de Janeiro", "football"),
)
ORGANISATION: dict[str, Organisation] = {o.name: o for o in ORGANISATIONS}

# --------------------------------------------------------------------------------------------
# Animals, food, sports, work, things
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Animal:
    name: str
    plural: str
    sound: str                   # third person verb: "the dog barks"
    kind: str                    # "pet", "farm", "wild"
    food: str                    # what it likes to eat
    home: str                    # where it lives


ANIMALS: tuple[Animal, ...] = (
    Animal("cat", "cats", "purrs", "pet", "fish", "house"),
    Animal("dog", "dogs", "barks", "pet", "bones", "house"),
    Animal("rabbit", "rabbits", "squeaks", "pet", "carrots", "hutch"),
    Animal("hamster", "hamsters", "squeaks", "pet", "seeds", "cage"),
    Animal("parrot", "parrots", "talks", "pet", "seeds", "cage"),
    Animal("puppy", "puppies", "yaps", "pet", "biscuits", "house"),
    Animal("kitten", "kittens", "mews", "pet", "milk", "house"),
    Animal("horse", "horses", "neighs", "farm", "hay", "stable"),
    Animal("cow", "cows", "moos", "farm", "grass", "field"),
    Animal("sheep", "sheep", "bleats", "farm", "grass", "field"),
    Animal("pig", "pigs", "grunts", "farm", "apples", "sty"),
    Animal("chicken", "chickens", "clucks", "farm", "corn", "coop"),
    Animal("duck", "ducks", "quacks", "farm", "bread", "pond"),
    Animal("lion", "lions", "roars", "wild", "meat", "savanna"),
    Animal("elephant", "elephants", "trumpets", "wild", "leaves", "savanna"),
    Animal("monkey", "monkeys", "chatters", "wild", "bananas", "forest"),
    Animal("bear", "bears", "growls", "wild", "berries", "forest"),
    Animal("wolf", "wolves", "howls", "wild", "meat", "forest"),
    Animal("owl", "owls", "hoots", "wild", "mice", "forest"),
    Animal("penguin", "penguins", "squawks", "wild", "fish", "ice"),
)
ANIMAL: dict[str, Animal] = {a.name: a for a in ANIMALS}
PETS: tuple[Animal, ...] = tuple(a for a in ANIMALS if a.kind == "pet")

# Pet names with the pronoun the generator uses for the pet.
FEMALE_PET_NAMES: tuple[str, ...] = ("Bella", "Luna", "Daisy", "Lily", "Coco", "Rosie", "Molly", "Nala")
MALE_PET_NAMES: tuple[str, ...] = ("Milo", "Max", "Oscar", "Charlie", "Buddy", "Leo", "Simba", "Rocky")

# Things at home a pet sits, sleeps or lies on ("the cat sat on the mat").
RESTING_PLACES: tuple[str, ...] = ("mat", "sofa", "rug", "bed", "chair", "cushion", "blanket", "windowsill",
                                   "carpet", "floor")
# Other household objects for descriptions.
OBJECTS: tuple[str, ...] = ("table", "lamp", "book", "cup", "window", "door", "box", "ball", "basket", "shelf",
                            "clock", "bag", "pen", "plate", "key")
ROOMS: tuple[str, ...] = ("kitchen", "living room", "bedroom", "garden", "hall", "bathroom")
TOYS: tuple[str, ...] = ("ball", "toy mouse", "piece of string", "rubber bone", "paper bag", "sock")


@dataclass(frozen=True)
class Food:
    name: str
    kind: str                    # "fruit", "vegetable", "dish", "drink", "sweet"
    taste: str                   # an adjective: "sweet", "crunchy", ...


FOODS: tuple[Food, ...] = (
    Food("apple", "fruit", "crunchy"), Food("banana", "fruit", "sweet"), Food("orange", "fruit", "juicy"),
    Food("strawberry", "fruit", "sweet"), Food("lemon", "fruit", "sour"), Food("mango", "fruit", "juicy"),
    Food("carrot", "vegetable", "crunchy"), Food("tomato", "vegetable", "fresh"),
    Food("potato", "vegetable", "soft"), Food("onion", "vegetable", "sharp"),
    Food("pepper", "vegetable", "crisp"), Food("mushroom", "vegetable", "earthy"),
    Food("soup", "dish", "warm"), Food("pasta", "dish", "filling"), Food("rice", "dish", "plain"),
    Food("salad", "dish", "fresh"), Food("bread", "dish", "soft"), Food("omelette", "dish", "light"),
    Food("tea", "drink", "hot"), Food("coffee", "drink", "strong"), Food("juice", "drink", "sweet"),
    Food("cake", "sweet", "sweet"), Food("chocolate", "sweet", "rich"), Food("ice cream", "sweet", "cold"),
)
FOOD: dict[str, Food] = {f.name: f for f in FOODS}
# Home cooking: a dish, what goes into it, and how it is cooked.
RECIPES: dict[str, tuple[tuple[str, ...], str]] = {
    "vegetable soup": (("carrots", "potatoes", "onions", "tomatoes"), "boil"),
    "tomato pasta": (("pasta", "tomatoes", "garlic", "olive oil"), "boil"),
    "omelette": (("eggs", "milk", "cheese", "mushrooms"), "fry"),
    "fruit salad": (("apples", "bananas", "oranges", "strawberries"), "mix"),
    "chocolate cake": (("flour", "sugar", "eggs", "butter", "chocolate"), "bake"),
    "pancakes": (("flour", "milk", "eggs", "butter"), "fry"),
    "fried rice": (("rice", "eggs", "peppers", "onions"), "fry"),
    "apple pie": (("apples", "flour", "butter", "sugar"), "bake"),
    "green salad": (("lettuce", "cucumbers", "tomatoes", "olive oil"), "mix"),
    "banana bread": (("bananas", "flour", "sugar", "eggs"), "bake"),
}
KITCHEN_VERBS: tuple[str, ...] = ("chop", "slice", "cut")


@dataclass(frozen=True)
class Sport:
    name: str
    player: str                  # "a football player"
    place: str                   # where it is played
    equipment: str               # what you need
    team_size: int               # players per side; 1 for individual sports
    verb: str = "play"           # "play football", "go swimming" -> verb "go", gerund in name


SPORTS: tuple[Sport, ...] = (
    Sport("football", "footballer", "pitch", "ball", 11),
    Sport("basketball", "basketball player", "court", "ball", 5),
    Sport("tennis", "tennis player", "court", "racket", 1),
    Sport("volleyball", "volleyball player", "court", "ball", 6),
    Sport("cricket", "cricketer", "field", "bat", 11),
    Sport("rugby", "rugby player", "pitch", "ball", 15),
    Sport("baseball", "baseball player", "field", "bat", 9),
    Sport("hockey", "hockey player", "rink", "stick", 6),
    Sport("swimming", "swimmer", "pool", "swimsuit", 1, "go"),
    Sport("cycling", "cyclist", "road", "bike", 1, "go"),
    Sport("running", "runner", "track", "pair of shoes", 1, "go"),
    Sport("skiing", "skier", "mountain", "pair of skis", 1, "go"),
)
SPORT: dict[str, Sport] = {s.name: s for s in SPORTS}
TEAM_SPORTS: tuple[Sport, ...] = tuple(s for s in SPORTS if s.team_size > 1)


@dataclass(frozen=True)
class Profession:
    name: str
    workplace: str               # "works in a {workplace}" / "at the {workplace}"
    activity: str                # a present-tense verb phrase: "she {activity}"


PROFESSIONS: tuple[Profession, ...] = (
    Profession("teacher", "school", "teaches children to read and write"),
    Profession("doctor", "hospital", "looks after sick people"),
    Profession("nurse", "hospital", "cares for patients"),
    Profession("engineer", "factory", "designs machines"),
    Profession("farmer", "farm", "grows vegetables and keeps animals"),
    Profession("baker", "bakery", "bakes bread every morning"),
    Profession("chef", "restaurant", "cooks meals for the guests"),
    Profession("pilot", "airport", "flies planes"),
    Profession("scientist", "laboratory", "runs experiments"),
    Profession("programmer", "office", "writes software"),
    Profession("librarian", "library", "helps people find books"),
    Profession("journalist", "newspaper", "writes news stories"),
    Profession("vet", "clinic", "treats sick animals"),
    Profession("musician", "concert hall", "plays music"),
    Profession("shopkeeper", "shop", "sells things to customers"),
    Profession("police officer", "police station", "keeps the streets safe"),
)
PROFESSION: dict[str, Profession] = {p.name: p for p in PROFESSIONS}

HOBBIES: tuple[str, ...] = ("read a book", "go for a walk", "listen to music", "play the guitar", "paint",
                            "watch a film", "go to the gym", "cook dinner", "work in the garden", "call a friend")
RELATIVES: tuple[str, ...] = ("mother", "father", "sister", "brother", "grandmother", "grandfather", "aunt",
                              "uncle", "cousin")
COLOURS: tuple[str, ...] = ("red", "blue", "green", "yellow", "black", "white", "grey", "brown", "orange",
                            "purple", "pink")
SCHOOL_SUBJECTS: tuple[str, ...] = ("maths", "history", "geography", "biology", "chemistry", "physics", "art",
                                    "music", "English", "French")
DAYS: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS: tuple[str, ...] = ("January", "February", "March", "April", "May", "June", "July", "August",
                           "September", "October", "November", "December")
SEASONS: tuple[str, ...] = ("spring", "summer", "autumn", "winter")
TRANSPORT: tuple[str, ...] = ("train", "bus", "plane", "car", "bike", "boat")


@dataclass(frozen=True)
class Weather:
    adjective: str               # "it is {adjective}"
    noun: str                    # "the {noun}"
    sky: str                     # "the sky is {sky}"
    advice: str                  # an imperative: "take an umbrella"


WEATHERS: tuple[Weather, ...] = (
    Weather("sunny", "sunshine", "blue", "wear a hat"),
    Weather("rainy", "rain", "grey", "take an umbrella"),
    Weather("windy", "wind", "full of fast clouds", "hold on to your hat"),
    Weather("snowy", "snow", "white", "wear warm boots"),
    Weather("cloudy", "clouds", "grey", "bring a jacket"),
    Weather("stormy", "storm", "dark", "stay indoors"),
    Weather("foggy", "fog", "hidden", "drive slowly"),
    Weather("cold", "cold", "pale", "wear a scarf"),
    Weather("hot", "heat", "bright", "drink plenty of water"),
)
WEATHER: dict[str, Weather] = {w.adjective: w for w in WEATHERS}

# Opinion words, shared by the corpus and the sentiment task.
POSITIVE_ADJECTIVES: tuple[str, ...] = ("wonderful", "great", "excellent", "lovely", "brilliant", "amazing",
                                        "fantastic", "delightful", "beautiful", "enjoyable")
NEGATIVE_ADJECTIVES: tuple[str, ...] = ("terrible", "awful", "boring", "disappointing", "dull", "poor",
                                        "horrible", "annoying", "weak", "dreadful")

# --------------------------------------------------------------------------------------------
# Science: true, simple facts, each a sentence; grouped so a document stays on one topic.
# --------------------------------------------------------------------------------------------

SCIENCE_FACTS: dict[str, tuple[str, ...]] = {
    "water": (
        "Water boils at one hundred degrees Celsius.",
        "Water freezes at zero degrees Celsius.",
        "Ice is frozen water.",
        "When water is heated, it turns into steam.",
        "Most of the surface of the Earth is covered by water.",
        "Clouds are made of tiny drops of water.",
        "Rain falls when the drops in a cloud become too heavy.",
        "The water in the sea is salty.",
    ),
    "space": (
        "The Earth goes around the Sun.",
        "It takes the Earth one year to go around the Sun.",
        "The Moon goes around the Earth.",
        "The Sun is a star.",
        "Mars is called the red planet.",
        "Jupiter is the largest planet in the solar system.",
        "The Earth spins once every day.",
        "Light from the Sun takes about eight minutes to reach the Earth.",
    ),
    "plants": (
        "Plants need water and sunlight to grow.",
        "Leaves are green because they contain chlorophyll.",
        "Plants take in carbon dioxide and give out oxygen.",
        "Roots take water from the soil.",
        "Bees carry pollen from flower to flower.",
        "Many trees lose their leaves in autumn.",
        "Seeds grow into new plants.",
    ),
    "body": (
        "The heart pumps blood around the body.",
        "The lungs take oxygen from the air.",
        "An adult has two hundred and six bones.",
        "The brain controls the rest of the body.",
        "Teeth help us to chew our food.",
        "Sleep helps the body to rest and grow.",
        "Exercise makes the heart stronger.",
    ),
    "animals": (
        "Mammals feed their babies with milk.",
        "Birds have feathers and lay eggs.",
        "Fish breathe through their gills.",
        "Whales are mammals, not fish.",
        "Bats are the only mammals that can fly.",
        "Spiders have eight legs.",
        "Insects have six legs.",
    ),
}
