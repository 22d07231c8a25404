"""Management commands (feeds, alerts, stories, replay, db): argv parsing and output."""

from __future__ import annotations

import argparse
from typing import Any


def add_commands(sub: Any) -> None:
    """Register the management subcommands on the main parser's subparsers."""
    _ = (sub, argparse)
