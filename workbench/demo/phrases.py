"""What people say in the demo story: sentence templates per language and phase, with slots.

Slots: ``{place}`` a town near the plant, ``{city}`` a city the phase is about, ``{n}`` a number,
``{e}`` an emoji. Templates are real sentences in each language; hashtags, links and mentions are
added by :mod:`workbench.demo.posts`.
"""

from __future__ import annotations

import random
from datetime import datetime

from workbench.demo import story

EMOJI = ("🔥", "😷", "🚒", "🙏", "😡", "💔", "👀", "⚠️", "🚨", "😢", "🕯️", "✊", "🇳🇱", "💨", "😨")

TEMPLATES: dict[str, dict[str, list[str]]] = {
    "en": {
        "before": [
            "Weird chemical smell over {place} again tonight. Anyone else? {e}",
            "That sweet solvent smell is back in {place}. Windows closed. Who do we even report "
            "this to?",
            "Flaring at the Botlek plants again, the whole sky over {place} is orange {e}",
            "Third smell complaint this month in {place}. The Brandt-Ostermann plant says "
            "everything is within limits.",
        ],
        "breaking": [
            "Huge bang from the direction of the Botlek just now, windows rattled in {place} {e}",
            "Massive fire at the Brandt-Ostermann chemical plant in the Botlek. Flames visible "
            "from {place} {e}",
            "NL-Alert just went off: keep windows and doors closed, switch off ventilation. "
            "{place} and surroundings.",
            "Sirens everywhere in {place}. Black smoke, you can smell it through closed "
            "windows {e}",
            "Explosion reported at a chemical plant in the Port of Rotterdam. Emergency services "
            "on scene, {n} fire engines so far.",
            "Can see the glow from {place}. This is big. Stay inside everyone {e}",
        ],
        "evacuation": [
            "Rozenburg is being evacuated. Buses at the church square, reception at Ahoy {e}",
            "Just arrived at Ahoy with the kids. Volunteers handing out blankets and tea. "
            "Thank you {e}",
            "Schools closed today in {place} because of the fire. Stay indoors if you can.",
            "Road closures: the A15 is blocked between {place} and the Botlek, police are "
            "turning everyone back.",
            "Our street in {place} was told to leave within the hour. No idea when we can go "
            "back {e}",
            "The Red Cross is asking for volunteers at Ahoy for evacuees from Rozenburg.",
        ],
        "plume": [
            "The smoke plume is drifting south-east towards {city}. Keep windows closed, "
            "authorities say.",
            "Ash on the cars in {place} this morning {e} Is it safe for kids to play outside?",
            "Air measurements near {place}: no harmful levels so far according to the fire "
            "brigade. Still stinks.",
            "You can see the smoke from {city}. The sky is brown over the whole region {e}",
            "Farmers near {place} have been told not to harvest leafy vegetables until further "
            "notice.",
        ],
        "rumour": [
            "My cousin works at the plant and says at least {n} workers are missing. Why is "
            "nobody reporting this?",
            "They say it was phosgene. If that's true, why are people still living in {place}? "
            "{e}",
            "Don't drink the tap water in {place}!! It's contaminated, share this with everyone.",
            "Was this really an accident? Two incidents at the same plant in a month. Something "
            "doesn't add up.",
            "FAKE: no, the tap water in {place} is NOT contaminated. The water company says it "
            "is safe to drink.",
            "Seeing a lot of panic posts about 'hundreds dead'. No source for any of it. Please "
            "check before sharing.",
        ],
        "protest": [
            "Thousands on the Coolsingel today. Never again Botlek {e}",
            "Protest at the Malieveld in The Hague: residents want the plant closed for good.",
            "Solidarity gathering in {city} for the people of Rozenburg. Bring candles {e}",
            "Marching from the Erasmusbrug to the city hall. Families, dockworkers, students "
            "{e}",
        ],
        "aftermath": [
            "Rozenburg residents are allowed back home from tomorrow 9:00. Bring your own water "
            "for the first day.",
            "An independent investigation into the Botlek fire has been announced. A report is "
            "expected within a year.",
            "The fire is officially out after {n} hours. Respect to the firefighters {e}",
            "A compensation desk for damage from the fire opens at the town hall in {place}.",
            "Brandt-Ostermann CEO: 'We will cooperate fully with the investigation.' Too little, "
            "too late.",
        ],
    },
    "nl": {
        "before": [
            "Weer die chemische lucht in {place}. Ruikt iemand anders het ook? {e}",
            "Al de derde klacht deze maand over stank in {place}. Het bedrijf zegt dat alles "
            "binnen de normen is.",
        ],
        "breaking": [
            "Enorme knal vanuit de Botlek, de ramen trilden hier in {place} {e}",
            "Grote brand bij chemiebedrijf Brandt-Ostermann in de Botlek. Vlammen te zien vanuit "
            "{place}.",
            "NL-Alert: houd ramen en deuren gesloten en zet de ventilatie uit. Geldt voor {place} "
            "en omgeving.",
        ],
        "evacuation": [
            "Rozenburg wordt geëvacueerd. Bussen staan klaar, opvang in Ahoy {e}",
            "Scholen vandaag dicht in {place} vanwege de brand.",
            "Net aangekomen in Ahoy met de kinderen. Vrijwilligers delen dekens en thee uit. "
            "Dank jullie wel {e}",
        ],
        "plume": [
            "De rookwolk trekt richting {city}. Ramen dicht houden.",
            "Roet op de auto's in {place} vanochtend {e} Is het veilig voor de kinderen om "
            "buiten te spelen?",
        ],
        "rumour": [
            "Mijn neef werkt daar en zegt dat er minstens {n} mensen vermist zijn. Waarom hoor je "
            "hier niks over?",
            "Drink het kraanwater in {place} niet!! Doorsturen naar iedereen.",
            "Klopt niet: het kraanwater in {place} is gewoon veilig, zegt het waterbedrijf.",
        ],
        "protest": [
            "Duizenden mensen op de Coolsingel vandaag. Nooit meer Botlek {e}",
            "Demonstratie op het Malieveld: bewoners willen dat de fabriek dichtgaat.",
        ],
        "aftermath": [
            "Bewoners van Rozenburg mogen morgen vanaf 9:00 terug naar huis.",
            "De brand is na {n} uur officieel uit. Respect voor de brandweer {e}",
            "Er komt een onafhankelijk onderzoek naar de brand in de Botlek.",
        ],
    },
    "es": {
        "before": ["Otra vez ese olor químico en {place}. ¿Alguien más lo nota?"],
        "breaking": [
            "Gran incendio en una planta química del puerto de Róterdam. Se ve el humo desde "
            "{place} {e}",
            "Acabo de oír una explosión enorme. Vivo en {place} y han temblado las ventanas {e}",
        ],
        "evacuation": [
            "Están evacuando Rozenburg, cerca de Róterdam. Mi hermana está en el centro de "
            "acogida de Ahoy.",
        ],
        "plume": ["La nube de humo se dirige hacia {city}. Recomiendan cerrar puertas y ventanas."],
        "rumour": [
            "Dicen que hay {n} desaparecidos en la planta y que el gobierno lo oculta. ¿Alguien "
            "tiene fuentes?",
        ],
        "protest": ["Miles de personas protestan en Róterdam contra la planta química {e}"],
        "aftermath": [
            "Los vecinos de Rozenburg ya pueden volver a casa. Se abre una investigación sobre "
            "el incendio.",
        ],
    },
    "fr": {
        "before": ["Encore cette odeur chimique à {place} ce soir. Quelqu'un d'autre la sent ?"],
        "breaking": [
            "Énorme incendie dans une usine chimique du port de Rotterdam. On voit les flammes "
            "depuis {place} {e}",
            "Une explosion a secoué la zone portuaire de Rotterdam cette nuit. Les habitants "
            "doivent rester chez eux.",
        ],
        "evacuation": [
            "Le village de Rozenburg est évacué. Les habitants sont accueillis à Ahoy, à "
            "Rotterdam.",
        ],
        "plume": [
            "Le panache de fumée se dirige vers {city}. Les autorités conseillent de fermer les "
            "fenêtres.",
            "Est-ce que la fumée va arriver jusqu'à {city} ? On sent déjà une odeur bizarre {e}",
        ],
        "rumour": [
            "On parle de {n} morts cachés par les autorités. Aucune source sérieuse, méfiez-vous.",
        ],
        "protest": [
            "Des milliers de manifestants à Rotterdam pour exiger la fermeture de l'usine {e}",
        ],
        "aftermath": ["Une enquête indépendante est ouverte sur l'incendie de Rotterdam."],
    },
    "de": {
        "before": ["Schon wieder dieser Chemiegeruch in {place}. Riecht das sonst noch jemand?"],
        "breaking": [
            "Großbrand in einem Chemiewerk im Rotterdamer Hafen. Die Rauchsäule sieht man bis "
            "{place} {e}",
            "Explosion im Rotterdamer Hafen, Anwohner sollen Fenster und Türen geschlossen "
            "halten.",
        ],
        "evacuation": ["Rozenburg wird evakuiert. Notunterkunft in der Ahoy-Halle in Rotterdam."],
        "plume": [
            "Die Rauchwolke zieht Richtung {city}. Kommt da was bei uns an? {e}",
            "Messungen in {city}: bisher keine erhöhten Schadstoffwerte. Trotzdem Fenster zu.",
        ],
        "rumour": [
            "Angeblich wurde Phosgen freigesetzt und die Behörden verschweigen es. Gibt es dafür "
            "irgendeinen Beleg?",
        ],
        "protest": ["Tausende demonstrieren in Rotterdam gegen das Chemiewerk {e}"],
        "aftermath": [
            "Das Feuer im Rotterdamer Hafen ist nach {n} Stunden gelöscht. Die Ursache wird "
            "untersucht.",
        ],
    },
    "ar": {
        "before": ["رائحة كيماوية قوية مرة أخرى في {place} الليلة."],
        "breaking": [
            "حريق ضخم في مصنع كيماويات في ميناء روتردام. الدخان يظهر من {place} {e}",
            "سمعنا انفجارا قويا قبل قليل، اهتزت النوافذ في {place}. ابقوا في بيوتكم",
        ],
        "evacuation": [
            "يتم إخلاء روزنبورغ الآن. مركز الاستقبال في أهوي في روتردام {e}",
            "المدارس مغلقة اليوم في {place} بسبب الحريق.",
        ],
        "plume": ["سحابة الدخان تتجه نحو {city}. أغلقوا النوافذ والأبواب."],
        "rumour": [
            "يقولون إن مياه الشرب في {place} ملوثة. هل هناك مصدر رسمي؟",
            "خبر كاذب: مياه الصنبور في {place} آمنة حسب شركة المياه.",
        ],
        "protest": ["آلاف المتظاهرين في روتردام يطالبون بإغلاق المصنع {e}"],
        "aftermath": ["سكان روزنبورغ يعودون إلى منازلهم غدا. تم فتح تحقيق في أسباب الحريق."],
    },
    "uk": {
        "before": ["Знову хімічний запах у {place}. Хтось ще відчуває?"],
        "breaking": [
            "Величезна пожежа на хімічному заводі в порту Роттердама. Дим видно з {place} {e}",
            "Щойно чули сильний вибух. У {place} тремтіли вікна. Залишайтеся вдома!",
        ],
        "evacuation": [
            "Розенбург евакуюють. Пункт прийому в Ahoy у Роттердамі {e}",
            "Українські родини з Розенбурга: волонтери допомагають з житлом і перекладом.",
        ],
        "plume": ["Хмара диму рухається в бік {city}. Тримайте вікна зачиненими."],
        "rumour": [
            "Пишуть, що вода в {place} отруєна. Це неправда, водоканал каже, що вода безпечна.",
        ],
        "protest": ["Тисячі людей вийшли на протест у Роттердамі {e}"],
        "aftermath": [
            "Мешканці Розенбурга можуть повернутися додому. Почалося розслідування причин "
            "пожежі.",
        ],
    },
}

