"""Stories: the same proposition joins across wordings; a different one starts anew."""

from __future__ import annotations

from monitor.models import Kind, Statement
from monitor.pipeline.stories import (
    StoryRef,
    assign_story,
    grow_story,
    keywords_of,
    new_story,
    new_story_id,
    stem,
    tiered_keywords,
)

TOPIC_NAMES = ["Putin", "Trump", "Vladimir Putin", "Donald Trump"]


def _statement(headline: str, lead: str = "") -> Statement:
    return Statement(
        kind="claim",
        text=headline,
        cue="",
        proposition=headline,
        party="media",
        party_key="media",
        keywords=tiered_keywords(headline, lead, TOPIC_NAMES),
    )


def test_stemming_and_synonyms() -> None:
    assert stem("calls") == "call" and stem("meeting") == "meet" and stem("stolen") == "steal"
    assert keywords_of("He will step down") == keywords_of("He will resign")


def test_topic_names_are_not_keywords() -> None:
    assert keywords_of("Putin and Trump spoke by phone", TOPIC_NAMES) == {"call"}


def test_same_proposition_in_other_words_joins() -> None:
    story = new_story("putin-trump", _statement("Trump and Putin spoke by phone this month"))
    denial = _statement("Kremlin calls report of Trump-Putin phone calls 'fabricated'")
    assert assign_story(denial, [story]) == story


def test_different_proposition_starts_a_new_story() -> None:
    story = new_story("putin-trump", _statement("Trump and Putin spoke by phone this month"))
    meeting = _statement("Trump advisers sound out Moscow on early meeting with Putin")
    assert assign_story(meeting, [story]) is None


def test_best_of_several_stories() -> None:
    call = new_story("putin-trump", _statement("Trump and Putin held secret phone call"))
    meet = new_story("putin-trump", _statement("Trump plans early meeting with Putin"))
    chosen = assign_story(_statement("Russia says no Putin-Trump meeting is planned"), [call, meet])
    assert chosen == meet


def test_no_candidates_or_no_keywords() -> None:
    assert assign_story(_statement("Putin and Trump"), []) is None
    story = new_story("t", _statement("Trump and Putin spoke by phone"))
    assert assign_story(_statement("Putin and Trump"), [story]) is None


def test_grow_story_keeps_id_and_adds_words() -> None:
    story = new_story("t", _statement("Trump and Putin spoke by phone"))
    grown = grow_story(story, _statement("Secret call took place", "held in Helsinki"))
    assert grown.id == story.id and grown.statements == 2
    assert {"secret", "~helsinki"} <= grown.keywords


def test_story_id_is_deterministic() -> None:
    st = _statement("Trump and Putin spoke by phone")
    assert new_story_id("t", st) == new_story_id("t", st) != new_story_id("u", st)
    assert isinstance(new_story("t", st), StoryRef)


def _said(kind: str, headline: str, party: str, cue: str = "", lead: str = "") -> Statement:
    """A statement on a topic whose query words are resign*, hack* and breach."""
    exclude = [*TOPIC_NAMES, party]
    return Statement(
        kind=kind,  # type: ignore[arg-type]
        text=headline,
        cue=cue,
        proposition=headline,
        party=party,
        party_key=party.split()[-1].lower() if party != "media" else "media",
        keywords=tiered_keywords(headline, lead, exclude, ["resign", "hack", "breach"]),
    )


def test_a_report_sharing_only_topic_and_background_words_is_a_new_story() -> None:
    breach = new_story(
        "t", _said("claim", "Customer records stolen by hackers", "media", lead="billing data")
    )
    ransom = _said("claim", "Company paid hackers ransom", "media", lead="billing data")
    assert assign_story(ransom, [breach]) is None


def test_a_reply_naming_a_party_of_the_story_joins_it() -> None:
    story = new_story("t", _said("claim", "Mayor to resign, sources say", "media"))
    story = grow_story(story, _said("claim", "Whitlock told me she will resign", "Marcus Pryce"))
    reply = _said("denial", "Whitlock hits back at Pryce: full stop", "Dana Whitlock", "hits back")
    assert assign_story(reply, [story]) == story


def test_a_statement_of_topic_words_only_joins_the_main_story() -> None:
    story = new_story("t", _said("claim", "Mayor to resign and join agency, sources say", "media"))
    told = _said("claim", "Pryce: she will resign in the spring", "Marcus Pryce", "told me")
    assert assign_story(told, [story]) == story


def test_an_answer_joins_on_little_shared_wording() -> None:
    story = new_story("t", _said("claim", "Dam breached after record rain, videos show", "media"))
    fact_check = _said("denial", "Viral claim that the dam breached is false", "media", "false")
    assert assign_story(fact_check, [story]) == story


def _acme(headline: str, lead: str = "", kind: Kind = "claim", party: str = "media") -> Statement:
    return Statement(
        kind=kind,
        text=headline,
        cue="",
        proposition=headline,
        party=party,
        party_key="acme-systems" if party != "media" else "media",
        keywords=tiered_keywords(headline, lead, ["Acme", "Acme Systems"]),
    )


def test_a_party_going_on_about_its_topic_joins_the_story_it_spoke_in() -> None:
    """A company that denied "4,000 job cuts" then announces "1,200 jobs" answers itself."""
    founding = _acme("Acme Systems preparing to lay off 4,000 staff in cloud unit")
    denial = _acme("Acme Systems denies plan to lay off 4,000", kind="denial", party="Acme Systems")
    story = grow_story(new_story("acme", founding), denial)
    headline, lead = (
        "Acme will cut 1,200 jobs, chief executive tells employees",
        "In the cloud unit.",
    )
    assert assign_story(_acme(headline, lead), [story]) is None  # someone new: a new report
    assert assign_story(_acme(headline, lead, party="Acme Systems"), [story]) == story
