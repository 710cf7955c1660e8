"""Make citizen (and staff) text inert in Slack: no pings, no mentions, no injected links."""

from __future__ import annotations

TRIM_MARK = "… [texten är avkortad – hela texten finns sparad i SoMe-vakten]"


def slack_escape(text: str) -> str:
    """Escape the three characters Slack treats as control characters, in the right order."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def trimmed(text: str, limit: int, mark: str = TRIM_MARK) -> str:
    """Cut text to at most limit characters, saying clearly that it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(mark) - 1)].rstrip() + " " + mark


def escaped_within(text: str, limit: int, mark: str = TRIM_MARK) -> str:
    """Escape text and cut it so the escaped form fits limit (cutting never splits an entity)."""
    escaped = slack_escape(text)
    if len(escaped) <= limit:
        return escaped
    budget, size, cut = limit - len(mark) - 1, 0, 0
    for cut, char in enumerate(text):  # noqa: B007 - cut is used after the loop
        size += len(slack_escape(char))
        if size > budget:
            break
    return slack_escape(text[:cut].rstrip()) + " " + mark


def quote_block(text: str, limit: int = 2800) -> str:
    """Citizen text as an escaped, trimmed mrkdwn quote that stays within limit characters."""
    lines = text.splitlines() or [""]
    # Each line gains a "> " prefix; reserve room for them before escaping and trimming.
    body = escaped_within("\n".join(lines), limit - 2 * min(len(lines), limit // 4))
    quoted = "\n".join("> " + line if line else ">" for line in body.split("\n"))
    return quoted[:limit]
