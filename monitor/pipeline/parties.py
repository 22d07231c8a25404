"""Who makes a statement: the party as shown, its normalised key, and the speaker.

Roles are learnt from the article itself ("Kremlin spokesman Dmitry Peskov" makes Peskov
speak for the Kremlin; "Mayor Dana Whitlock" makes Whitlock the mayor), so a later "the
mayor denies" or "Peskov said" lands on the same party. Only a small table of widespread
government metonyms (Kremlin = Moscow = Russia's government) is general knowledge.

Keys are what novelty compares: a person's key is the surname ("whitlock"), an
organisation's its name without legal suffixes ("ashbury-rovers", "sarento"), and every
outlet's own report or anonymous source is "media".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from monitor.pipeline.text import strip_accents

MEDIA_KEY = "media"

# Widespread metonyms for governments: one key each (general knowledge, not a scenario table).
_METONYMS: dict[str, tuple[str, ...]] = {
    "kremlin": (
        "kremlin",
        "moscow",
        "russia",
        "russian government",
        "russia's government",
        "russian officials",
        "russian authorities",
        "russian foreign ministry",
        "russia's foreign ministry",
        "russian presidency",
    ),
    "white-house": ("white house", "the white house", "biden administration"),
    "downing-street": (
        "downing street",
        "number 10",
        "no 10",
        "no. 10",
        "uk government",
        "british government",
        "britain's government",
    ),
    "beijing": (
        "beijing",
        "china",
        "chinese government",
        "china's government",
        "chinese foreign ministry",
        "china's foreign ministry",
    ),
    "kyiv": ("kyiv", "ukraine's government", "ukrainian government", "ukrainian officials"),
    "elysee": ("elysee", "élysée", "elysee palace", "french government", "france's government"),
    "pentagon": ("pentagon", "defense department", "department of defense"),
    # the EU's executive, by its seat: "Brussels rejects report ..."
    "eu-commission": (
        "brussels",
        "european commission",
        "eu commission",
        "the commission",
        "commission",
        "the european commission",
    ),
}
_METONYM_KEY = {alias: key for key, aliases in _METONYMS.items() for alias in aliases}
METONYM_KEYS = frozenset(_METONYMS)
_METONYM_DISPLAY = {
    "kremlin": "Kremlin",
    "white-house": "White House",
    "downing-street": "Downing Street",
    "beijing": "Beijing",
    "kyiv": "Kyiv",
    "elysee": "Élysée",
    "pentagon": "Pentagon",
    "eu-commission": "European Commission",
}

# Institutions named by a role in many ways: "District Attorney Carla Mendez", "the DA's
# office" and "prosecutors" are one party (general knowledge, like the metonyms).
_INSTITUTIONS: dict[str, tuple[str, ...]] = {
    "prosecutors": (
        "district attorney",
        "da",
        "prosecutor",
        "prosecutors",
        "prosecution",
        "state's attorney",
        "public prosecutor",
        "crown prosecution service",
        "u.s. attorney",
        "us attorney",
        # in the courts of England, Ireland and Australia the prosecution is the Crown
        "crown",
        "crown prosecutor",
        "crown prosecution",
    ),
    "police": ("police", "police department", "detectives"),
}
_INSTITUTION = re.compile(
    r"(?<![\w'])(?P<role>"
    + "|".join(re.escape(a) for k in _INSTITUTIONS for a in sorted(_INSTITUTIONS[k], key=len)[::-1])
    + r")(?:'s)?(?![\w'])",
    re.I,
)
_INSTITUTION_KEY = {alias: key for key, aliases in _INSTITUTIONS.items() for alias in aliases}
# Short forms of offices: "Ostravian PM" is the prime minister the article names.
_OFFICE_SHORT = {"pm": "prime minister", "gov.": "governor", "sen.": "senator"}

# People who speak for an organisation: the party is the organisation.
AGENT_ROLES = (
    "press secretary",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "spokespeople",
    "chief executive",
    # a sports club's general manager speaks for the club
    "general manager",
    "gm",
    "sporting director",
    "managing director",
    "director",
    "executive",
    "ceo",
    "chairman",
    "chairwoman",
    "chair",
    "chief",
    "boss",
    "bosses",
    "manager",
    "lawyer",
    "lawyers",
    "attorney",
    "attorneys",
    "representative",
    "representatives",
    # a person's people speak for the person: "Marisol Vance's camp" is Marisol Vance
    "rep",
    "reps",
    "publicist",
    "camp",
    "official",
    "officials",
    "aide",
    "aides",
    "adviser",
    "advisers",
)
# Offices whose holder speaks for themself: the party is the person.
OFFICE_ROLES = (
    "council president",
    "vice president",
    "prime minister",
    "pm",
    "foreign minister",
    "president",
    "mayor",
    "governor",
    "senator",
    "minister",
    "chancellor",
    "councillor",
    "council member",
    # an EU commissioner, like a minister, speaks for herself
    "commissioner",
    "secretary",
    "representative",
    "rep.",
    "sen.",
    "gov.",
    "judge",
    "premier",
    "leader",
    # an owner or founder speaks for themself: "Northbridge Athletic owner" is Hal Brenner
    "owner",
    "co-owner",
    "founder",
    "co-founder",
)
_ROLE_WORDS = {w for role in AGENT_ROLES + OFFICE_ROLES for w in role.split()} | {"city", "council"}
ROLE_WORDS = tuple(sorted(_ROLE_WORDS))

# Words that make a name an organisation rather than a person.
ORG_WORDS = frozenset(
    [
        "energy",
        "rovers",
        "united",
        "athletic",
        "wanderers",
        "rangers",
        "albion",
        "hotspur",
        "orient",
        "town",
        "city",
        "fc",
        "afc",
        "cf",
        "inc",
        "ltd",
        "plc",
        "corp",
        "co",
        "group",
        "government",
        "house",
        "street",
        "ministry",
        "department",
        "office",
        "council",
        "party",
        "campaign",
        "club",
        "company",
        "services",
        "agency",
        "commission",
        "committee",
        "court",
        "police",
        "union",
        "bureau",
        "association",
        "university",
        "bank",
        "airlines",
        "press",
        "post",
        "herald",
        "times",
        "news",
        "wire",
        "network",
        "tv",
        "kremlin",
        "team",
        "administration",
        "embassy",
        "army",
        "navy",
        "foundation",
        "institute",
        "holdings",
        "partners",
        "billing",
        "utility",
        "utilities",
        "authority",
        "board",
        "federation",
        "league",
        "county",
        "state",
        "republic",
        "systems",
        "pharma",
        "pharmaceuticals",
        "technologies",
        "labs",
        "motors",
        "airways",
        "trust",
        "partners",
        "developers",
        "service",
        "hospital",
        "body",
        "palace",
        "household",
        "promotions",
        "arena",
        "clinic",
        # a company's name ends in what it does: "Kestrel Logistics", "Tarrow Foods" are
        # no given name and surname
        "foods",
        "games",
        "capital",
        "research",
        "payments",
        "logistics",
        "industries",
        "brands",
        "entertainment",
        "studios",
        "pictures",
        "records",
        "airport",
        "railways",
        "mining",
        "minerals",
        "resources",
        "petroleum",
        "steel",
        "chemicals",
        "insurance",
        "financial",
        "securities",
        "investments",
        "ventures",
        "solutions",
        "software",
        "networks",
        "communications",
        "telecom",
        "healthcare",
        "therapeutics",
        "biotech",
        "sciences",
        "robotics",
        "aerospace",
        "automotive",
        "electronics",
        "semiconductors",
        "textiles",
        "retail",
        "stores",
        "exchange",
    ]
)
_LEGAL_SUFFIXES = frozenset(
    ["fc", "afc", "cf", "inc", "ltd", "plc", "corp", "co", "llc", "sa", "ag", "nv", "gmbh", "the"]
)
# Generic nouns that refer back to the article's main organisation ("the utility admitted").
GENERIC_ORGS = frozenset(
    [
        "company",
        "utility",
        "firm",
        "club",
        "group",
        "campaign",
        "government",
        "ministry",
        "team",
        "side",
        "insurer",
        "bank",
        "airline",
        "carrier",
        "agency",
        "business",
        "retailer",
        "operator",
        "broadcaster",
        "body",
        "fund",
        "regulator",
        "watchdog",
        "authority",
        "authorities",
        "board",
        # "..., council insists": the article's council
        "council",
        "trust",
        "league",
        "association",
        "federation",
    ]
)
_MEDIA_WORDS = re.compile(
    r"\b(?:sources?|insiders?|people familiar|newspaper|report|reports|media|outlet|"
    r"website|site|people with knowledge|people briefed)\b",
    re.I,
)
_NAME = r"[A-Z][\w'.-]*(?:\s+[A-Z][\w'.-]*){0,3}"
_CAP_RUN = re.compile(r"[A-Z][\w'.-]*(?:\s+(?:of\s+|de\s+|van\s+|von\s+)?[A-Z][\w'.-]*)*")


@dataclass(frozen=True, slots=True)
class Party:
    display: str
    key: str
    speaker: str | None = None


@dataclass
class Roles:
    """What the article says about who is who."""

    agents: dict[str, str] = field(default_factory=dict)  # surname -> organisation
    offices: dict[str, str] = field(default_factory=dict)  # office -> person
    names: dict[str, str] = field(default_factory=dict)  # single word -> longest name
    main_org: str | None = None  # the first organisation the headline names
    nouns: dict[str, str] = field(default_factory=dict)  # "promoter" -> "Gerry Walsh"
    first_person: str | None = None  # the first person the text names in full
    first_org: str | None = None  # the first organisation the text names
    common: frozenset[str] = frozenset()  # words the text writes in lowercase


def _role_alternation(roles: tuple[str, ...]) -> str:
    return "|".join(re.escape(r) for r in sorted(roles, key=len, reverse=True))


_AGENT_BEFORE_NAME = re.compile(
    rf"(?P<org>{_NAME}?)(?:'s)?\s+(?i:(?P<role>{_role_alternation(AGENT_ROLES)}))\s+(?P<name>{_NAME})"
)
_NAME_THEN_AGENT = re.compile(
    rf"(?P<name>{_NAME}),\s+(?:a\s+|the\s+)?(?i:(?:{_role_alternation(AGENT_ROLES)}))"
    rf"\s+(?:for|of|at)\s+(?:the\s+)?(?P<org>{_NAME})"
)
_OFFICE_NAME = re.compile(
    rf"\b(?i:(?P<role>{_role_alternation(OFFICE_ROLES)})),?\s+(?P<name>{_NAME})"
)
# "Zahran Investment Council (ZIC)": the abbreviation is the organisation
_ABBREVIATION = re.compile(rf"(?P<full>{_NAME}(?:\s+of\s+{_NAME})?)\s+\((?P<abbr>[A-Z]{{2,6}})\)")


def _last(name: str) -> str:
    return _strip_possessive(name.split()[-1]).lower() if name.split() else ""


def _strip_possessive(word: str) -> str:
    return re.sub(r"['’]s$", "", word)


def _split_roles(run: str) -> list[str]:
    """'Port Calder Mayor Dana Whitlock' -> ['Port Calder', 'Dana Whitlock']."""
    parts: list[list[str]] = [[]]
    words = run.split()
    for i, word in enumerate(words):
        # a role word that ends an organisation's name belongs to it: "Zahran Investment
        # Council", "Kingsmead City Council" (but "Council President Pryce" splits)
        last_of_org = i == len(words) - 1 and word.lower() in ORG_WORDS and parts[-1]
        if word.lower() in _ROLE_WORDS and not last_of_org:
            parts.append([])
        else:
            parts[-1].append(word)
    return [" ".join(p) for p in parts if p]


def learn_roles(title: str, text: str) -> Roles:
    """Roles and full names stated in the headline and the text."""
    roles = Roles()
    for source in (title, text):
        for m in _AGENT_BEFORE_NAME.finditer(source):
            org = _strip_possessive(m.group("org").strip())
            if org and org.split()[0].lower() not in ("the", "a", "an"):
                roles.agents.setdefault(_last(m.group("name")), org)
        for m in _NAME_THEN_AGENT.finditer(source):
            roles.agents.setdefault(_last(m.group("name")), m.group("org"))
        for m in _OFFICE_NAME.finditer(source):
            name = _split_roles(m.group("name"))
            if name and _is_person(name[0]):  # not "Premier League"
                role = m.group("role").lower()
                roles.offices.setdefault(_OFFICE_SHORT.get(role, role), name[0])
    roles.names = _full_names(text)
    for m in _ABBREVIATION.finditer(f"{title}\n{text}"):
        full = re.sub(r"^(?:The|A|An)\s+", "", m.group("full"))
        if len(full.split()) >= 2:
            roles.names.setdefault(m.group("abbr").lower(), full)
    roles.main_org = _main_org(title, roles)
    roles.nouns = _role_nouns(text)
    roles.first_person = _first_person(text)
    roles.first_org = _first_org(text, roles)
    roles.common = frozenset(re.findall(r"(?<![\w'-])[a-z][a-z-]+", f"{title} {text}"))
    return roles


# "promoter Gerry Walsh", "sprinter Imani Kross": a lowercase noun right before a full name
_NOUN_BEFORE_NAME = re.compile(
    r"(?<![\w'-])(?P<noun>[a-z][a-z-]{2,})\s+(?P<name>[A-Z][\w'-]+\s+[A-Z][\w'-]+)"
)


def _role_nouns(text: str) -> dict[str, str]:
    """Common nouns the text attaches to a person's full name, first attachment wins."""
    nouns: dict[str, str] = {}
    for m in _NOUN_BEFORE_NAME.finditer(text):
        if _is_person(m.group("name")):
            nouns.setdefault(m.group("noun"), _strip_possessive(m.group("name")))
    return nouns


