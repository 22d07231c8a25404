"""Stories: the same proposition joins across wordings; a different one starts anew."""

from __future__ import annotations

from monitor.models import Statement
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
    grown = grow_story(story, _statement("Secret call took place", "held in October"))
    assert grown.id == story.id and grown.statements == 2
    assert {"secret", "~october"} <= grown.keywords


def test_story_id_is_deterministic() -> None:
    st = _statement("Trump and Putin spoke by phone")
    assert new_story_id("t", st) == new_story_id("t", st) != new_story_id("u", st)
    assert isinstance(new_story("t", st), StoryRef)