REPLIES: dict[str, list[str]] = {
    "en": [
        "Stay safe {e}", "Source?", "Is this confirmed?", "Thanks for the update, very helpful.",
        "This is fake, please stop sharing it.", "Same here in {place}.",
        "Any news about Rozenburg?", "Thinking of everyone in the area {e}",
        "Where can I find the official info?", "My parents live there and I can't reach them {e}",
        "The plant should have been closed years ago.", "Please check your sources before posting.",
    ],
    "nl": [
        "Pas goed op jezelf {e}", "Bron?", "Klopt dit wel?", "Dank voor de update!",
        "Dit is nep, stop met delen.", "Hier in {place} ook.", "Iemand nieuws uit Rozenburg?",
        "Sterkte allemaal {e}",
    ],
    "es": ["¡Cuídate mucho! {e}", "¿Fuente?", "Gracias por la información.",
           "Esto es falso, por favor no lo compartáis."],
    "fr": ["Prenez soin de vous {e}", "Source ?", "Merci pour l'info.",
           "C'est faux, arrêtez de partager ça."],
    "de": ["Passt auf euch auf {e}", "Quelle?", "Danke für das Update.",
           "Das ist falsch, bitte nicht weiterverbreiten."],
    "ar": ["ابقوا بأمان {e}", "ما هو المصدر؟", "شكرا على المعلومات", "هذا خبر كاذب، توقفوا عن نشره"],
    "uk": ["Бережіть себе {e}", "Джерело?", "Дякую за інформацію", "Це фейк, не поширюйте."],
}

