"""Parties: metonyms, roles learnt from the text, keys that novelty can compare."""

from __future__ import annotations

import pytest

from monitor.pipeline.parties import (
    MEDIA_KEY,
    Party,
    Roles,
    learn_roles,
    party_key,
    resolve,
    same_party,
)

TEXT = (
    "Kremlin spokesman Dmitry Peskov told reporters the report was false. "
    "Port Calder Mayor Dana Whitlock said she was staying. "
    "FC Sarento have made no bid, the club's sporting director Paolo Ferrante said. "
    "Norvane Energy said its systems were safe. Donald Trump's campaign said nothing."
)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Kremlin", "kremlin"),
        ("Moscow", "kremlin"),
        ("Russia's government", "kremlin"),
        ("the Russian government", "kremlin"),
        ("White House", "white-house"),
        ("Downing Street", "downing-street"),
        ("Beijing", "beijing"),
        ("Dana Whitlock", "whitlock"),
        ("Whitlock", "whitlock"),
        ("Ashbury Rovers", "ashbury-rovers"),
        ("FC Sarento", "sarento"),
        ("Trump campaign", "trump-campaign"),
        ("Donald Trump's campaign", "trump-campaign"),
        ("people familiar with the calls", MEDIA_KEY),
    ],
)
def test_party_key(name: str, key: str) -> None:
    assert party_key(name) == key


@pytest.fixture(scope="module")
def roles() -> Roles:
    return learn_roles("Port Calder mayor denies she is quitting", TEXT)


def test_roles_are_learnt_from_the_text(roles: Roles) -> None:
    assert roles.agents["peskov"] == "Kremlin"
    assert roles.offices["mayor"] == "Dana Whitlock"
    assert roles.names["whitlock"] == "Dana Whitlock"


@pytest.mark.parametrize(
    ("phrase", "display", "key", "speaker"),
    [
        ("Kremlin spokesman Dmitry Peskov", "Kremlin", "kremlin", "Dmitry Peskov"),
        ("Peskov", "Kremlin", "kremlin", "Dmitry Peskov"),
        ("Port Calder mayor", "Dana Whitlock", "whitlock", "Dana Whitlock"),
        ("Whitlock", "Dana Whitlock", "whitlock", "Dana Whitlock"),
        ("Sarento chief", "FC Sarento", "sarento", None),
        ("Russia's government", "Kremlin", "kremlin", None),
        ("Moscow", "Kremlin", "kremlin", None),
    ],
)
def test_resolve(roles: Roles, phrase: str, display: str, key: str, speaker: str | None) -> None:
    party = resolve(phrase, roles, "The Daily Vanguard")
    assert party is not None
    assert (party.display, party.key, party.speaker) == (display, key, speaker)


def test_generic_noun_refers_to_the_headline_organisation() -> None:
    roles = learn_roles("Norvane customers demand answers", TEXT)
    party = resolve("the utility", roles, "Herald")
    assert party is not None and party.key == "norvane-energy"


def test_anonymous_sources_are_the_media() -> None:
    party = resolve("people familiar with the matter", Roles(), "GlobeWire")
    assert party is not None and (party.display, party.key) == ("GlobeWire", MEDIA_KEY)


def test_institution_named_many_ways_is_one_party() -> None:
    text = "District Attorney Carla Mendez confirmed plea talks."
    roles = learn_roles("DA: plea talks were held", text)
    for phrase in ("District Attorney Carla Mendez", "DA", "prosecutors", "the DA's office"):
        party = resolve(phrase, roles, "Wire")
        assert party is not None and party.key == "prosecutors", phrase


def test_office_short_form_is_the_office_holder() -> None:
    roles = learn_roles("Ostravian PM confirms recall", "Prime Minister Pavel Tomasek said so.")
    party = resolve("Ostravian PM", roles, "Wire")
    assert party is not None and party.key == "tomasek"


def test_partial_org_name_resolves_to_the_fullest_name_in_the_article() -> None:
    text = "Dr Grange of the South West Health Protection Agency. She said six cases were linked."
    roles = learn_roles("Outbreak confirmed, says agency", text)
    keys = {resolve(p, roles, "Echo").key for p in ("Health agency", "agency")}  # type: ignore[union-attr]
    assert keys == {"south-west-health-protection-agency"}


