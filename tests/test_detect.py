"""Detection: each denial form, claim form and trap, and the dev scenario end to end."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from monitor.models import Match, TermHit
from monitor.pipeline.detect import classify, detect, find_cues
from monitor.pipeline.lexicon import DEFAULT_LEXICON

SHARED = Path(__file__).resolve().parents[2] / "shared"
DEV = SHARED / "newsroom" / "scenarios" / "dev"

DENIALS = [
    "Kremlin denies reports of a Putin-Trump phone call",
    "Ashbury Rovers deny agreeing Mendes sale to Sarento",
    "Russia's government rejects reports of secret phone calls",
    "Moscow dismissed the report as a fabrication",
    "Ministry refutes allegations of torture",
    "Health agency debunks vaccine rumour",
    "'Pure Fiction': Kremlin Denies Rumors of Phone Call Between Putin and Trump",
    "Norvane Energy: breach report is 'categorically false'",
    "Club says there is no truth to the transfer rumours",
    "Trump campaign says 'no such call took place' with Putin",
    "Trump Campaign: Reported Phone Calls With Putin 'Never Happened'",
    "'Nonsense': Whitlock says she is staying as mayor",
    "Kremlin calls report of phone calls 'fabricated'",
    "Fake news: Pope did not endorse candidate",
    "Ashbury Rovers hit back: 'Mendes is not for sale'",
    "Russia says there are no plans for a Putin-Trump meeting",
    "Company says reports of a takeover are baseless",
    "X is a hoax",
    "No, the world's oldest tree has not been cut down",
    "Report that the bridge collapsed is false",
    "Paper retracts story on minister",
    "Halvard Systems calls reports of 4,000 layoffs 'inaccurate'",
    "Weather service: 'There is no hurricane' threatening Port Ellery",
    '"It is pure fiction," Peskov said.',
    'Peskov said: "It is pure fiction."',
    "Actor rubbishes split rumours: 'We're having the best year'",
    "'My hands are fine': champion laughs off injury talk",
    "Heir slaps down abdication claims",
    "Abdication story is 'a fantasy', says heir",
    "Police: claims of an arrest are 'simply wrong'",
    "Paper retracts its report on the minister",
    # official, tabloid, regional and social-media registers
    "Aviation authority says grounding reports have no basis in reality",
    "Ministry: prisoner-swap reports are devoid of truth",
    "Airline dismisses fleet reports as malicious rumours",
    "Singer's rep: 'There is zero truth to this'",
    "Showrunner: reports of the show's cancellation are greatly exaggerated",
    "Health minister says the report is wide of the mark",
    "Premier: 'Nothing could be further from the truth'",
    "Company says that is simply not the case",
    "Minister calls story a load of codswallop",
    "Party president calls snap-poll report mischievous",
    "Exchange boss: insolvency story is '100% FUD'",
    "CEO on takeover talk: 'lol no. not happening'",
    "Hospital chief scotches rumours she will quit",
    "Council hoses down reports of contaminated water",
    "Premier moves to put speculation to bed",
    "Update: This story has been corrected to remove a claim about the water supply",
    "Streamer says the show was never cancelled",
    "Defence firm pours scorn on kickback claims",
    # forms from the Emergent headlines' misses
    "Space agency casts doubt on meteorite reports",
    "League expansion ahead? No, says commissioner",
    "Missing students not found in mass grave, prosecutor says",
    "Director kills stolen car rumour with new photo",
    "Viral photo of senator was doctored",
    "Health regulator finds no sign vaccine harms hearing",
    "Water authority: households will not be put on rations this summer",
    "'As you can see, I am alive': general appears on video after death reports",
    "Oak Meadow mayor: Nobody from the team has talked to us",
]

CLAIMS = [
    "Trump and Putin spoke by phone this month, people familiar with the calls say",
    "Report: Trump and Putin Held Secret Phone Call",
    "EXCLUSIVE: Ashbury Rovers accept £38m bid for Dario Mendes",
    "Norvane Energy paid hackers $3m ransom, insiders say",
    "Mayor to resign, City Hall sources say",
    "According to sources, the chief executive will resign",
    "Trump and Putin have spoken privately, newspaper reports",
    "Ashbury Rovers 'Accept £38m Bid' for Striker Dario Mendes – Reports",
    "Trump Confirms Plans to Meet Putin",
    "Trump says he plans to meet Putin soon after election",
    "Norvane Energy admits customer data was accessed",
    "Council president Pryce: Whitlock told me she will step down",
    "World's oldest burger",  # a plain assertion is the outlet's own claim
    "Singer and actor SPLIT after four years, pals reveal",
    "Star to quit the show, the Echo can reveal",
    "Tech giant to buy chat app for $2bn -sources",
    "Chat app data is up for sale, per people familiar with the matter",
    "Police chief said Friday she will step down at the end of the month",
    "Lawsuit accuses restaurant chain of skimming servers' tips",
]

NEITHER = [
    "White House Declines to Comment on Reported Trump-Putin Calls",
    "Trump Refuses to Confirm or Deny Phone Calls With Putin",
    "Minister did not deny the report",
    "She would neither confirm nor deny the report",
    "Man denied bail over ransomware attack",
    "Russian TV crew denied entry to rally",
    "Tourist denied a visa after protest",
    "Appeals court rejects residents' challenge to redevelopment",
    "Judge rejects appeal by former minister",
    "A false start for the new season",
    "The Kremlin may deny the report",
    "The Kremlin is expected to reject the claims",
    "The Kremlin had denied the report last week",
    "Port Calder mayor sidesteps questions on resignation report",
    "Opinion: The Putin call story is a Rorschach test",
    "Analysis: Calls, denials and a meeting that may never happen",
    "Review: 'The Hotline' is pure fiction, and hilarious",
    "Explainer: what we know about the hoax",
    "From 'completely untrue' to 'we separated': how the split story unfolded",
    "Timeline: the denials and the confirmation",
    "Imani Kross denied world record by headwind in Oslo",
    "Nightwatch was denied in a photo finish",
    "Darts: Doyle ends Kovac's run at Lindmark Open",
    "Daravia denies landing rights to charter flights",
    "Premier refuses to rule out snap election",
    "Minister won't be drawn on kickback claims",
    "Singer laughs off engagement question on talk show",
    "CEO: 'I'm not going to confirm or deny conversations'",
    "Week in review: denials, reversals and a recall",
]

# Not denials, though a cue word is there; as bare headlines they may still be claims.
NOT_DENIALS = [
    "Landscapers denied coverage as water restrictions dry up work",
    "Breheny withdraws as running mate: 'I will not be a distraction'",
    "City's bid for a top-four finish is very much alive after 3-1 win",
    "Flockly admits hackers accessed user data, reversing earlier denial",
    "Zoning board denies Vantora request for skybridge at headquarters",
]


@pytest.mark.parametrize("headline", NOT_DENIALS)
def test_not_denials(headline: str) -> None:
    assert classify("", title=headline)[0] != "denial"


@pytest.mark.parametrize("headline", DENIALS)
def test_denial_forms(headline: str) -> None:
    assert classify("", title=headline)[0] == "denial"


@pytest.mark.parametrize("headline", CLAIMS)
def test_claim_forms(headline: str) -> None:
    assert classify("", title=headline)[0] == "claim"


@pytest.mark.parametrize("headline", NEITHER)
def test_traps_report_nothing(headline: str) -> None:
    assert classify("", title=headline) == (None, [])


def test_contradicting_a_statement_is_not_a_denial() -> None:
    sentence = "Kessaria said the envoy had been recalled, contradicting a statement from Ostravia"
    assert classify("", title=sentence)[0] == "claim"
    assert classify("", title="Minister contradicts reports of a recall")[0] == "denial"


def test_background_denial_is_not_live() -> None:
    cues, _ = find_cues("Earlier this week the Kremlin rejected a separate report.")
    assert [c for c in cues if c.kind == "denial"] == []


def test_user_extension_adds_a_cue() -> None:
    lexicon = DEFAULT_LEXICON.extended(denial_cues=["flapdoodle"])
    assert classify("", title="Minister: the story is flapdoodle")[0] == "claim"
    assert classify("", title="Minister: the story is flapdoodle", lexicon=lexicon)[0] == "denial"


def test_speaker_party_and_quote_from_lead() -> None:
    title = "Kremlin calls report of Trump-Putin phone calls 'fabricated'"
    text = (
        "MOSCOW (CPW) — The Kremlin on Tuesday dismissed a U.S. newspaper report of calls.\n\n"
        '"This is not true. It is fabricated," Kremlin spokesman Dmitry Peskov told reporters.'
    )
    [st] = detect(title, text, outlet="CPW")
    assert (st.kind, st.party, st.party_key, st.quote) == (
        "denial",
        "Kremlin",
        "kremlin",
        "fabricated",
    )
    assert st.in_title and st.text == title


def test_role_learnt_from_text_gives_the_person() -> None:
    text = "Port Calder Mayor Dana Whitlock has denied reports that she is preparing to resign."
    [st] = detect("Port Calder mayor denies she is quitting", text, outlet="Pocket Brief")
    assert (st.party_key, st.speaker) == ("whitlock", "Dana Whitlock")


def test_media_claim_party_is_the_outlet() -> None:
    [st] = detect("Club accept bid, sources say", "", outlet="Terrace Talk")
    assert (st.kind, st.party, st.party_key) == ("claim", "Terrace Talk", "media")


def _match(topic: str, title: str, terms: list[str]) -> Match:
    hits = tuple(
        TermHit(t, "title", title.find(t), title.find(t) + len(t)) for t in terms if t in title
    )
    return Match(topic, hits)


def test_sports_page_naming_the_topic_reports_nothing() -> None:
    title = "Heavyweight champ Danko wants Trump and Putin ringside for title unification"
    text = (
        "Heavyweight champion Viktor Danko says he wants Donald Trump and Vladimir Putin ringside."
    )
    match = _match("putin-trump", title, ["Trump", "Putin"])
    assert detect(title, text, outlet="PB", match=match) == []


def test_cue_less_headline_takes_the_lead_cue() -> None:
    title = "Norvane customers demand answers after breach U-turn"
    text = (
        "Norvane Energy customers said on Friday that they felt misled after the utility "
        "admitted that hackers had accessed their data, two days after it called reports of a "
        "breach “categorically false.”"
    )
    [st] = detect(title, text, outlet="Herald", match=_match("t", title, ["Norvane", "breach"]))
    assert (st.kind, st.party_key) == ("claim", "norvane-energy")


def _detect_eval():  # type: ignore[no-untyped-def]
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "detect_eval.py"
    spec = importlib.util.spec_from_file_location("detect_eval", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["detect_eval"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not DEV.is_dir(), reason="the shared dev scenario is not present")
def test_dev_scenario_scores() -> None:
    report = _detect_eval().evaluate(DEV)
    assert report.f1 >= 0.9
    assert len(report.false_alarms) == 0
    assert len(report.duplicates) == 0


def test_headline_closing_attribution_names_the_party() -> None:
    title = "Outbreak confirmed: nine patients infected at St Aldric's, says agency"
    text = "Dr Fiona Grange of the South West Health Protection Agency. She said so again."
    [st] = detect(title, text, outlet="Echo")
    assert (st.kind, st.party_key) == ("claim", "south-west-health-protection-agency")


def test_deny_takes_a_plan_but_refuses_a_permit() -> None:
    assert classify("", title="Energy minister denies plan to close nuclear plant early")[0] == (
        "denial"
    )
    assert classify("", title="Council rejects plan to close the library")[0] != "denial"
    for refusal in (
        "Regional water board denies Talvik permit for factory cooling intake",
        "County denied state Senate candidate Garrett Pruitt a permit for a march",
    ):
        assert classify("", title=refusal)[0] != "denial"


@pytest.mark.parametrize(
    ("title", "key"),
    [
        ("Kessaria says Ostravian ambassador has left the country", "kessaria"),
        ("Reactor shut down after coolant leak, Tidewatch says", "tidewatch"),
        ("Councilwoman Ortiz: I was shown the stadium subsidy terms in June", "ortiz"),
        ("Pruitt doubles down: 'They are throwing our votes in the creek'", "pruitt"),
    ],
)
def test_cue_less_headline_attributing_an_assertion_is_that_partys_claim(
    title: str, key: str
) -> None:
    text = "The statement came on Wednesday at a short news conference in the capital city."
    [st] = detect(title, text, outlet="Herald")
    assert (st.kind, st.party_key) == ("claim", key)


def test_appositive_speaker_and_the_reporters_verb_over_a_quoted_cue() -> None:
    sentence = (
        "The government has no plan to close the plant, the energy minister, Lucia Ferrante, "
        "told parliament, rejecting a newspaper report."
    )
    [st] = detect("Government rules out plant shutdown", sentence, outlet="Gazette")
    assert (st.kind, st.party_key) == ("denial", "ferrante")
    [st] = detect("'We are going to build it here': Talvik confirms chip factory", "", outlet="X")
    assert (st.cue, st.party_key) == ("confirms", "talvik")


@pytest.mark.parametrize(
    ("term", "sentence", "found"),
    [
        ('"tax break"*', "Council denies the tax-breaks deal", True),
        ("hack*", "Hackers struck overnight", True),
        ("Trump", "a trumpet solo", False),
        ("Trump", "TRUMP's call", True),
        ('"Port Calder"', "port calder, mayor says", True),
        ("Zelenskyy", "Zelénskyy said", True),
        ('"Port Calder"', "Calder port", False),
    ],
)
def test_topic_terms_are_found_in_a_sentence_as_the_matcher_finds_them(
    term: str, sentence: str, found: bool
) -> None:
    from monitor.pipeline.detect import _term_in

    assert _term_in(term, sentence) is found


def test_a_cookie_notice_before_the_story_is_not_its_lead() -> None:
    title = "Clerk: Lowmarsh 'creek ballots' were sample ballots from 2026"
    text = (
        "We use cookies and similar technologies to personalise content and ads. You can "
        "change your choices at any time by clicking 'Privacy settings' in the footer.\n\n"
        "The Lowmarsh County clerk on Tuesday denied that any ballots had been dumped in a "
        "creek, saying the photos showed sample ballots.\n\nMore follows."
    )
    [st] = detect(title, text, outlet="Tribune")
    assert (st.kind, st.party_key) == ("denial", "lowmarsh-county-clerk")


def test_a_lowercase_body_before_a_headline_colon_is_its_speaker() -> None:
    [st] = detect(
        "Weather service: 'There is no hurricane' threatening Port Ellery", "", outlet="B"
    )
    assert (st.kind, st.party_key) == ("denial", "weather-service")
    [st] = detect("Correction: the report on dumped ballots was wrong", "", outlet="KVLM")
    assert st.party_key == "media"  # a label, not a speaker


def test_people_involved_telling_the_outlet_are_its_sources() -> None:
    title = "Talvik picks Orrin Bay for chip factory"
    text = (
        "Talvik Semiconductors has chosen Orrin Bay for its first chip factory in Europe, "
        "three people involved in the site search told Circuitline.\n\nMore follows."
    )
    [st] = detect(title, text, outlet="Circuitline")
    assert (st.kind, st.party_key) == ("claim", "media")


def test_a_participle_cue_takes_the_sentences_named_subject() -> None:
    title = "Lumo X2 charger swap: how to check if yours is affected"
    text = (
        "Lumo is replacing about 40,000 chargers sold with its X2 phone after admitting that "
        "a faulty capacitor can overheat.\n\nMore follows."
    )
    [st] = detect(title, text, outlet="Morning Flash")
    assert (st.kind, st.party_key) == ("claim", "lumo")


def test_a_participle_after_a_comma_takes_the_named_subject_before_it() -> None:
    title = "It's official: Hale fires Brannigan, Amos takes over"
    text = (
        "Harwick Falcons owner Victor Hale fired coach Dale Brannigan on Wednesday, confirming "
        "the move Gridiron Insider first reported on Monday.\n\nMore follows."
    )
    [st] = detect(title, text, outlet="Gridiron Insider")
    assert (st.kind, st.party_key) == ("claim", "hale")


@pytest.mark.parametrize(
    "headline",
    [
        "Oil market shrugs off pipeline blast",  # an event shrugged off, not a report
        "Quillon agrees sale to Meridian Data after denying talks",  # the denial came before
    ],
)
def test_plain_news_around_a_denial_verb_is_not_a_denial(headline: str) -> None:
    assert classify("", title=headline)[0] != "denial"


def test_a_journal_retracting_a_paper_is_not_a_denial() -> None:
    # "retract" denies only when its object is a report: a paper retracted is news
    assert classify("", title="Journal retracts Voss Alzheimer's paper")[0] != "denial"
    assert classify("", title="Correction: Ledger retracts report of job cuts")[0] == "denial"


def test_a_verbs_own_subject_after_a_kicker_colon_is_the_party() -> None:
    title = "PALACE U-TURN: Sofia DID go to clinic, Royal Household admits"
    [st] = detect(title, "", outlet="Glimmer")
    assert (st.kind, st.party) == ("claim", "Royal Household")


def test_a_headline_epithet_is_the_person_the_article_names() -> None:
    text = (
        "Imani Kross has hit back at a newspaper report that she failed a drug test.\n\n"
        "'I have never failed a drug test,' the world 100m champion said."
    )
    [st] = detect("Sprint champion hits back at doping story", text, outlet="Trackside")
    assert (st.kind, st.party_key, st.speaker) == ("denial", "kross", "Imani Kross")


def test_a_noun_the_article_attaches_to_a_name_is_that_person() -> None:
    text = (
        "Crown Fight Promotions has rejected a report that the fight was cancelled.\n\n"
        "'Nobody has called anything off,' promoter Gerry Walsh said."
    )
    [st] = detect("Report that fight is off is false, says promoter", text, outlet="Night Desk")
    assert st.party_key == "walsh"


def test_a_quote_first_headline_names_its_speaker_after_the_colon() -> None:
    text = "Elena Voss said claims that images in her paper were duplicated are wrong."
    title = "'Categorically false': Alzheimer's researcher defends her data"
    [st] = detect(title, text, outlet="Central Press")
    assert (st.kind, st.party_key) == ("denial", "voss")


def test_a_results_headline_lets_only_a_denying_lead_through() -> None:
    text = (
        "Promoter Gerry Walsh on Tuesday rejected a report that the heavyweight title "
        "defence had been cancelled, insisting the fight is on."
    )
    [st] = detect("Promoter Walsh: title fight 'is 100 per cent on'", text, outlet="Wire")
    assert (st.kind, st.party_key) == ("denial", "walsh")
    claim = "Tommy Doyle beat Marko Kovac on points, according to the judges' cards."
    assert detect("Doyle wins title fight", claim, outlet="Wire") == []


def test_a_relative_clause_say_verb_takes_the_named_subject() -> None:
    text = (
        "Elena Voss has published what she says are the raw files, and repeated that "
        "claims of image duplication are wrong."
    )
    [st] = detect("Voss responds: images are 'an artefact'", text, outlet="Science Desk")
    assert st.party_key == "voss"


@pytest.mark.parametrize(
    "dateline",
    ["(Enterprise Wire) - ", "WASHINGTON (Reuters) - ", "KYIV, Ukraine (AP) — ", "LONDON — "],
)
def test_a_wire_dateline_before_the_lead_changes_nothing(dateline: str) -> None:
    title = "Raman: 'I am not going anywhere'"
    lead = (
        "Quillon chief executive Priya Raman said on Thursday that she had no plans to step "
        "down, rejecting a report that the board was searching for her successor.\n\n"
        "The company declined to say more."
    )
    plain = detect(title, lead, outlet="Enterprise Wire")
    dated = detect(title, dateline + lead, outlet="Enterprise Wire")
    assert plain and [(s.kind, s.party_key, s.keywords) for s in dated] == [
        (s.kind, s.party_key, s.keywords) for s in plain
    ]


@pytest.mark.parametrize(
    ("headline", "kind"),
    [
        ("Fire service blames Voltara e-bike battery for house fire", "claim"),
        ("Voltara rejects fire service finding on Harwell blaze", "denial"),
        ("Regulator's conclusions are wrong, Voltara says as it rejects conclusions", "denial"),
        ("Club denies any chance of Mendes sale", "denial"),
    ],
)
def test_blame_is_an_allegation_and_a_finding_is_a_report_to_deny(headline: str, kind: str) -> None:
    assert classify("", headline)[0] == kind


def test_an_opportunity_withheld_is_not_a_denial() -> None:
    kind, statements = classify("", "Library campaigners denied the chance to speak at meeting")
    assert all(s.kind != "denial" for s in statements)


SCOOP_BODY = [
    "The investment council has agreed terms to buy 40 per cent of the club, valuing it at"
    " about 1.1 billion pounds including debt.",
    "Heads of terms were signed in London last week after four months of talks, according to"
    " documents seen by The Gulf Herald.",
]


def test_flat_headline_over_the_outlets_own_sourcing_is_its_scoop() -> None:
    body = "\n\n".join(SCOOP_BODY)
    statements = detect("Fund agrees 40% stake in club", body, outlet="Herald")
    assert [(s.kind, s.party_key, s.in_title, s.tentative) for s in statements] == [
        ("claim", "media", True, False)
    ]


PLAIN_BODY = "\n\n".join([SCOOP_BODY[0], "Heads of terms were signed in London last week."])


def test_flat_headline_of_what_will_happen_is_a_scoop() -> None:
    statements = detect("Fund to take 40% stake in club", PLAIN_BODY, outlet="Herald")
    assert [(s.kind, s.party_key, s.tentative) for s in statements] == [("claim", "media", False)]


def test_flat_headline_of_what_happened_is_only_tentative() -> None:
    """An actor's deed without a cue is a claim only if it settles a story already out:
    detect marks it tentative, and story assignment decides."""
    (statement,) = detect("Fund agrees 40% stake in club", PLAIN_BODY, outlet="Herald")
    assert (statement.kind, statement.tentative, statement.party) == ("claim", True, "Fund")


def test_a_report_of_what_happened_without_an_actor_reports_nothing() -> None:
    assert detect("40% stake in club agreed", PLAIN_BODY, outlet="Herald") == []


def test_wire_style_trailing_attribution() -> None:
    outlet = classify("", title="President to visit Malindra next month - Herald")[1][0]
    assert (outlet.kind, outlet.party_key) == ("claim", "media")
    office = classify("", title="Kwon to visit Malindra on Oct 21 - presidential office")[1][0]
    assert (office.kind, office.party) == ("claim", "presidential office")


def test_accented_dateline_is_not_the_subject() -> None:
    body = (
        "VELÉN, March 3 (CPA) - Italian carmaker Vetrano Automobili has no plans to close"
        " its plant in Žilno, the company said on Tuesday."
    )
    (statement,) = detect("Carmaker insists Žilno factory has a future", body, outlet="Times")
    assert (statement.kind, statement.party_key) == ("denial", "vetrano-automobili")


def test_says_no_takes_the_speaker_before_it() -> None:
    (statement,) = classify("", title="Agrarian leader Hůlka says no coalition deal yet")[1]
    assert (statement.kind, statement.party_key) == ("denial", "hulka")


def test_a_bare_correction_headline_is_the_outlets_denial() -> None:
    body = "An article published on Wednesday reported that the water supply was contaminated."
    (statement,) = detect("Correction: Yarrabee water supply", body, outlet="Courier")
    assert (statement.kind, statement.party_key) == ("denial", "media")


def test_a_correction_notice_opening_the_body_is_the_outlets_denial() -> None:
    body = (
        "Update, March 14: This story has been corrected to remove the claim that the pair are"
        " engaged.\n\nThe couple first met on set in 2023."
    )
    (statement,) = detect("Ivy and Dex: A Complete Timeline", body, outlet="Marquee")
    assert (statement.kind, statement.party_key) == ("denial", "media")


def test_a_quote_used_as_a_noun_is_not_a_denial() -> None:
    assert classify("", title="Voss walks back 'FUD' post, admits a $370 million shortfall")[0] == (
        "claim"
    )
    assert detect("The Dispatch: Flockly's 'lol no' problem", QUIET_BODY, outlet="Downlink") == []


QUIET_BODY = (
    "Every few weeks a chief executive posts something short and then spends a week on it."
    "\n\nThis newsletter looks at what happened next and what it means for the app."
)


def test_a_column_label_before_a_colon_is_no_speaker() -> None:
    title = "The Dispatch: a chat app's rocky week"
    assert detect(title, QUIET_BODY, outlet="Downlink") == []


CHECK_BODY = (
    "The claim spread on Facebook this week, shared more than 40,000 times by farm groups."
    "\n\nOur ruling: the draft rules govern the sale of seed and there is no ban in them."
)


def test_a_fact_checks_verdict_is_the_outlets_denial() -> None:
    title = "Will farmers break the law by sowing saved seed, as the MP says?"
    (statement,) = detect(title, CHECK_BODY, outlet="VerityLine")
    assert (statement.kind, statement.party_key) == ("denial", "media")
    rated_true = CHECK_BODY.replace("Our ruling: the draft", "Rating: True. The draft")
    assert detect(title, rated_true, outlet="VerityLine") == []


def test_a_reviews_rating_is_no_verdict() -> None:
    body = "The finale is long and strange and lovely.\n\nRating: 4/5. Worth the wait."
    assert detect("Review: 'Hollow Pines' season 2 finale", body, outlet="Reel") == []


def test_a_refusal_to_confirm_reports_no_claim_in_its_sentence() -> None:
    body = (
        "The president's office on Friday refused to confirm or deny that the general had been"
        " removed, which state television announced on Thursday."
    )
    assert detect("Presidency silent on general's fate", body, outlet="Orbis") == []


def test_an_old_denial_beside_a_confirmation_keeps_the_claim() -> None:
    title = "Flockly confirms hackers stole user data, days after denying a breach"
    assert classify("", title=title)[0] == "claim"


def test_an_actors_deed_with_a_purpose_is_not_a_future_scoop() -> None:
    title = "Transit chief proposes eliminating 11 bus routes to close budget gap"
    (statement,) = detect(title, PLAIN_BODY, outlet="Ledger")
    assert statement.tentative and statement.party != "Ledger"


def test_a_guide_after_a_colon_has_no_speaker() -> None:
    title = "Marathon Sunday: what's closed and how buses are detouring"
    assert detect(title, QUIET_BODY, outlet="Dispatch") == []


def test_a_week_round_up_is_a_recap() -> None:
    title = "Millrace Week: bus cuts, a chief under pressure, and a ballpark rumour"
    assert detect(title, QUIET_BODY, outlet="Dispatch") == []


# --------------------------------------------------------------- from blind scenarios (4)


@pytest.mark.parametrize(
    ("title", "lead"),
    [
        # the deed is the news; the denial it contradicts is what came before
        (
            "Akinlade formally defects to ADR, cites 'injustice' in PPC",
            "Senator Tokunbo Akinlade on Saturday formally defected to the Alliance for "
            "Democratic Renewal (ADR), less than a week after he dismissed reports of his "
            "planned move as fake news.",
        ),
        (
            "Caldwell ousts Agriculture Secretary Whitfield days after dismissing report he would",
            "President Warren Caldwell said Saturday he is replacing Agriculture Secretary "
            "Marcus Whitfield, days after the White House dismissed a report that he would.",
        ),
    ],
)
def test_a_deed_days_after_a_denial_is_the_actors_claim(title: str, lead: str) -> None:
    [st] = detect(title, lead, outlet="Wire")
    assert st.kind == "claim"
    # it says itself that it answers a story already out: no need to find one first
    assert not st.tentative
    assert st.party_key in ("akinlade", "caldwell")


def test_a_denial_told_as_background_in_a_long_clause_is_not_the_news() -> None:
    lead = (
        'President Caldwell said Saturday that he is "moving on" from Agriculture Secretary '
        "Marcus Whitfield, three days after calling a report that he planned to fire Whitfield "
        '"FAKE NEWS."'
    )
    found = detect("Caldwell says he's 'moving on' from Whitfield", lead, outlet="Axis")
    assert [s.kind for s in found] == ["claim"]


@pytest.mark.parametrize(
    ("title", "body", "kind", "key"),
    [
        (
            "Lattica says it has found no evidence of breach claimed by hacker group",
            "",
            "denial",
            "lattica",
        ),
        (
            "A hacking group says it breached payroll giant Lattica",
            'An update to this story: Lattica has since contacted us to say it has "found no '
            'evidence of unauthorized access to Lattica systems or customer data" and that it is '
            "working with outside specialists.",
            "denial",
            "lattica",
        ),
        ("Hacker group Hexlane claims it stole payroll data from Lattica", "", "claim", "hexlane"),
        (
            "Payroll firm Lattica rejects hacker group's claim of data theft",
            "",
            "denial",
            "lattica",
        ),
        (
            "Ravelstone says union's strike ballot figures are 'misleading'",
            "",
            "denial",
            "ravelstone",
        ),
        # a fact check's rating opening the headline is the checker's own verdict
        (
            'Mostly False: Voss says Harlow has "told leadership she\'s coming over"',
            "",
            "denial",
            "media",
        ),
        (
            "Harlow aide hits back at switch report",
            "The chief of staff to Sen. Maren Harlow (D-Kan.) on Thursday called a report that "
            'she is weighing a party switch a "hit piece" and said it was false.',
            "denial",
            "harlow",
        ),
        (
            "Quillon's Orvella short, explained",
            "Quillon Research dropped its latest short report this morning, and it is a big one: "
            "64 pages alleging that Orvella Payments has been padding its revenue.",
            "claim",
            "quillon-research",
        ),
    ],
)
def test_who_speaks(title: str, body: str, kind: str, key: str) -> None:
    [st] = detect(title, body, outlet="Circuitry")
    assert (st.kind, st.party_key) == (kind, key)


@pytest.mark.parametrize(
    "title",
    [
        # a delay, not a rebuttal
        "Halden's foldable launch pushed back to summer, people close to the company say",
        # a permission withheld, its holder between the verb and the thing
        "Police deny ADR permission for Iloroko rally, cite security concerns",
        "The Okelu State Police Command has denied the Alliance for Democratic Renewal (ADR) "
        "permission to hold a rally at the stadium on Saturday",
        # someone's request refused
        "Judge denies veterans group's bid to force quick release of VA budget memos",
    ],
)
def test_delays_and_things_withheld_are_not_denials(title: str) -> None:
    assert all(s.kind != "denial" for s in detect(title, "", outlet="X"))


def test_pushing_back_on_a_report_still_denies_it() -> None:
    [st] = detect("Halden pushes back on report of foldable delay", "", outlet="X")
    assert (st.kind, st.party_key) == ("denial", "halden")


def test_people_who_work_somewhere_are_not_anonymous_sources() -> None:
    cues, _ = find_cues("Fewer than a quarter of the people who work at Ravelstone voted")
    assert cues == []
    cues, _ = find_cues("the people who spoke on condition of anonymity said the deal was done")
    assert [c.media for c in cues] == [True]


def test_a_flat_headline_names_its_actor_with_what_it_is() -> None:
    lead = "Nigerian senator Tokunbo Akinlade joined the opposition ADR at a rally on Saturday."
    [st] = detect("Nigerian senator Akinlade joins opposition ADR", lead, outlet="IAPA")
    assert (st.kind, st.party_key, st.tentative) == ("claim", "akinlade", True)


def test_a_colon_label_the_article_never_has_speak_is_no_speaker() -> None:
    body = (
        "Ravelstone Games has delayed Saltglass, the first expansion for its sailing game "
        "Tideborn, from April to the summer. Tideborn sold four million copies."
    )
    match = Match(topic="t", hits=(TermHit("Ravelstone", "text", 0, 10),))
    assert (
        detect("Tideborn: Saltglass expansion delayed to summer", body, outlet="X", match=match)
        == []
    )
    spoken = body + ' "We need a few more months," Tideborn\'s director said.'
    [st] = detect(
        "Tideborn: Saltglass expansion delayed to summer", spoken, outlet="X", match=match
    )
    assert st.kind == "claim"


def test_a_title_case_headline_is_read_in_its_articles_case_and_shown_as_written() -> None:
    title = "Tarrow Foods Board Rejects Report CEO Is Leaving"
    body = "The board of Tarrow Foods on Tuesday rejected a report that its chief was leaving."
    [st] = detect(title, body, outlet="Journal")
    assert (st.kind, st.party_key) == ("denial", "tarrow-foods")  # the board, the company
    assert st.text == title
    body = "Sprinter Imani Kross hit back at a doping story, calling the champion's test clean."
    [st] = detect("Sprint Champion Hits Back at Doping Story", body, outlet="Track")
    assert (st.kind, st.party_key) == ("denial", "kross")


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # ruling a reported thing out denies it
        (
            "Government rules out reshuffle, says Stastna keeps PM's confidence",
            ("denial", "government"),
        ),
        ("Snap election ruled out by prime minister", ("denial", "prime-minister")),
        ("Club has ruled out a sale of the striker", ("denial", "club")),
        # an injury, a refusal to rule out, and an error message are none
        ("Striker ruled out of derby with hamstring injury", None),
        ("Ashbury boss refuses to rule out sale", None),
        ("PM does not rule out snap election", None),
        ("Quenta users are getting 'access denied' errors", None),
    ],
)
def test_ruling_out(title: str, expected: tuple[str, str] | None) -> None:
    found = [(s.kind, s.party_key) for s in detect(title, "", outlet="X") if s.kind == "denial"]
    assert found == ([expected] if expected else [])


def test_ruling_out_with_no_report_named_only_answers_a_story() -> None:
    [st] = detect("Transport secretary rules out renationalising Northway Trains", "", outlet="X")
    assert (st.kind, st.tentative) == ("denial", True)
    [st] = detect("Minister rules out fare rise, dismissing reports of a hike", "", outlet="X")
    assert (st.kind, st.tentative) == ("denial", False)


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a defendant's plea denies the charge; a first-person never in a quote denies
        ("R v Kiely: Bellhaven councillor pleads not guilty as fraud trial opens", "", "denial"),
        ("Kiely takes the stand: 'I never took a cent from those grants'", "", "denial"),
        ("Brannock Energy rejects satellite study alleging methane leak", "", "denial"),
        # a jury told is court reporting, not the outlet's sources: the Crown speaks
        (
            "Crown: councillor treated community grants 'like a personal piggy bank'",
            "A councillor used his influence over the grants program to funnel $412,000 to a "
            "relative's business, a jury has been told. Opening the Crown case, Simon Halloran "
            "said the councillor had treated the program like a bank.",
            "claim",
        ),
        # the news answers a denial, which is background
        (
            "Union: Kestle Bay cut 'is coming' despite Northway denial",
            "The Kestle Bay line will lose its direct trains from December whatever Northway "
            "Trains says in public, the rail union RTWF has claimed, citing draft rosters.",
            "claim",
        ),
        # contradicting a denial confirms
        (
            "Bellhaven Air flight had engine failure, investigators say",
            "Investigators say a Bellhaven Air flight suffered an engine failure, contradicting "
            "the airline's initial statement that reports of a fire were incorrect.",
            "claim",
        ),
        # a delay, and a passenger's rights
        ("Northcape pushes back Port Avelin launch: what it means if you've booked", "", None),
        ("Denied boarding on a Bellhaven Air flight? Here's what you're owed", "", None),
    ],
)
def test_courts_and_transport_registers(title: str, body: str, expected: str | None) -> None:
    kinds = [s.kind for s in detect(title, body, outlet="Gallery")]
    assert kinds == [expected] if expected else "denial" not in kinds


@pytest.mark.parametrize(
    ("title", "body", "key"),
    [
        # an adverb before the verb is no part of the name
        (
            "Castlebridge forward Ashworth denies allegations, says lawyer",
            "LONDON, March 11 (PPA) - Castlebridge City forward Leon Ashworth strenuously denies "
            "allegations made against him in the media this week, his lawyer said on Wednesday.",
            "ashworth",
        ),
        # the lead names the body within the headline's place; a dateline with two commas
        (
            "Ireland rejects report that Ardcullen jail will shut",
            "ARDCULLEN, Ireland, March 11 (PPA) - Ireland's Department of Justice said on "
            "Wednesday it had no plans to close Ardcullen Prison, rejecting a newspaper report.",
            "department-of-justice",
        ),
        # the speaker before the colon, when what follows names only an epithet
        (
            "Ashworth's lawyer: Castlebridge star 'strenuously denies' allegations",
            "Solicitor Daniel Fairbrother said Leon Ashworth had not been charged.",
            "ashworth",
        ),
        # in a court of England, Ireland or Australia the Crown is the prosecution
        (
            "Crown: councillor treated community grants 'like a personal piggy bank'",
            "Opening the Crown case, Simon Halloran said the councillor had treated the grants "
            "program like a bank.",
            "prosecutors",
        ),
        # a participle's subject is the sentence's
        (
            "Marisol Vance postpones tour",
            "Marisol Vance has postponed her world tour until 2027, saying her doctors have "
            "told her to rest, confirming reports.",
            "vance",
        ),
    ],
)
def test_who_speaks_in_the_lead(title: str, body: str, key: str) -> None:
    [st] = detect(title, body, outlet="PPA")
    assert st.party_key == key


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        # a ruling that the accused did nothing wrong denies the accusation
        (
            "Ad watchdog clears Teravane's 'Drive Carbon Neutral' campaign of greenwashing",
            ("denial", "ad-watchdog"),
        ),
        ("Regulator exonerates Brannock over leak", ("denial", "regulator")),
        # what tests find is a claim
        (
            "Second group's road tests find Teravane Arca exceeds emissions limits",
            ("claim", "second-group-road-tests"),
        ),
    ],
)
def test_rulings_and_findings(title: str, expected: tuple[str, str]) -> None:
    [st] = detect(title, "", outlet="Ledger")
    assert (st.kind, st.party_key) == expected


@pytest.mark.parametrize(
    ("title", "body", "expected"),
    [
        # a trailing attribution with the verb after its speaker, the article's council
        (
            "'No plans' to shut Brindlecote Leisure Centre, council insists",
            "Harrowdale Council said the claims on social media were untrue.",
            ("denial", "harrowdale-council"),
        ),
        # a quoted adverb is no part of the name; Brussels is the Commission
        (
            "Commission 'categorically' denies plan to ban disposable vapes",
            "",
            ("denial", "eu-commission"),
        ),
        (
            "Brussels rejects report it is preparing to outlaw disposable vapes",
            "",
            ("denial", "eu-commission"),
        ),
        # unnamed diplomats are the outlet's sources
        ("Austria moves to block EU-Australia trade pact, diplomats say", "", ("claim", "media")),
        # a relative clause between the subject and its verb
        (
            "Halberg: Brussels has 'fundamentally misunderstood' the oxygen market",
            "The German gases group Halberg, which employs around 1,900 people in Austria, has "
            "hit back at the European Commission after being fined for abusing its market power.",
            ("denial", "halberg"),
        ),
        # a club's general manager speaks for the club
        (
            "Ironclads not shopping Tillery, GM says",
            "Columbus Ironclads general manager Dale Voorhees said on Wednesday the team is not "
            "shopping Marcus Tillery, rejecting a report that the club was trying to trade him.",
            ("denial", "ironclads"),
        ),
    ],
)
def test_who_speaks_for_bodies(title: str, body: str, expected: tuple[str, str]) -> None:
    [st] = detect(title, body, outlet="Post")
    assert (st.kind, st.party_key) == expected


def test_an_exclamation_before_a_colon_is_no_speaker_and_a_dash_clause_no_attribution() -> None:
    lead = "The Columbus Ironclads have traded Marcus Tillery, days after denying it."
    [st] = detect("It's done: the Ironclads have traded Marcus Tillery", lead, outlet="Insider")
    assert st.party_key != "it"
    title = "Commission proposes EU-wide ban on disposable vapes — a week after denying it"
    lead = "The European Commission on Wednesday proposed a ban on single-use vapes across the EU."
    [st] = detect(title, lead, outlet="EuroBeat")
    assert (st.kind, st.party_key, st.tentative) == ("claim", "eu-commission", False)


@pytest.mark.parametrize(
    "title",
    [
        "Week 10 start/sit: Don't let the Tillery trade noise bench your WR1",
        "Barrow on Tillery rumors: 'I'm not going to rule anything out'",
        "Prospectors fall to 1-9 as Bighorns roll; Lindqvist won't discuss his future",
        "Forge Cup odds drift as the Brandvold contract standoff shows no sign of ending",
        "Coach Pruitt says he has no interest in discussing the league investigation",
    ],
)
def test_advice_evasions_and_goings_on_are_no_statements(title: str) -> None:
    assert [s.kind for s in detect(title, "", outlet="X") if s.kind == "denial"] == []
    assert classify("", title=title)[0] != "denial"


def test_reassurance_before_a_denial_keeps_it() -> None:
    assert classify("", title="Don't Worry, The Breakfast Club Star Judd Nelson Is Not Dead")[
        0
    ] == ("denial")


def test_a_ministry_is_named_by_all_its_words() -> None:
    from monitor.pipeline.parties import party_key

    assert party_key("Foreign Ministry") == "foreign-ministry"
    assert party_key("Prime Minister's Office") != "office"


def test_saying_again_names_the_speaker() -> None:
    lead = "Halvard Systems has reiterated in a filing that the report of 4,000 layoffs is false."
    [st] = detect("Layoff report answered", lead, outlet="Wire")
    assert (st.kind, st.party_key) == ("denial", "halvard-systems")
