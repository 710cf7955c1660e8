"""Pure builder for the App Home: my cases, the cases I cover, who is away, my absences."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.actions import ActionId, button_label
from bot.domain.home import HomeCase, HomeData
from bot.i18n import Translator
from bot.slack.blocks import Block
from bot.slack.escape import slack_escape, trimmed

MAX_BLOCKS = 100


def _text(text: str) -> Block:
    return {"type": "mrkdwn", "text": trimmed(text, 3000, "…"), "verbatim": False}


def _button(action: ActionId, value: str, *, url: str | None = None,
            label: str | None = None) -> Block:
    button: Block = {"type": "button", "action_id": action.value, "value": value,
                     "text": {"type": "plain_text", "text": label or button_label(action)}}
    if url:
        button["url"] = url
    return button


def _case_line(case: HomeCase, t: Translator, link: str | None) -> list[Block]:
    marker = "🔴 " + t.gettext("ACUTE") + " · " if case.acute else ""
    line = f"{marker}*{t.gettext('Case {case}').format(case=case.case_id)}* · " \
           f"{slack_escape(case.account_name)} · {t.when(case.opened_at)}"
    if case.covering_for:
        line += " · " + t.gettext("covering for {name}").format(
            name=slack_escape(case.covering_for))
    if link:
        line += f" · <{slack_escape(link)}|{t.gettext('Open the card')}>"
    return [{"type": "section", "text": _text(line),
             "accessory": _button(ActionId.HISTORY, str(case.case_id))}]


def home_view(data: HomeData, t: Translator, links: Mapping[int, str]) -> Block:
    """The home tab for one person; links maps case ids to card permalinks."""
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "SoMe-vakten"}},
        {"type": "actions", "elements": [
            _button(ActionId.ABSENCE, "home", label=t.gettext("Record an absence")),
            _button(ActionId.HANDOVER, "home", label=t.gettext("Hand over"))]},
        {"type": "header", "text": {"type": "plain_text", "text": t.gettext("My open cases")}},
    ]
    blocks += [b for c in data.mine for b in _case_line(c, t, links.get(c.case_id))] or [
        {"type": "context", "elements": [_text(t.gettext("No open cases. Well done."))]}]
    if data.covered:
        blocks.append({"type": "header", "text": {
            "type": "plain_text", "text": t.gettext("Cases of those I cover for")}})
        blocks += [b for c in data.covered for b in _case_line(c, t, links.get(c.case_id))]
    blocks.append({"type": "header", "text": {"type": "plain_text",
                                               "text": t.gettext("Away and covering")}})
    if not data.away:
        blocks.append({"type": "context", "elements": [_text(t.gettext("Nobody is away."))]})
    for summary in data.away:
        absence = summary.absence
        who = slack_escape(summary.person.name if summary.person else absence.person_id)
        deputy = slack_escape(summary.deputy.name if summary.deputy else "–")
        accounts = ", ".join(slack_escape(a.name) for a in summary.accounts) or "–"
        blocks.append({"type": "section", "text": _text(t.gettext(
            "{who}: {start}–{end}; {deputy} covers {accounts}").format(
            who=who, start=absence.starts_on.isoformat(), end=absence.ends_on.isoformat(),
            deputy=deputy, accounts=accounts))})
    blocks.append({"type": "header", "text": {"type": "plain_text",
                                               "text": t.gettext("My absences")}})
    if not data.own_absences:
        blocks.append({"type": "context", "elements": [_text(t.gettext("None recorded."))]})
    for absence in data.own_absences:
        blocks.append({"type": "section", "text": _text(
            f"{absence.starts_on.isoformat()}–{absence.ends_on.isoformat()}"),
            "accessory": _button(ActionId.CANCEL_ABSENCE, str(absence.id))})
    return {"type": "home", "blocks": blocks[:MAX_BLOCKS]}