def _first_org(text: str, roles: Roles) -> str | None:
    for run in _CAP_RUN.findall(text):
        for name in _split_roles(re.sub(r"^(?:The|A|An)\s+", "", run)):
            full = roles.names.get(_strip_possessive(name.split()[0]).lower(), name)
            if _is_org(full):
                return _strip_possessive(full)
    return None


def _first_person(text: str) -> str | None:
    for run in _CAP_RUN.findall(text):
        for name in _split_roles(re.sub(r"^(?:The|A|An)\s+", "", run)):
            name = _strip_possessive(name)
            if len(name.split()) >= 2 and _is_person(name):
                return name
    return None


def _full_names(text: str) -> dict[str, str]:
    """Each capitalised word -> the most frequent multi-word name holding it ("Whitlock" ->
    "Dana Whitlock"). Only the body: title-case headlines would glue verbs to names."""
    counts: dict[str, int] = {}
    # a run stops at a sentence's end ("... Agency. She said"), not at "U.S." or "St."
    runs = [
        p
        for run in _CAP_RUN.findall(text)
        for p in re.split(r"(?:(?<=[a-z]{2})|(?<=\d))\.\s+", run)
    ]
    for run in runs:
        for name in _split_roles(re.sub(r"^(?:The|A|An)\s+", "", run.rstrip("."))):
            words = name.split()
            # a name holding a digit is a product or a date ("Lumo X2", "2027 QF"), never
            # the fuller name of a party
            if any(c.isdigit() for c in name):
                continue
            if len(words) >= 2 and not any("'" in w for w in words[:-1]):
                name = _strip_possessive(name)
                counts[name] = counts.get(name, 0) + 1
    names: dict[str, str] = {}
    for name, _n in sorted(counts.items(), key=lambda kv: (kv[1], len(kv[0]))):
        for word in name.split():
            names[word.lower()] = name
    return names