#: Replies before the fire, when the talk is of smells and flaring.
QUIET_REPLIES: dict[str, list[str]] = {
    "en": ["Same here.", "Smelled it too, around 22:00.", "Report it to the environment hotline, "
           "they log every complaint.", "It's been like this for weeks {e}"],
    "nl": ["Hier ook.", "Ik rook het ook, rond 22:00.", "Melden bij de milieuklachtenlijn, "
           "ze registreren alles.", "Al weken zo {e}"],
}

QUOTES: dict[str, list[str]] = {
    "en": ["This. {e}", "Important, please read.", "Not true, see the thread below.",
           "Worth reading if you live near the Botlek.", "How is this allowed?"],
    "nl": ["Belangrijk, even lezen.", "Dit klopt niet.", "Goed om te weten {e}"],
    "de": ["Wichtig, bitte lesen.", "Stimmt nicht."],
    "fr": ["À lire.", "C'est faux."],
    "es": ["Importante, leedlo.", "Esto no es cierto."],
    "ar": ["مهم، اقرأوا هذا.", "هذا غير صحيح."],
    "uk": ["Важливо, прочитайте.", "Це неправда."],
}

#: The #BOCcoverup copypasta the coordinated accounts post, with the small edits they make.
COORDINATED = (
    "They are LYING about the Botlek. Phosgene was released and they knew it within hours. "
    "Share before it gets deleted! #BOCcoverup #BotlekFire",
    "Why is no one talking about the missing workers at Brandt-Ostermann? The media is silent. "
    "Ask questions! #BOCcoverup",
    "Ze liegen over de Botlek. Er is gif vrijgekomen en ze wisten het. Delen voordat het "
    "verwijderd wordt! #BOCcoverup #brandbotlek",
)
COORDINATED_EDITS = (
    ("LYING", "lying"), ("LYING", "Lying"), ("Share before", "Spread this before"),
    ("Share before", "RT before"), ("silent", "SILENT"), ("Ask questions!", "Ask questions!!"),
    ("Delen voordat", "DELEN voordat"), ("the Botlek", "Botlek"), ("within hours", "from day one"),
)