def test_a_party_seen_in_the_story_under_another_key_is_recognised() -> None:
    known = [
        Party("Lucia Ferrante", "ferrante", "Lucia Ferrante"),
        Party("Talvik Semiconductors", "semiconductors"),
    ]
    assert same_party(Party("Energy Minister Ferrante", "energy-minister-ferrante"), known) == (
        "ferrante"
    )
    assert same_party(Party("Talvik", "talvik"), known) == "semiconductors"
    assert same_party(Party("Halvsund Energi", "energi"), known) is None
    assert same_party(Party("Lumo", "media"), known) is None  # the media is one party already


def test_a_product_name_is_not_the_fuller_name_of_its_maker() -> None:
    roles = learn_roles("Lumo admits chargers overheat", "The Lumo X2 and the Lumo X2 again.")
    party = resolve("Lumo", roles, "Echo")
    assert party is not None and party.key == "lumo"


def test_place_names_are_not_people() -> None:
    assert party_key("St Aldric's Hospital") == "aldric-hospital"
    assert party_key("National Weather Service") == "national-weather-service"


def test_a_generic_body_is_the_organisation_whose_officer_speaks() -> None:
    text = "It is zero, said Dr Hiroshi Tanabe, director of the International Minor Planet Office."
    party = resolve("astronomers' body", learn_roles("Asteroid poses no risk", text), "Echo")
    assert party is not None and party.key == "international-minor-planet-office"


def test_a_monarchys_household_is_its_palace() -> None:
    palace = Party("Lindmark palace", party_key("Lindmark palace"))
    household = Party("Royal Household", party_key("Royal Household"))
    assert household.key == "royal-household"
    assert same_party(household, [palace]) == palace.key


def test_a_key_the_story_already_holds_is_kept() -> None:
    # once "Lindmark palace" spoke under its own key, it is not re-aliased to the household
    palace = Party("Lindmark palace", "lindmark-palace")
    known = [Party("Lindmark Royal Household", "lindmark-royal-household"), palace]
    assert same_party(palace, known) is None


def test_a_bare_epithet_is_the_person_the_article_attaches_it_to() -> None:
    roles = learn_roles("", "The fight is on, promoter Gerry Walsh said. Tommy Doyle agreed.")
    assert resolve("promoter", roles, "Wire") == Party("Gerry Walsh", "walsh", "Gerry Walsh")
    assert resolve("champion", roles, "Wire") is None  # never written in lowercase here
    champion = learn_roles("", "Tommy Doyle, the champion, said his hands were fine.")
    assert resolve("the champion", champion, "Wire") == Party("Tommy Doyle", "doyle", "Tommy Doyle")
    quillon = resolve("Quillon", learn_roles("", "Quillon said no. Meridian Data agreed."), "")
    assert quillon is not None and quillon.key == "quillon"  # a name, not an epithet


@pytest.mark.parametrize(
    "phrase",
    [
        "Marisol Vance's camp",
        "Singer Marisol Vance's representative",
        "Marisol Vance's rep",
        "Vance's publicist",
        "Marisol Vance's lawyers",
    ],
)
def test_a_persons_people_speak_for_the_person(phrase: str) -> None:
    """A star's camp, rep, publicist or lawyers are the star, one party however named."""
    roles = learn_roles(
        "Marisol Vance split report denied", "Singer Marisol Vance and actor Lindqvist."
    )
    party = resolve(phrase, roles, "Starbuzz")
    assert party is not None and party.key == "vance", (phrase, party)


def test_an_organisation_name_ending_in_a_role_word_is_kept_whole() -> None:
    roles = learn_roles(
        "Zahran wealth fund denies report", "The Zahran Investment Council denied the report."
    )
    assert roles.names["zahran"] == "Zahran Investment Council"
    party = resolve("Zahran wealth fund", roles, "Wire")  # a business noun for the same body
    assert party is not None and party.key == "zahran-investment-council"


def test_abbreviation_in_brackets_names_the_organisation() -> None:
    roles = learn_roles("ZIC says talks advanced", "The Zahran Investment Council (ZIC) said so.")
    party = resolve("ZIC", roles, "Wire")
    assert party is not None and party.key == "zahran-investment-council"


