"""The words of an alert as every channel shows them: subject, labelled lines, plain text,
HTML, the log line, and the Slack and Discord message shapes; the same for a digest.

Article text is untrusted: HTML output goes through `html.escape`, Slack text escapes its
three control characters, Discord messages allow no mentions, and single-line forms fold
line breaks so a title cannot forge an extra header or log line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from monitor.models import Alert, Statement, iso

SUBJECT_PREFIX = "[news-monitor]"
_LINE_BREAKS = re.compile(r"[\r\n\t\v\f\u2028\u2029]+")
# Slack allows 50 blocks and Discord 10 embeds a message: a longer digest is cut short
# with "and N more" (every alert is still marked sent: the digest carried its count)
SLACK_MAX_ALERTS = 20
DISCORD_MAX_EMBEDS = 10


def one_line(text: str | None) -> str:
    return _LINE_BREAKS.sub(" ", text or "").strip()


def alert_from_payload(payload: dict[str, Any], party_key: str = "") -> Alert:
    """Rebuild the alert from its stored webhook body (what the outbox keeps)."""
    statement = payload.get("statement") or {}
    article = payload.get("article") or {}
    return Alert(
        id=payload["id"],
        kind=payload["kind"],
        topic=payload.get("topic", ""),
        story_id=payload.get("story_id", ""),
        summary=payload.get("summary", ""),
        statement=Statement(
            kind=payload["kind"],
            text=statement.get("text") or "",
            cue="",
            proposition="",
            party=statement.get("party") or "",
            party_key=party_key,
            speaker=statement.get("speaker"),
            quote=statement.get("quote"),
        ),
        article_url=article.get("url") or "",
        article_title=article.get("title") or "",
        feed_url=article.get("feed_url") or "",
        published_at=_parse_iso(article.get("published_at")),
        detected_at=_parse_iso(payload.get("detected_at")) or datetime.fromtimestamp(0, UTC),
        test=bool(payload.get("test", False)),
    )


def _parse_iso(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def subject(alert: Alert) -> str:
    """`[news-monitor] <kind>: <topic>: <summary>`, on one line."""
    return one_line(f"{SUBJECT_PREFIX} {alert.kind}: {alert.topic}: {alert.summary}")


def digest_subject(count: int) -> str:
    return f"{SUBJECT_PREFIX} digest: {count} alert{'s' if count != 1 else ''}"


def labelled_lines(alert: Alert) -> list[tuple[str, str]]:
    """The facts of an alert as (label, value) pairs, empty values left out."""
    st = alert.statement
    pairs = [
        ("Statement", st.text),
        ("Speaker", st.speaker or ""),
        ("Party", st.party),
        ("Quote", f"\u201c{st.quote}\u201d" if st.quote else ""),
        ("Article", alert.article_title),
        ("URL", alert.article_url),
        ("Published", iso(alert.published_at) or ""),
        ("Topic", alert.topic),
        ("Story", alert.story_id),
        ("Detected", iso(alert.detected_at) or ""),
        ("Alert", alert.id),
    ]
    return [(label, one_line(value)) for label, value in pairs if value]


def plain_text(alert: Alert) -> str:
    head = f"{alert.kind.upper()}: {one_line(alert.summary)}"
    if alert.test:
        head += "\n(This is a test alert sent by `news-monitor alerts test`.)"
    width = max(len(label) for label, _ in labelled_lines(alert))
    body = "\n".join(
        f"{label + ':':<{width + 1}} {value}" for label, value in labelled_lines(alert)
    )
    return f"{head}\n\n{body}\n"


def html_body(alert: Alert) -> str:
    return _html_document(subject(alert), _html_section(alert))


def _html_section(alert: Alert) -> str:
    rows = "".join(
        f"<tr><th align=left valign=top>{html.escape(label)}</th>"
        f"<td>{_html_value(label, value)}</td></tr>"
        for label, value in labelled_lines(alert)
    )
    title = html.escape(f"{alert.kind.upper()}: {one_line(alert.summary)}")
    note = "<p><em>This is a test alert.</em></p>" if alert.test else ""
    return f"<h2>{title}</h2>{note}<table>{rows}</table>"


def _html_value(label: str, value: str) -> str:
    if label == "URL" and value.startswith(("http://", "https://")):
        href = html.escape(value, quote=True)
        return f'<a href="{href}">{html.escape(value)}</a>'
    return html.escape(value)


def _html_document(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head><body>{body}</body></html>\n"
    )


def digest_text(alerts: Sequence[Alert]) -> str:
    sections = [plain_text(a) for a in alerts]
    return f"{len(alerts)} alerts\n\n" + "\n---\n\n".join(sections)


def digest_html(alerts: Sequence[Alert]) -> str:
    return _html_document(
        digest_subject(len(alerts)), "<hr>".join(_html_section(a) for a in alerts)
    )


def log_line(alert: Alert) -> str:
    """One line for the daemon log: kind, topic, summary, speaker, party, quote, URL."""
    st = alert.statement
    parts = [f"{'TEST ' if alert.test else ''}alert {alert.kind}: {alert.topic}: {alert.summary}"]
    parts += [f"speaker: {st.speaker}"] if st.speaker else []
    parts += [f"party: {st.party}"] if st.party else []
    parts += [f"quote: \u201c{st.quote}\u201d"] if st.quote else []
    parts.append(alert.article_url)
    return one_line(" | ".join(parts))


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_section(alert: Alert) -> dict[str, Any]:
    st = alert.statement
    lines = [f"*{alert.kind.upper()}* \u00b7 topic *{_slack_escape(alert.topic)}*"]
    lines.append(_slack_escape(one_line(alert.summary)))
    if st.quote:
        lines.append(f"> \u201c{_slack_escape(one_line(st.quote))}\u201d")
    who = ", ".join(x for x in (st.speaker, st.party) if x)
    if who:
        lines.append(f"\u2014 {_slack_escape(one_line(who))}")
    title = _slack_escape(one_line(alert.article_title) or alert.article_url).replace("|", "\u2223")
    lines.append(f"<{alert.article_url}|{title}>")
    return {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}


def slack_message(alert: Alert) -> dict[str, Any]:
    """A Slack incoming-webhook body: `text` is the notification fallback."""
    return {"text": _slack_escape(subject(alert)), "blocks": [_slack_section(alert)]}


def slack_digest(alerts: Sequence[Alert]) -> dict[str, Any]:
    shown = alerts[:SLACK_MAX_ALERTS]
    blocks: list[dict[str, Any]] = []
    for alert in shown:
        blocks += [_slack_section(alert), {"type": "divider"}]
    if len(alerts) > len(shown):
        more = f"\u2026and {len(alerts) - len(shown)} more"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": more}})
    return {"text": digest_subject(len(alerts)), "blocks": blocks}


def _discord_embed(alert: Alert) -> dict[str, Any]:
    st = alert.statement
    fields = [{"name": "Topic", "value": alert.topic[:1024], "inline": True}]
    for name, value in (("Speaker", st.speaker), ("Party", st.party), ("Quote", st.quote)):
        if value:
            fields.append(
                {"name": name, "value": one_line(value)[:1024], "inline": name != "Quote"}
            )
    embed: dict[str, Any] = {
        "title": one_line(f"{alert.kind.upper()}: {alert.summary}")[:256],
        "description": one_line(alert.article_title)[:4096],
        "fields": fields,
    }
    if alert.article_url.startswith(("http://", "https://")):
        embed["url"] = alert.article_url
    if alert.detected_at:
        embed["timestamp"] = iso(alert.detected_at)
    return embed


def discord_message(alert: Alert) -> dict[str, Any]:
    """A Discord webhook body; mentions are disabled so article text cannot ping anyone."""
    return {
        "content": subject(alert)[:2000],
        "embeds": [_discord_embed(alert)],
        "allowed_mentions": {"parse": []},
    }


def discord_digest(alerts: Sequence[Alert]) -> dict[str, Any]:
    shown = alerts[:DISCORD_MAX_EMBEDS]
    content = digest_subject(len(alerts))
    if len(alerts) > len(shown):
        content += f" (showing {len(shown)})"
    return {
        "content": content,
        "embeds": [_discord_embed(a) for a in shown],
        "allowed_mentions": {"parse": []},
    }