# A title-case headline capitalises its verbs too: "Tarrow Foods Board Rejects Report CEO Is
# Leaving" names "Tarrow Foods Board", and the run of capitals ends at the verb.
_TITLE_VERB = re.compile(
    r"\s(?:Says|Said|Denies|Denied|Rejects|Rejected|Dismisses|Dismissed|Confirms|Confirmed|"
    r"Admits|Calls|Slams|Insists|Refutes|Rebuts|Debunks|Disputes|Is|Are|Was|Were|Will|Has|Have|"
    r"Had|To|Plans|Weighs|Considers|Announces|Names|Fires|Ousts|Quits|Joins|Agrees|Seeks|"
    r"Sues|Wins|Loses|Cuts|Buys|Sells|Hits|Pushes|Brushes|Shoots|Rubbishes)\b.*$"
)


def _main_org(title: str, roles: Roles) -> str | None:
    for run in _CAP_RUN.findall(title):
        run = _TITLE_VERB.sub("", run)
        for name in _split_roles(run):
            full = roles.names.get(_strip_possessive(name.split()[0]).lower(), name)
            # "Energy ministry restates ...": a sentence's first word, not a name
            if _is_org(full) and (_has_own_name(full) or full.lower() in _METONYM_KEY):
                return full
    return None


def _is_org(name: str) -> bool:
    words = [_strip_possessive(w).lower() for w in name.split()]
    return any(w in ORG_WORDS for w in words) or " ".join(words) in _METONYM_KEY


