"""The demo studio Kassandra and its production Varsovie-Express, in English and French."""

from typing import Any

SKILLS = [
    ("acting", "Acting", "Jeu d'acteur"),
    ("directing", "Directing", "Réalisation"),
    ("screenwriting", "Screenwriting", "Scénario"),
    ("cinematography", "Cinematography", "Image"),
    ("editing", "Editing", "Montage"),
    ("sound", "Sound", "Son"),
    ("music", "Music", "Musique"),
    ("illustration", "Illustration", "Illustration"),
    ("translation", "Translation", "Traduction"),
    ("production", "Production", "Production"),
    ("vfx", "Visual effects", "Effets visuels"),
    ("costume", "Costume", "Costumes"),
]

DEMO_PASSWORD = "backstage-demo"

PEOPLE = [
    # username, e-mail, display name, city, language, skills, bio, staff
    (
        "camille",
        "camille@kassandra.example",
        "Camille Roux",
        "Paris",
        "fr",
        ["production", "directing"],
        "Productrice chez Kassandra. Je crois que le cinéma peut se faire **avec** le public.",
        False,
    ),
    (
        "jan",
        "jan@kassandra.example",
        "Jan Kowalski",
        "Warszawa",
        "en",
        ["directing", "screenwriting"],
        "Director of *Varsovie-Express*. I grew up between Warsaw and Lyon.",
        False,
    ),
    (
        "ines",
        "ines@kassandra.example",
        "Inès Haddad",
        "Lyon",
        "fr",
        ["editing", "sound"],
        "Monteuse et ingénieure du son.",
        False,
    ),
    (
        "marek",
        "marek@kassandra.example",
        "Marek Nowak",
        "Kraków",
        "en",
        ["music"],
        "Composer. Looking for a train-rhythm score.",
        False,
    ),
    (
        "lea",
        "lea@kassandra.example",
        "Léa Martin",
        "Marseille",
        "fr",
        ["acting", "translation"],
        "Comédienne, traductrice de sous-titres à mes heures.",
        False,
    ),
    ("admin", "admin@kassandra.example", "Studio admin", "", "en", [], "", True),
]

TEAM = [("camille", "producer"), ("jan", "director"), ("ines", "crew"), ("lea", "moderator")]

