"""The fictional accounts of the demo story: residents, journalists, news desks, the company, the
coordinated #BOCcoverup cluster. Each platform writer gives them its own ids and handle rules.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from workbench.demo import story

# (first names, last names) per language; display names in the script people use.
NAMES = {
    "nl": (["Sanne", "Daan", "Lotte", "Bram", "Femke", "Jeroen", "Ilse", "Ruben", "Anouk",
            "Thijs", "Marloes", "Sven", "Noor", "Joost", "Esther", "Wouter", "Fleur", "Koen",
            "Iris", "Niels", "Mehmet", "Fatima", "Yassine", "Priya"],
           ["de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder",
            "de Groot", "Bos", "Vos", "Peters", "Hendriks", "van Dijk", "Kok", "Dekker",
            "Brouwer", "van Leeuwen", "Verhoeven", "Kaya", "El Amrani"]),
    "en": (["James", "Olivia", "Tom", "Emily", "Chris", "Hannah", "Mark", "Sophie", "Dan",
            "Rachel", "Alex", "Laura", "Ben", "Kate", "Sam", "Jess"],
           ["Walker", "Hughes", "Carter", "Bennett", "Price", "Reid", "Foster", "Morgan",
            "Ellis", "Shaw"]),
    "es": (["Lucía", "Javier", "Marta", "Pablo", "Carmen", "Diego", "Elena", "Sergio"],
           ["García", "Martínez", "López", "Sánchez", "Romero", "Navarro", "Ortega", "Ruiz"]),
    "fr": (["Camille", "Julien", "Manon", "Théo", "Chloé", "Nicolas", "Léa", "Antoine"],
           ["Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Bonnet", "Mercier", "Fontaine"]),
    "de": (["Lukas", "Anna", "Jonas", "Lea", "Felix", "Katrin", "Tobias", "Miriam"],
           ["Müller", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Krüger", "Wagner"]),
    "ar": (["يوسف", "أمينة", "كريم", "سلمى", "عمر", "نور", "حسن", "ليلى"],
           ["الإدريسي", "حداد", "منصور", "خليل", "صالح"]),
    "uk": (["Олена", "Андрій", "Марія", "Тарас", "Ірина", "Дмитро", "Оксана", "Богдан"],
           ["Коваленко", "Шевчук", "Бондаренко", "Мельник", "Ткаченко", "Кравченко"]),
}
LATIN = {  # how Arabic and Ukrainian names are spelled in handles
    "يوسف": "youssef", "أمينة": "amina", "كريم": "karim", "سلمى": "salma", "عمر": "omar",
    "نور": "nour", "حسن": "hassan", "ليلى": "layla", "الإدريسي": "elidrissi", "حداد": "haddad",
    "منصور": "mansour", "خليل": "khalil", "صالح": "saleh", "Олена": "olena", "Андрій": "andrii",
    "Марія": "mariia", "Тарас": "taras", "Ірина": "iryna", "Дмитро": "dmytro", "Оксана": "oksana",
    "Богдан": "bohdan", "Коваленко": "kovalenko", "Шевчук": "shevchuk",
    "Бондаренко": "bondarenko", "Мельник": "melnyk", "Ткаченко": "tkachenko",
    "Кравченко": "kravchenko",
}
HOMES = {
    "nl": ["Rotterdam", "Rotterdam", "Schiedam", "Vlaardingen", "Spijkenisse", "Rozenburg",
           "Maassluis", "Hoogvliet", "Pernis", "Brielle", "Delft", "The Hague", "Dordrecht",
           "Breda", "Utrecht", "Amsterdam"],
    "en": ["London", "Manchester", "Rotterdam", "Amsterdam", "Rotterdam", "Antwerp", "Brussels"],
    "es": ["Madrid", "Barcelona", "Rotterdam"],
    "fr": ["Paris", "Lille", "Brussels", "Antwerp"],
    "de": ["Berlin", "Cologne", "Düsseldorf"],
    "ar": ["Rotterdam", "Schiedam", "Vlaardingen", "Antwerp", "Brussels"],
    "uk": ["Rotterdam", "Schiedam", "Spijkenisse", "Kyiv"],
}
BIOS = {
    "nl": ["Rotterdammer. Vader van twee. Feyenoord.", "Verpleegkundige | {home}",
           "Havenwerker, hardloper, koffie.", "Student @ EUR. Mening is van mij."],
    "en": ["Dad, runner, bad at gardening.", "Environmental scientist. Views my own.",
           "Living in {home}. Coffee first.", "Freelance photographer 📷"],
    "es": ["Periodista en Madrid. Opiniones propias.", "Viviendo en {home} ✈️"],
    "fr": ["Journaliste indépendante. {home}.", "Ingénieur chimiste, curieux de tout."],
    "de": ["Umweltingenieurin aus {home}.", "Nachrichten, Fußball, Kaffee."],
    "ar": ["أعيش في {home}. أب لثلاثة أطفال.", "ممرضة | {home}"],
    "uk": ["Живу в {home}. Волонтерка.", "Інженер. Роттердам 🇺🇦🇳🇱"],
}
#: Accounts that speak for an organisation (all fictional).
ORGS = (
    ("Maasstad Nieuws", "MaasstadNieuws", "nl", "news",
     "Nieuws uit Rotterdam en de regio. Tips: tips@maasstadnieuws.example"),
    ("Harbour Herald", "HarbourHerald", "en", "news", "English-language news from the Port of "
     "Rotterdam."),
    ("EuroWire Breaking", "EuroWireNews", "en", "news", "Breaking news from across Europe."),
    ("Rijnmond Safety Info", "RijnmondSafety", "nl", "official",
     "Crisis information for the Rijnmond region (demo account)."),
    ("Brandt-Ostermann Chemie", "BOChemie", "en", "company",
     "Specialty chemicals from the Port of Rotterdam since 1968."),
    ("Schone Lucht Rijnmond", "SchoneLuchtRM", "nl", "activist",
     "Bewonersgroep voor schone lucht in de Botlek en omgeving."),
)
COORDINATED_NAMES = ("Mark", "Dennis", "Sandra", "Patrick", "Linda", "Erik", "Monique",
                     "Kevin", "Ingrid", "Rob", "Wendy", "Peter", "Ellen", "Hans")
COORDINATED_BIO = ("Truth seeker. Father. No to the lies 🇳🇱", "Vrij denker. Wakker. 🇳🇱",
                   "Ask questions. Think for yourself.")
#: How the people of each language split across the platforms' audiences.
LANG_WEIGHTS = {"en": 50, "nl": 20, "de": 6, "fr": 6, "es": 5, "ar": 6, "uk": 7}


@dataclass(eq=False)
class Persona:
    """One fictional account (its platform id is given by the writer)."""

    name: str
    handle: str
    lang: str
    home: story.Place
    kind: str
    created: datetime
    followers: int
    following: int
    statuses: int
    bio: str
    verified: bool = False
    weight: float = 1.0
    uid: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def is_org(self) -> bool:
        return self.kind in ("news", "official", "company", "activist")


def ascii_handle(text: str) -> str:
    """Letters and digits of ``text`` without accents, as handles are spelled."""
    text = "".join(LATIN.get(part, part) for part in text.split(" "))
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isascii() and c.isalnum()).lower()


def _handle(rng: random.Random, first: str, last: str, taken: set[str], local: bool) -> str:
    f, la = ascii_handle(first), ascii_handle(last)
    patterns = ("{f}{l}", "{f}_{l}", "{f}{l}{n}", "{i}{l}", "{f}_{n}")
    pattern = rng.choice(patterns + (("{f}{l}010", "{f}_rdam") if local else ()))
    handle = pattern.format(f=f, l=la, i=f[:1], n=rng.randrange(1, 99))[:15]
    while handle in taken:
        handle = (handle[:12] + str(rng.randrange(10, 999)))[:15]
    taken.add(handle)
    return handle


def _created(rng: random.Random, start_year: int = 2009) -> datetime:
    days = (datetime(2023, 12, 1, tzinfo=UTC) - datetime(start_year, 1, 1, tzinfo=UTC)).days
    moment = datetime(start_year, 1, 1, tzinfo=UTC) + timedelta(days=rng.randrange(days),
                                                                seconds=rng.randrange(86400))
    return moment


def person(rng: random.Random, taken: set[str], lang: str | None = None) -> Persona:
    """A random resident, reporter or onlooker."""
    lang = lang or rng.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()))[0]
    firsts, lasts = NAMES[lang]
    first, last = rng.choice(firsts), rng.choice(lasts)
    home = story.PLACES[rng.choice(HOMES[lang])]
    followers = int(rng.paretovariate(1.1) * 60)
    return Persona(
        name=f"{first} {last}", handle=_handle(rng, first, last, taken, home.local), lang=lang, home=home,
        kind="person", created=_created(rng), followers=min(followers, 250_000),
        following=rng.randrange(40, 1500), statuses=rng.randrange(50, 40_000),
        bio=rng.choice(BIOS[lang]).format(home=home.name), weight=rng.paretovariate(1.6),
    )


def organisations(rng: random.Random, taken: set[str]) -> list[Persona]:
    """The news desks, the safety-information account, the company and the residents' group."""
    people = []
    for name, handle, lang, kind, bio in ORGS:
        taken.add(handle.lower())
        people.append(Persona(
            name=name, handle=handle, lang=lang, home=story.PLACES["Rotterdam"], kind=kind,
            created=_created(rng, 2009), followers=rng.randrange(8_000, 180_000),
            following=rng.randrange(100, 900), statuses=rng.randrange(5_000, 90_000), bio=bio,
            verified=kind in ("news", "official", "company"),
            weight=8.0 if kind == "news" else 4.0,
        ))
    return people