TAGS = {
    "before": ["Botlek", "Rotterdam", "stank"],
    "breaking": ["BotlekFire", "Botlek", "Rotterdam", "NLAlert", "brand"],
    "evacuation": ["BotlekFire", "Rozenburg", "evacuatie", "Ahoy"],
    "plume": ["BotlekFire", "ToxicCloud", "luchtkwaliteit", "Rotterdam"],
    "rumour": ["BotlekFire", "Botlek", "Rotterdam"],
    "protest": ["BotlekFire", "NeverAgainBotlek", "Rotterdam"],
    "aftermath": ["BotlekFire", "Rozenburg", "Botlek"],
}
LANG_TAGS = {"nl": "brandbotlek", "fr": "incendie", "es": "incendio", "de": "Großbrand",
             "ar": "حريق_روتردام", "uk": "Роттердам"}

NEWS = (
    ("nos.nl", "/artikel/{n7}-grote-brand-bij-chemiebedrijf-in-botlek"),
    ("www.rijnmond.nl", "/nieuws/{n7}/brand-botlek-live"),
    ("nltimes.nl", "/2024/03/{day}/{slug}"),
    ("www.dutchnews.nl", "/2024/03/{slug}/"),
    ("www.reuters.com", "/world/europe/{slug}-2024-03-{day}/"),
    ("www.bbc.co.uk", "/news/world-europe-{n8}"),
    ("www.hln.be", "/binnenland/rookwolk-botlek~a{n6}/"),
    ("www.lemonde.fr", "/international/article/2024/03/{day}/{slug}_{n7}_3210.html"),
    ("www.dw.com", "/de/rotterdam-{slug}/a-{n8}"),
    ("elpais.com", "/internacional/2024-03-{day}/{slug}.html"),
)
DUBIOUS = (("waarheid-nu.info", "/botlek-{slug}"), ("truthradar.net", "/{slug}-cover-up"))
SLUGS = ("chemical-plant-fire-rotterdam", "rozenburg-evacuated", "smoke-plume-drifts-south",
         "residents-protest-plant", "investigation-into-botlek-fire", "fire-under-control")