PRODUCTIONS: list[dict[str, Any]] = [
    {
        "slug": "varsovie-express",
        "title": "Varsovie-Express",
        "stage": "writing",
        "license": "LAL-1.3",
        "logline_en": "One night train from Paris to Warsaw, six strangers, and a suitcase nobody will claim.",
        "logline_fr": "Un train de nuit de Paris à Varsovie, six inconnus, et une valise que personne ne réclame.",
        "synopsis_en": (
            "*Varsovie-Express* is a feature film written, cast, shot, scored, translated and funded "
            "**with the public**.\n\n"
            "Between the Gare de l'Est and Warszawa Centralna, six passengers share a couchette "
            "compartment. When the train stops at the border in the middle of the night, a suitcase "
            "is found that none of them will admit to owning.\n\n"
            "The film will come out on the same day in cinemas and on the Internet, under the "
            "Licence Art Libre, so that everyone can watch it, share it and remix it."
        ),
        "synopsis_fr": (
            "*Varsovie-Express* est un long métrage écrit, distribué, tourné, mis en musique, traduit "
            "et financé **avec les internautes**.\n\n"
            "Entre la gare de l'Est et Warszawa Centralna, six voyageurs partagent un compartiment "
            "couchettes. Quand le train s'arrête à la frontière en pleine nuit, on découvre une valise "
            "que personne ne veut reconnaître.\n\n"
            "Le film sortira le même jour en salles et sur Internet, sous Licence Art Libre, pour que "
            "chacun puisse le voir, le partager et le remixer."
        ),
        "calls": [
            {
                "kind": "cast",
                "title_en": "Casting: Ania, the conductor",
                "title_fr": "Casting : Ania, la contrôleuse",
                "brief_en": "We are looking for an actress, 40 to 60, speaking French and Polish, for the role "
                "of **Ania**, the night conductor who knows every passenger's secret.\n\n"
                "Send a self-tape of the scene *Compartiment 6* (two minutes at most).",
                "brief_fr": "Nous cherchons une comédienne de 40 à 60 ans, parlant français et polonais, pour le "
                "rôle d'**Ania**, la contrôleuse de nuit qui connaît le secret de chaque voyageur.\n\n"
                "Envoyez un essai filmé de la scène *Compartiment 6* (deux minutes au plus).",
                "deadline_days": 45,
            },
            {
                "kind": "music",
                "title_en": "Music: the border theme",
                "title_fr": "Musique : le thème de la frontière",
                "brief_en": "A two-minute cue for the border stop at 3 a.m.: suspended, cold, with the rhythm "
                "of a train at rest. Any instruments.",
                "brief_fr": "Un morceau de deux minutes pour l'arrêt à la frontière à 3 heures du matin : "
                "suspendu, froid, avec le rythme d'un train à l'arrêt. Instrumentation libre.",
                "deadline_days": 60,
            },
            {
                "kind": "art",
                "title_en": "Poster for the crowdfunding campaign",
                "title_fr": "Affiche de la campagne de financement",
                "brief_en": "A poster (portrait, 70 × 100 cm) showing the train and the suitcase.",
                "brief_fr": "Une affiche (portrait, 70 × 100 cm) montrant le train et la valise.",
                "deadline_days": 30,
            },
            {
                "kind": "script",
                "title_en": "Write the scene in the dining car",
                "title_fr": "Écrire la scène du wagon-restaurant",
                "brief_en": "Propose the dining-car scene where two passengers first lie about the suitcase.",
                "brief_fr": "Proposez la scène du wagon-restaurant où deux voyageurs mentent pour la première "
                "fois à propos de la valise.",
                "deadline_days": None,
            },
        ],
    },
    {
        "slug": "hadopi-le-film",
        "title": "Hadopi, le film",
        "stage": "released",
        "license": "CC-BY-SA-4.0",
        "logline_en": "A short free film about the French law that wanted to cut people off the Internet.",
        "logline_fr": "Un court métrage libre sur la loi qui voulait couper les internautes du réseau.",
        "synopsis_en": "Our first free film, made in a few weeks with people who found us online.",
        "synopsis_fr": "Notre premier film libre, fait en quelques semaines avec des internautes.",
        "calls": [],
    },
]

# Contributions from the public, answering the calls above: (call index, author, title, license,
# description, status after review, reviewer, note). Each gets a generated picture or text file.
CONTRIBUTIONS: list[dict[str, Any]] = [
    {
        "call": 2,
        "author": "marek",
        "title": "Night train poster, blue version",
        "license": "CC-BY-SA-4.0",
        "description": "The couchette car under snow, the suitcase alone on the platform.",
        "color": (30, 60, 120),
        "status": "shortlisted",
        "note": "We love the snow. Could the suitcase be larger?",
    },
    {
        "call": 2,
        "author": "lea",
        "title": "Affiche rouge",
        "license": "LAL-1.3",
        "description": "Une affiche rouge et noire, façon années 1960.",
        "color": (160, 30, 30),
        "comment": (
            "marek",
            "Superbe ! @lea, tu partages le fichier source ?",
            "lea",
            "Oui, je le dépose ce soir.",
        ),
        "status": "accepted",
        "note": "Retenue pour la campagne. Merci !",
    },
    {
        "call": 3,
        "author": "marek",
        "title": "Dining car, first draft",
        "license": "CC-BY-4.0",
        "description": "INT. WAGON-RESTAURANT – NUIT\n\nTwo passengers, one table, one lie.",
        "text": "INT. DINING CAR - NIGHT\n\nANIA sits alone. MAREK joins her.\n\nMAREK\nIs this seat taken?\n",
        "status": "submitted",
    },
]
