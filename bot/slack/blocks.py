"""Pure Block Kit builders: case cards, forms and notice texts. No I/O."""

from __future__ import annotations

import json
from typing import Any

from bot.domain.actions import CASE_BUTTONS, ActionId, button_label
from bot.domain.case_view import CATEGORY_LABELS, CaseView, HistoryLine
from bot.domain.forms import FORMS, N_, FormSpec
from bot.domain.models import CaseState
from bot.domain.notices import Notice, action_summary, render_notice
from bot.domain.policy import Policy
from bot.i18n import Translator
from bot.slack.escape import quote_block, slack_escape, trimmed

Block = dict[str, Any]
FORM_CALLBACK = "case_form"
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
        if kind == "person":
            person = policy.person(value)
            if person is None:
                return slack_escape(value)
            return f"<@{person.slack_id}>" if person.slack_id else slack_escape(person.name)
        if kind == "slack" and value.isalnum():
            return f"<@{value}>"
        return slack_escape(value)
    return fmt


def category_list(t: Translator, categories: tuple[str, ...]) -> str:
    """The categories as the user reads them."""
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
    if view.removed:
        blocks.append({"type": "context", "elements": [_mrkdwn(
            t.gettext("The author removed the text on the platform; our copy is kept."))]})
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
    if view.is_open:
        blocks.append({"type": "actions", "block_id": f"case:{view.case_id}", "elements": [
            {"type": "button", "action_id": action.value, "value": str(view.case_id),
             "text": _plain(button_label(action), 75),
             **({"style": "primary"} if action == ActionId.FOLLOW_UP else {})}
            for action in CASE_BUTTONS]})
    return card_fallback(view, t), blocks


def _status_blocks(view: CaseView, t: Translator, policy: Policy) -> list[Block]:
    lines = [_history_line(line, t, policy) for line in view.history[-5:]]
    status = ("\n".join(lines) if lines else t.gettext("Nobody has acted yet."))
    missing = ", ".join(t.gettext(m) for m in view.missing)
    elements = [_mrkdwn(trimmed(status, 2900, "…"))]
    if missing:
        elements.append(_mrkdwn(t.gettext("Still missing: {what}").format(what=missing)))
    if view.responsible and view.is_open:
        who = person_formatter(policy)(view.responsible.id, "person")
        elements.append(_mrkdwn(t.gettext("Responsible: {who}").format(who=who), verbatim=False))
    return [{"type": "context", "elements": elements}]


def notice_text(notice: Notice, t: Translator, policy: Policy) -> str:
    """A thread line or direct message about a case, with mentions of our own people only."""
    return render_notice(notice, t, person_formatter(policy), slack_escape)


def _input(field_id: str, label: str, element: Block, *, optional: bool,
           hint: str | None) -> Block:
    block: Block = {"type": "input", "block_id": field_id, "optional": optional,
                    "label": _plain(label, 2000), "element": element}
    if hint:
        block["hint"] = _plain(hint, 2000)
    return block


def form_modal(spec: FormSpec, case_id: int, t: Translator, view: CaseView | None = None) -> Block:
    """The modal a button opens: the routine's guidance and the inputs it records."""
    blocks: list[Block] = []
    if view is not None:
        blocks.append({"type": "context", "elements": [_mrkdwn(
            t.gettext("Case {case}: {categories}").format(
                case=case_id, categories=category_list(t, view.categories)))]})
    blocks += [{"type": "section", "text": _mrkdwn(t.gettext(g))} for g in spec.guidance]
    for item in spec.fields:
        element: Block
        if item.kind == "choice":
            element = {"type": "radio_buttons", "action_id": item.id, "options": [
                {"text": _plain(t.gettext(label), 75), "value": value}
                for value, label in item.options]}
        else:
            element = {"type": "plain_text_input", "action_id": item.id,
                       "multiline": item.kind == "multiline", "max_length": 2000}
        blocks.append(_input(item.id, t.gettext(item.label), element,
                             optional=not item.required,
                             hint=t.gettext(item.hint) if item.hint else None))
    return {
        "type": "modal", "callback_id": FORM_CALLBACK,
        "private_metadata": json.dumps({"case_id": case_id, "action": spec.action.value}),
        "title": _plain(trimmed(button_label(spec.action), 24, "…")),
        "submit": _plain(t.gettext("Record"), 24), "close": _plain(t.gettext("Cancel"), 24),
        "blocks": blocks,
    }


def modal_for(action: ActionId, case_id: int, t: Translator, view: CaseView | None = None) -> Block:
    """The form modal for a button."""
    return form_modal(FORMS[action], case_id, t, view)


def submitted_values(state_values: dict[str, Any]) -> dict[str, str | None]:
    """Read a modal's values into {field id: text}."""
    values: dict[str, str | None] = {}
    for block_id, actions in state_values.items():
        for element in actions.values():
            if element.get("type") == "radio_buttons":
                selected = element.get("selected_option") or {}
                values[block_id] = selected.get("value")
            else:
                values[block_id] = element.get("value")
    return values