# First words of place names, never of a person's: "St Aldric's", "Port Ellery".
_PLACE_PREFIXES = frozenset(["st", "st.", "saint", "port", "fort", "mount", "lake", "cape"])


def _is_person(name: str) -> bool:
    words = name.split()
    if not words or words[0].lower() in _PLACE_PREFIXES or any(c.isdigit() for c in name):
        return False
    return len(words) <= 3 and all(w[:1].isupper() for w in words) and not _is_org(name)


def party_key(name: str, *, org: bool = False) -> str:
    """The normalised party: metonyms folded, given names and legal suffixes dropped.
    `org` when the name is known to be an organisation's ("carmaker Vetrano Automobili"),
    so it is not taken for a given name and a surname."""
    # accents folded: "Ondráček" and "Ondracek" are one person however an outlet spells it
    text = re.sub(r"\s+", " ", strip_accents(name.replace("’", "'"))).strip(" .,:;'\"")
    low = re.sub(r"^the ", "", text.lower())
    if low in _METONYM_KEY:
        return _METONYM_KEY[low]
    if not low or _names_media(text):
        return MEDIA_KEY
    words = [_strip_possessive(w) for w in text.split()]
    named = [w for w in words if w.lower() not in _ROLE_WORDS or w.lower() in ORG_WORDS]
    if len(words) >= 2 and words[-1].lower() in ORG_WORDS:
        named = words  # "Foreign Ministry", "Prime Minister's Office": the words are its name
    words = named or words  # a bare role ("the CEO") is its own key
    if not org and _is_person(" ".join(words)):
        return words[-1].lower()
    # "Donald Trump's campaign" -> "trump-campaign": a person's name before an org noun
    possessive = [w.endswith("'s") for w in text.split()]
    for i, word in enumerate(words):
        if word.lower() in ORG_WORDS and i >= 2 and all(w[:1].isupper() for w in words[:i]):
            if i - 1 < len(possessive) and possessive[i - 1]:
                words = words[i - 1 :]
            break
    kept = [w.lower() for w in words if w.lower() not in _LEGAL_SUFFIXES]
    slug = re.sub(r"[^a-z0-9]+", "-", " ".join(kept or words).lower()).strip("-")
    return _METONYM_KEY.get(slug.replace("-", " "), slug) or MEDIA_KEY


