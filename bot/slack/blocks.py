"""Pure Block Kit builders: case cards, forms and notice texts. No I/O."""

from __future__ import annotations

from typing import Any

from bot.domain.actions import ActionId, button_label, card_actions
from bot.domain.case_view import CATEGORY_LABELS, CaseView, HistoryLine
from bot.domain.forms import N_
from bot.domain.models import CaseState
from bot.domain.notices import Notice, action_summary, render_notice
from bot.domain.policy import Policy
from bot.i18n import Translator
from bot.slack.escape import quote_block, slack_escape, trimmed

Block = dict[str, Any]
STATE_MARKERS = {
    CaseState.NEW: "🔴",
    CaseState.IN_PROGRESS: "🟠",
    CaseState.REPORTED: "🔵",
    CaseState.FOLLOWED_UP: "✅",
}
_PLATFORMS = {"facebook": "Facebook", "instagram": "Instagram"}
KIND_LABELS = {"comment": N_("comment"), "reply": N_("reply"), "dm": N_("direct message"),
               "visitor_post": N_("visitor post")}


def _mrkdwn(text: str, *, verbatim: bool = True) -> Block:
    return {"type": "mrkdwn", "text": text, "verbatim": verbatim}


def _plain(text: str, limit: int = 3000) -> Block:
    return {"type": "plain_text", "text": trimmed(text, limit, "…"), "emoji": True}


def person_formatter(policy: Policy) -> Any:
    """Format people in notices as Slack mentions (our own ids only, never citizen text)."""
    def fmt(value: str | None, kind: str | None) -> str:
        if value is None:
            return "–"
        if kind in ("person", "name"):
            person = policy.person(value)
            if person is None:
                return slack_escape(value)
            if kind == "name" or not person.slack_id:
                return slack_escape(person.name)
            return f"<@{person.slack_id}>"
        if kind == "slack" and value.isalnum():
            return f"<@{value}>"
        return slack_escape(value)
    return fmt


def category_list(t: Translator, categories: tuple[str, ...]) -> str:
    """The categories as the user reads them (or that the engine could not assess it)."""
    if not categories:
        return t.gettext("not assessed automatically – read it yourself")
    return ", ".join(t.gettext(CATEGORY_LABELS.get(c, c)) for c in categories)


def card_fallback(view: CaseView, t: Translator) -> str:
    """The notification text: no citizen text at all, so it can never ping or leak."""
    head = t.gettext("ACUTE") + " · " if view.acute and view.is_open else ""
    return f"{STATE_MARKERS[view.state]} {head}" + t.gettext("Case {case}: {categories}").format(
        case=view.case_id, categories=category_list(t, view.categories))


def _history_line(line: HistoryLine, t: Translator, policy: Policy) -> str:
    actor = person_formatter(policy)(line.actor, line.actor_platform)
    return action_summary(t, line.action, details=line.details, actor=actor, at=line.at,
                          text=slack_escape)