def coordinated(rng: random.Random, taken: set[str], count: int = 12) -> list[Persona]:
    """The cluster: fresh accounts, made within days of each other, with look-alike profiles."""
    people = []
    for first in rng.sample(COORDINATED_NAMES, count):
        handle = f"{first.lower()}{rng.randrange(10**7, 10**8)}"
        taken.add(handle)
        created = datetime(2024, 2, 19, tzinfo=UTC) + timedelta(seconds=rng.randrange(4 * 86400))
        people.append(Persona(
            name=f"{first} {rng.choice(NAMES['nl'][1])}", handle=handle, lang="nl",
            home=story.PLACES["Rotterdam"], kind="coordinated", created=created,
            followers=rng.randrange(3, 60), following=rng.randrange(150, 900),
            statuses=rng.randrange(40, 400), bio=rng.choice(COORDINATED_BIO), weight=0.0,
        ))
    return people


def joined_after(rng: random.Random, cast_: list[Persona], opened: datetime) -> None:
    """Nobody joined a platform before it opened: move such accounts' creation after ``opened``."""
    span = int((datetime(2024, 2, 1, tzinfo=UTC) - opened).total_seconds())
    for person in cast_:
        if person.created < opened:
            person.created = opened + timedelta(seconds=rng.randrange(span))


def cast(rng: random.Random, count: int, *, orgs: bool = True, cluster: int = 0,
         lang: str | None = None) -> list[Persona]:
    """``count`` ordinary accounts, plus the organisations and a coordinated cluster if asked."""
    taken: set[str] = set()
    people = organisations(rng, taken) if orgs else []
    people += [person(rng, taken, lang) for _ in range(count)]
    if cluster:
        people += coordinated(rng, taken, cluster)
    return people