# Unnamed officials are the outlet's sources: "diplomats say", "three EU officials told".
# lowercase words, nationalities ("Austrian", "Chinese", "Israeli") and acronyms ("EU")
_QUALIFIER = r"(?i:the\s+)?(?:(?-i:[a-z]+|[A-Z][a-z]+(?:an|ese|ish|i|ch)|[A-Z]{2,5})\s+)"
_ANONYMOUS = re.compile(
    rf"{_QUALIFIER}{{0,3}}?(?i:diplomats|sources|insiders|aides)"
    # bare "officials" are the article's body's ("officials said"); qualified ones are not
    rf"|{_QUALIFIER}{{1,3}}?(?i:officials)",
)
# The last words of names of bodies that are outlets: "Daily News", "Relay Wire".
_OUTLET_TAILS = frozenset(["news", "press", "post", "herald", "times", "wire", "network", "tv"])


def _names_media(phrase: str) -> bool:
    """Whether a phrase names the media ("people familiar", "the newspaper", unnamed
    "diplomats" or "three EU officials"), not a body whose name holds a media word
    ("Interactive Media Workers Union", "Site Safety Board")."""
    if _ANONYMOUS.fullmatch(phrase.strip()):
        return True
    words = phrase.split()
    last = _strip_possessive(words[-1]) if words else ""
    if last[:1].isupper() and last.lower() in ORG_WORDS - _OUTLET_TAILS:
        return False
    return bool(_MEDIA_WORDS.search(phrase.lower()))


def media_party(outlet: str) -> Party:
    """The outlet's own report or its anonymous sources."""
    return Party(outlet or "media", MEDIA_KEY)