def case_card(view: CaseView, t: Translator, policy: Policy) -> tuple[str, list[Block]]:
    """The card for a case: what, where, when, why, what to do, and the buttons."""
    head = f"{STATE_MARKERS[view.state]} "
    if view.acute and view.is_open:
        head += t.gettext("ACUTE") + " · "
    head += category_list(t, view.categories).capitalize()
    where = " · ".join(filter(None, [
        _PLATFORMS.get(view.platform, view.platform), slack_escape(view.account_name),
        t.gettext(KIND_LABELS.get(view.kind, KIND_LABELS["comment"])),
        t.when(view.created_at), t.gettext("Case {case}").format(case=view.case_id),
    ]))
    author = slack_escape(trimmed(view.author or t.gettext("Unknown sender"), 80, "…"))
    blocks: list[Block] = [
        {"type": "header", "text": _plain(head, 150)},
        {"type": "context", "elements": [_mrkdwn(where)]},
        {"type": "section", "text": _mrkdwn(
            t.gettext("*{author}* wrote:").format(author=author) + "\n" + quote_block(view.text))},
    ]
    if view.removed or view.hidden:
        state = (t.gettext("The text is no longer on the platform; our copy is kept.")
                 if view.removed else t.gettext("The comment is hidden on the platform."))
        blocks.append({"type": "context", "elements": [_mrkdwn(state)]})
    if view.reasons:
        reasons = "; ".join(
            f"»{slack_escape(trimmed(r.text, 80, '…'))}« → {category_list(t, (r.category,))}"
            for r in view.reasons[:8])
        blocks.append({"type": "section", "text": _mrkdwn(
            trimmed(t.gettext("*Why:* {reasons}").format(reasons=reasons), 2900, "…"))})
    if view.advice and view.is_open:
        advice = "\n".join(f"• {slack_escape(a)}" for a in view.advice[:6])
        blocks.append({"type": "section", "text": _mrkdwn(
            trimmed(t.gettext("*The routine:*") + "\n" + advice, 2900, "…"))})
    blocks.extend(_status_blocks(view, t, policy))
    if view.permalink:
        link = t.gettext("Open the original")
        blocks.append({"type": "context", "elements": [
            _mrkdwn(f"<{slack_escape(view.permalink)}|{link}>", verbatim=False)]})
    main, extra = card_actions(view.categories, is_open=view.is_open,
                               can_moderate=view.can_moderate)
    if main:
        blocks.append(_buttons(f"case:{view.case_id}", view.case_id, main))
    blocks.append(_buttons(f"case-more:{view.case_id}", view.case_id, extra))
    return card_fallback(view, t), blocks


def _buttons(block_id: str, case_id: int, actions: tuple[ActionId, ...]) -> Block:
    return {"type": "actions", "block_id": block_id, "elements": [
        {"type": "button", "action_id": action.value, "value": str(case_id),
         "text": _plain(button_label(action), 75),
         **({"style": "primary"} if action == ActionId.FOLLOW_UP else {})}
        for action in actions]}


def reminder_blocks(text: str, case_id: int) -> list[Block]:
    """A reminder in the thread, with "Jag tittar på det" to push the next one back."""
    return [{"type": "section", "text": _mrkdwn(text, verbatim=False)},
            _buttons(f"reminder:{case_id}", case_id, (ActionId.LOOKING, ActionId.FOLLOW_UP))]


def criticism_blocks(text: str, case_id: int, link: str | None, t: Translator) -> list[Block]:
    """A manager's direct message about serious criticism, with an acknowledge button."""
    blocks: list[Block] = [{"type": "section", "text": _mrkdwn(text, verbatim=False)}]
    if link:
        label = t.gettext("Open the card")
        blocks.append({"type": "context", "elements": [
            _mrkdwn(f"<{link}|{label}>", verbatim=False)]})
    blocks.append(_buttons(f"criticism:{case_id}", case_id, (ActionId.ACK_CRITICISM,)))
    return blocks


def _status_blocks(view: CaseView, t: Translator, policy: Policy) -> list[Block]:
    lines = [_history_line(line, t, policy) for line in view.history[-5:]]
    status = ("\n".join(lines) if lines else t.gettext("Nobody has acted yet."))
    missing = ", ".join(t.gettext(m) for m in view.missing)
    elements = [_mrkdwn(trimmed(status, 2900, "…"))]
    if missing:
        elements.append(_mrkdwn(t.gettext("Still missing: {what}").format(what=missing)))
    if view.is_open:
        elements.append(_mrkdwn(responsible_line(view, t, policy), verbatim=False))
    return [{"type": "context", "elements": elements}]


def responsible_line(view: CaseView, t: Translator, policy: Policy) -> str:
    """Who answers for the case now, and whom they cover for ("Anna är frånvarande ...")."""
    fmt = person_formatter(policy)
    if view.responsible is None:
        return t.gettext("Responsible: nobody present – the manager is told")
    who = fmt(view.responsible.id, "person")
    if view.covering_for is not None:
        return t.gettext("{absent} is away; {who} is responsible").format(
            absent=slack_escape(view.covering_for.name), who=who)
    return t.gettext("Responsible: {who}").format(who=who)


def notice_text(notice: Notice, t: Translator, policy: Policy) -> str:
    """A thread line or direct message about a case, with mentions of our own people only."""
    return render_notice(notice, t, person_formatter(policy), slack_escape)