def test_an_unfilled_office_is_the_person_the_article_names() -> None:
    text = "The club's owner said on Friday he had agreed terms. Hal Brenner told the Echo so."
    party = resolve("Northbridge Athletic owner", learn_roles("Owner confirms talks", text), "W")
    assert party is not None and party.key == "brenner"


def test_an_office_holders_office_speaks_for_them() -> None:
    text = "Premier Colleen Drummond has not called an election, her office said."
    party = resolve("Premier's office", learn_roles("Premier's office: no plan", text), "W")
    assert party is not None and party.key == "drummond"


def test_a_trade_noun_is_the_company_the_article_is_about() -> None:
    text = "Halvard Marine Systems denied paying kickbacks, the company said on Monday."
    party = resolve("Shipbuilder", learn_roles("Shipbuilder denies paying kickbacks", text), "W")
    assert party is not None and party.key == "halvard-marine-systems"


def test_a_place_after_a_role_is_not_its_holder() -> None:
    text = (
        "Yusuf Al-Harthi, spokesman for the General Civil Aviation Authority, spoke."
        " Zahran Airways flies on."
    )
    party = resolve("Aviation officials in Zahran", learn_roles("Officials deny", text), "W")
    assert party is not None and party.speaker is None


def test_a_league_is_no_office_holder_and_a_club_no_person() -> None:
    text = "The owner of English Premier League club Northbridge Athletic spoke. Hal Brenner did."
    roles = learn_roles("Northbridge Athletic owner confirms talks", text)
    assert "premier" not in roles.offices
    assert roles.first_person == "Hal Brenner"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        # a company's name ends in what it does: no given name and surname
        ("Kestrel Logistics", "kestrel-logistics"),
        ("Tarrow Foods", "tarrow-foods"),
        ("Ravelstone Games", "ravelstone-games"),
        # a person still goes by surname
        ("Tokunbo Akinlade", "akinlade"),
    ],
)
def test_company_names_are_not_taken_for_people(name: str, key: str) -> None:
    assert party_key(name) == key


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        # a body whose name holds a media word is that body, not the media
        ("the Interactive Media Workers Union", "interactive-media-workers-union"),
        # what someone is, before a single name the article knows
        ("Pakistani actress Hareem", "shahnawaz"),
        ("Payroll firm Lattica", "lattica"),
        ("Hacker group Hexlane", "hexlane"),
        # where it is based says nothing of who it is
        ("Port Ellery-based Quillon", "quillon"),
    ],
)
def test_descriptions_around_a_name(phrase: str, key: str) -> None:
    text = (
        "Pakistani actress Hareem Shahnawaz denied the report, the actress said. A hacker "
        "group, Hexlane, and a payroll firm were named. Quillon is a short seller."
    )
    party = resolve(phrase, learn_roles("", text), "Circuitry")
    assert party is not None and party.key == key


def test_a_title_case_headline_names_its_organisation_up_to_its_verb() -> None:
    roles = learn_roles("Tarrow Foods Board Rejects Report CEO Is Leaving", "")
    assert roles.main_org == "Tarrow Foods Board"
    assert party_key("the newspaper") == MEDIA_KEY  # the media words still name the media


@pytest.mark.parametrize(
    ("phrase", "key"),
    [
        ("Mexico's Club Aztlan", "club-aztlan"),
        ("Department of Justice", "department-of-justice"),
    ],
)
def test_a_bodys_own_name(phrase: str, key: str) -> None:
    party = resolve(phrase, learn_roles("", "The club and the Department of Justice spoke."), "X")
    assert party is not None and party.key == key


def test_a_commissioner_speaks_for_herself_and_every_state_has_a_foreign_ministry() -> None:
    roles = learn_roles("", "EU Commissioner Zuzana Hrabkova said she was staying.")
    party = resolve("EU Commissioner Zuzana Hrabkova", roles, "X")
    assert party is not None and party.key == "hrabkova"
    party = resolve("Qasimah's Foreign Ministry", learn_roles("", ""), "X")
    assert party is not None and party.key not in ("ministry", "foreign-ministry")


def test_a_headlines_first_word_is_no_organisation_name() -> None:
    assert (
        learn_roles("Energy ministry restates Brekke Point will run to 2040", "").main_org is None
    )
    assert learn_roles("Norvane Energy denies breach", "").main_org == "Norvane Energy"