def resolve(phrase: str, roles: Roles, outlet: str) -> Party | None:
    """The party named by a subject phrase ("Kremlin spokesman Dmitry Peskov", "the
    utility", "Port Calder mayor"), using what the article says about roles."""
    phrase = _clean_phrase(phrase)
    if not phrase:
        return None
    low = phrase.lower()
    if low in _METONYM_KEY:
        key = _METONYM_KEY[low]
        return Party(_METONYM_DISPLAY.get(key, phrase), key)
    if _names_media(phrase) or (
        outlet and re.search(rf"(?<!\w){re.escape(outlet.lower())}(?!\w)", low)
    ):
        return media_party(outlet)
    institution = _institution(phrase, roles)
    if institution:
        return institution
    described = _described_main_org(phrase, roles)
    if described:
        return described
    plural = re.fullmatch(r"(?:both |the two |the )?(\w+?)e?s", low)
    if plural and plural.group(1) in GENERIC_ORGS and roles.main_org:
        return _org_party(roles.main_org, roles)  # "the clubs announced": the headline's club
    if low.split()[-1] in GENERIC_ORGS and not any(w[:1].isupper() for w in phrase.split()):
        named = _fullest_name(phrase, roles)
        if named != phrase:
            return _org_party(named, roles)  # "the agency" -> "Health Protection Agency"
        if roles.main_org:
            return _org_party(roles.main_org, roles)
        # "the astronomers' body" in an article naming "Dr Tanabe, director of the
        # International Minor Planet Office": the body whose officer speaks in it
        spoken_for = next(iter(roles.agents.values()), None)
        return _org_party(spoken_for, roles) if spoken_for else None
    return (
        _role_party(phrase, roles)
        or _noun_person(phrase, roles)
        or _titled_name(phrase, roles)
        or _name_party(phrase, roles)
    )


# Heads that describe a business rather than name a public body: "Velmora finance ministry"
# is not the Bank of Velmora, but "Zahran wealth fund" is the Zahran Investment Council.
_DESCRIPTIVE_HEADS = frozenset(
    [
        "company",
        "firm",
        "group",
        "fund",
        "carrier",
        "airline",
        "insurer",
        "operator",
        "retailer",
        "business",
        "utility",
        "club",
        "team",
        "side",
        "broadcaster",
        "board",
    ]
)


def _described_main_org(phrase: str, roles: Roles) -> Party | None:
    """'Zahran wealth fund' in an article about the Zahran Investment Council: a generic
    business noun whose capitalised words all belong to the headline's organisation is it."""
    words = [_strip_possessive(w) for w in phrase.split()]
    if len(words) < 2 or words[-1].lower() not in _DESCRIPTIVE_HEADS or not roles.main_org:
        return None
    named = [w.lower() for w in words[:-1] if w[:1].isupper()]
    org_words = {w.lower() for w in roles.main_org.split()}
    if named and all(w in org_words for w in named):
        return _org_party(roles.main_org, roles)
    return None


# Trade nouns that name a business, not a person: "shipbuilder", "carmaker", "miner".
_BUSINESS_NOUN = re.compile(
    r"(?:maker|builder|miner|lender|insurer|manufacturer|supplier|contractor|developer|"
    r"producer|streamer|exchange|platform|retailer|chain|giant|conglomerate|shipper|broker|"
    r"provider|distributor|publisher|studio|startup|start-up|outfit)$"
)


def _noun_person(phrase: str, roles: Roles) -> Party | None:
    """A bare common noun for one person ("champion", "Sprint champion", "heir") is the
    person the article attaches that noun to ("promoter Gerry Walsh"), else the first
    person it names in full: a headline's epithet for the article's subject."""
    words = phrase.split()
    head = _strip_possessive(words[-1]).lower()
    if any(w[:1].isupper() for w in words[1:]) or words[0].lower() in roles.names:
        return None
    if (
        head in ORG_WORDS
        or head in GENERIC_ORGS
        or head in _ROLE_WORDS
        or _MEDIA_WORDS.search(head)
    ):
        return None
    if _BUSINESS_NOUN.search(head) and len(words) <= 2:
        # "Shipbuilder denies ...": a trade noun is the company the article is about
        org = roles.main_org or roles.first_org
        return _org_party(org, roles) if org else None
    if head not in roles.common:
        return None  # "Quillon" is a name: the article never writes it in lowercase
    if not re.fullmatch(r"[a-z-]{3,}", head) or (head.endswith("s") and not head.endswith("ss")):
        return None  # "campaigners", "residents": a group, not one person
    person = roles.nouns.get(head) or roles.first_person
    if person is None:
        return None
    return _person_party(person, roles)


def _institution(phrase: str, roles: Roles) -> Party | None:
    m = _INSTITUTION.search(phrase)
    if not m:
        return None
    role = m.group("role").lower()
    if role == "da" and m.group("role") != "DA":
        return None  # only the capitalised abbreviation
    after = phrase[m.end() :].strip()
    speaker = roles.names.get(_last(after), after) if after[:1].isupper() else None
    return Party(phrase, _INSTITUTION_KEY[role], speaker)