def fill(rng: random.Random, template: str, when: datetime, home: str | None = None,
         phase: str = "") -> str:
    """Fill a template's slots for a post made at ``when`` by someone living in ``home``."""
    place = home if home in story.PLACES and story.PLACES[home].local else None
    place = place or rng.choice(story.LOCAL_PLACES).name
    phase_city = (story.protest_city(when) if phase == "protest"
                  else rng.choice(story.PLUME_CITIES))
    return template.format(
        place=place, city=phase_city, n=rng.choice((3, 4, 6, 8, 12, 17, 20, 36, 40, 52)),
        e=rng.choice(EMOJI),
    )


def sentence(rng: random.Random, phase: str, lang: str, when: datetime,
             home: str | None = None) -> str:
    """A post about ``phase`` in ``lang`` (English when that language has nothing to say)."""
    options = TEMPLATES.get(lang, {}).get(phase) or TEMPLATES["en"][phase]
    return fill(rng, rng.choice(options), when, home, phase)


def reply(rng: random.Random, lang: str, when: datetime, home: str | None = None) -> str:
    """A short answer to someone else's post, fitting the moment."""
    pool = QUIET_REPLIES if when < story.EVENT else REPLIES
    return fill(rng, rng.choice(pool.get(lang) or pool["en"]), when, home)


def quote(rng: random.Random, lang: str, when: datetime) -> str:
    return fill(rng, rng.choice(QUOTES.get(lang) or QUOTES["en"]), when)


def hashtags(rng: random.Random, phase: str, lang: str, when: datetime, *,
             rate: float = 0.5) -> list[str]:
    """Zero to three hashtags for a post; ``rate`` is how often a post has any."""
    if rng.random() >= rate:
        return []
    pool = list(TAGS[phase])
    count = rng.choice((1, 1, 1, 2, 2, 3))
    chosen = rng.sample(pool, min(count, len(pool)))
    if lang in LANG_TAGS and rng.random() < 0.5:
        chosen[-1] = LANG_TAGS[lang]
    # The campaign's tag catches on among ordinary accounts only after its first wave.
    if phase == "rumour" and when > story.WAVES[0] and rng.random() < 0.25:
        chosen.append("BOCcoverup")
    return list(dict.fromkeys(chosen))


def news_link(rng: random.Random, when: datetime, *, dubious: bool = False) -> str:
    """A link to a (fictional) article on a real news site, or to a dubious site."""
    host, path = rng.choice(DUBIOUS if dubious else NEWS)
    return "https://" + host + path.format(
        n6=rng.randrange(10**5, 10**6), n7=rng.randrange(10**6, 10**7),
        n8=rng.randrange(10**7, 10**8), day=f"{when.day:02d}", slug=rng.choice(SLUGS),
    )


def coordinated_text(rng: random.Random, wave: int) -> str:
    """One account's copy of the wave's copypasta, with the small edits copy-pasters make."""
    text = COORDINATED[wave % len(COORDINATED)]
    for old, new in rng.sample(COORDINATED_EDITS, 3):
        if old in text and rng.random() < 0.6:
            text = text.replace(old, new, 1)
    if rng.random() < 0.5:
        text = text.replace("!", "! " + rng.choice(("‼️", "👇", "🔥", "😡")), 1)
    if rng.random() < 0.3:
        text += rng.choice((" .", "!!", " 🇳🇱"))
    return text
