"""The README documents every setting and every command (as datasette's docs tests do)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from pydantic import BaseModel

from monitor.cli import build_parser
from monitor.config import (
    AppriseChannel,
    DetectionSettings,
    EmailChannel,
    FeedSettings,
    LogChannel,
    MonitorSettings,
    TopicSettings,
    WebhookChannel,
)

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()
MODELS: list[type[BaseModel]] = [
    MonitorSettings,
    FeedSettings,
    TopicSettings,
    WebhookChannel,
    EmailChannel,
    LogChannel,
    AppriseChannel,
    DetectionSettings,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_setting_is_documented(model: type[BaseModel]) -> None:
    missing = [
        name
        for name in model.model_fields
        if f"`{name}`" not in README and f"\n{name} = " not in README
    ]
    assert missing == [], f"document {model.__name__} keys in the README: {missing}"


def _commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found.append(f"{prefix}{name}".strip())
                found += _commands(sub, f"{prefix}{name} ")
    return found


def test_every_command_is_documented() -> None:
    commands = _commands(build_parser())
    assert "once" in commands and "check-config" in commands
    lines = [line for line in README.splitlines() if "news-monitor " in line]
    text = "\n".join(lines)
    missing = []
    for command in commands:
        *parents, leaf = command.split()
        if (
            not any(
                leaf in line.split("news-monitor ", 1)[1] and all(p in line for p in parents)
                for line in lines
            )
            and leaf not in text
        ):
            missing.append(command)
    assert missing == [], f"document these commands in the README: {missing}"


def test_no_placeholder_is_left_in_the_readme() -> None:
    assert "_SECTION" not in README and "_NUMBERS" not in README