def _fullest_name(phrase: str, roles: Roles) -> str:
    """The longest name in the article holding every word of `phrase` ("Health agency" ->
    "South West Health Protection Agency"), else the phrase: one party, one key."""
    wanted = {_singular(w) for w in _words(phrase) if w not in ("the", "a", "an")}
    best = phrase
    for name in {n.rstrip(".,") for n in roles.names.values()}:
        words = {_singular(w) for w in _words(name)}
        if wanted <= words and len(name) > len(best):
            best = name
    return best


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9][a-z0-9'.-]*[a-z0-9]|[a-z0-9]", text.lower())


def _singular(word: str) -> str:
    word = _strip_possessive(word)
    return word[:-1] if word.endswith("s") and len(word) > 3 else word


_NAME_PARTICLES = frozenset(
    ["of", "for", "and", "the", "to", "at", "in", "on", "de", "del", "la", "du", "van", "von"]
)


def _titled_name(phrase: str, roles: Roles) -> Party | None:
    """'Harwick Falcons quarterback Marcus Ojo': a name after a lowercase title the role
    lists do not know is a person speaking for themself."""
    m = re.match(r"^.*\b([a-z][\w-]*)\s+([A-Z][\w'-]+(?:\s+[A-Z][\w'-]+){0,2})$", phrase)
    if not m or _is_org(m.group(2)):
        return None
    title, name = m.group(1), m.group(2)
    if title in _NAME_PARTICLES:
        return None  # "Department of Justice" is one name
    if " " not in name and title not in roles.common:
        return None  # "Pakistani actress Hareem", "Payroll firm Lattica": a known noun only
    if _BUSINESS_NOUN.search(title) or title in GENERIC_ORGS:
        return Party(name, party_key(name, org=True))  # "carmaker Vetrano Automobili"
    return _name_party(name, roles)


def _has_own_name(name: str) -> bool:
    """Whether a body's name holds a word of its own, beyond what every such body is called
    ("Club Aztlan", not "Foreign Ministry")."""
    return any(
        w.lower() not in ORG_WORDS
        and w.lower() not in _ROLE_WORDS
        and w.lower() not in _SHARED_WORDS
        for w in name.split()
    )


def _clean_phrase(phrase: str) -> str:
    phrase = re.sub(r"\s+", " ", phrase.replace("’", "'")).strip(" ,.:;'\"-—–")
    phrase = re.sub(r"^(?:the|a|an|but|and|however|meanwhile|now)\s+", "", phrase, flags=re.I)
    # a place's body is the body: "Mexico's Club Aztlan", "Ireland's Department of Justice"
    placed = re.match(r"^[A-Z][\w-]*['’]s\s+([A-Z].*)$", phrase)
    if placed and _is_org(placed.group(1)) and _has_own_name(placed.group(1)):
        phrase = placed.group(1)  # not "Qasimah's Foreign Ministry": every state has one
    # where it is based says nothing of who it is: "Port Ellery-based Quillon"
    phrase = re.sub(r"^(?:[A-Z][\w.'-]*\s+){0,3}[\w.'-]+-based\s+(?=\S)", "", phrase)
    return phrase.strip()


def _role_party(phrase: str, roles: Roles) -> Party | None:
    low = phrase.lower()
    staff = _OFFICE_STAFF.match(low)
    if staff:  # "the premier's office" speaks for the premier
        holder = _office_holder(staff["role"], roles)
        if holder:
            return _person_party(holder, roles)
    for role in sorted(AGENT_ROLES + OFFICE_ROLES, key=len, reverse=True):
        m = re.search(rf"(?:^|\s|'s\s){re.escape(role)}(?:\s|$)", low)
        if not m:
            continue
        before = _strip_possessive(phrase[: m.start()].strip())
        after = phrase[m.end() :].strip()
        before = re.sub(r"^(?:the|a|an)\s+", "", before, flags=re.I)
        if role in OFFICE_ROLES and role not in AGENT_ROLES:
            holder = after or _office_holder(role, roles)
            if holder:
                return _person_party(holder, roles)
            return Party(phrase, re.sub(r"[^a-z0-9]+", "-", low).strip("-"))
        # only a name after the role is its holder: "officials in Zahran" names a place
        speaker = roles.names.get(_last(after), after) if after[:1].isupper() else None
        org = before or (roles.agents.get(_last(after)) if after else None)
        if not org and not after and role in _PERSONAL_AGENTS and roles.first_person:
            # a bare "lawyer" or "rep" speaks for a person: the one the article is about
            return _person_party(roles.first_person, roles)
        if not org and not after:
            org = roles.main_org  # a bare "CEO" or "spokesman" speaks for the headline's org
        if org:
            return _org_party(org, roles, speaker)
        if speaker:
            return Party(speaker, party_key(speaker), speaker=speaker)
    return None


_PERSONAL_AGENTS = frozenset(
    ["lawyer", "lawyers", "attorney", "attorneys", "rep", "reps", "publicist", "camp"]
)


def _office_holder(role: str, roles: Roles) -> str | None:
    """Who holds an office: the person the article names in it, else, as an office the
    article never fills by name, the person it names first ("Northbridge Athletic owner" in
    a story quoting Hal Brenner)."""
    return roles.offices.get(_OFFICE_SHORT.get(role, role)) or roles.first_person


def _person_party(person: str, roles: Roles) -> Party:
    """A person speaking for themself, under the fullest name the article gives them."""
    full = roles.names.get(_last(person), person)
    return Party(full, party_key(full), speaker=full)


_OFFICE_STAFF = re.compile(
    rf"^(?:the\s+)?(?P<role>{_role_alternation(OFFICE_ROLES)})'s\s+(?:office|spokes\w+|"
    r"press secretary|communications director|team|aides?|staff)$"
)


def _org_party(org: str, roles: Roles, speaker: str | None = None) -> Party:
    low = org.lower()
    if low in _METONYM_KEY:
        key = _METONYM_KEY[low]
        return Party(_METONYM_DISPLAY.get(key, org), key, speaker)
    words = org.split()
    if len(words) == 1:
        org = roles.names.get(_strip_possessive(words[0]).lower(), org)
    else:
        org = _fullest_name(org, roles)
    return Party(org, party_key(org), speaker)


def _name_party(phrase: str, roles: Roles) -> Party | None:
    words = phrase.split()
    if not words or not words[0][:1].isupper():
        return None
    if len(words) == 1:
        phrase = roles.names.get(_strip_possessive(words[0]).lower(), phrase)
    surname = _last(phrase)
    if surname in roles.agents and _is_person(phrase):
        return _org_party(roles.agents[surname], roles, speaker=phrase)
    if _is_person(phrase):
        return Party(phrase, party_key(phrase), speaker=phrase)
    return _org_party(phrase, roles)


# Words that never tell two parties apart ("the county clerk", "the state party").
_SHARED_WORDS = frozenset(
    ["the", "of", "a", "an", "and", "for", "county", "city", "state", "national", "royal"]
)
# A role noun and the body it heads share a stem: "Energy Minister X" speaks for "the energy
# ministry"; "the trust's chief nurse" for "the trust".
# A monarchy's household is its palace: "the Royal Household" and "Lindmark palace" are one.
_BODY_OF_ROLE = {
    "ministry": "minister",
    "ministries": "minister",
    "secretariat": "secretary",
    "household": "palace",
    "courtier": "palace",
}


def _name_words(name: str) -> frozenset[str]:
    words = (_singular(w) for w in _words(name))
    return frozenset(_BODY_OF_ROLE.get(w, w) for w in words if w not in _SHARED_WORDS)


def same_party(party: Party, known: list[Party]) -> str | None:
    """The key of a party already seen in a story that names the same body or person as
    `party` under another key: the same speaker's surname ("Harriet Osei" / "County Clerk
    Osei"), or every distinctive word of one name inside the other ("Talvik" / "Talvik
    Semiconductors", "energy ministry" / "Energy Minister Lucia Ferrante"). None when no
    known party is the same, or for the media, which is one party already."""
    if party.key == MEDIA_KEY or any(other.key == party.key for other in known):
        return None  # a key the story already holds is the party's own
    surname = _last(party.speaker or party.display)  # "Energy Minister Ferrante" -> ferrante
    words = _name_words(f"{party.display} {party.speaker or ''}")
    for other in known:
        if other.key in (MEDIA_KEY, party.key):
            continue
        if other.speaker and _last(other.speaker) == surname:
            return other.key
        theirs = _name_words(f"{other.display} {other.speaker or ''}")
        if words and theirs and (words <= theirs or theirs <= words):
            return other.key
    return None
