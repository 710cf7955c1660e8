"""Pure builders for modals: a button's form, the case history; and reading submitted values."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from bot.domain.actions import ActionId, button_label
from bot.domain.case_view import CaseView
from bot.domain.forms import FormField, FormSpec
from bot.i18n import Translator
from bot.slack.blocks import Block, category_list
from bot.slack.escape import slack_escape, trimmed

FORM_CALLBACK = "case_form"
FIELD_PREFIX = "form."
MAX_MODAL_BLOCKS = 100


def _plain(text: str, limit: int = 3000) -> Block:
    return {"type": "plain_text", "text": trimmed(text, limit, "…"), "emoji": True}


def _mrkdwn(text: str) -> Block:
    return {"type": "mrkdwn", "text": trimmed(text, 3000, "…"), "verbatim": True}


def _option(value: str, label: str) -> Block:
    return {"text": _plain(label, 75), "value": value}


def _element(item: FormField) -> Block:
    action_id = FIELD_PREFIX + item.id
    options = [_option(v, label) for v, label in item.options]
    initial = next((o for o in options if o["value"] == item.initial), None)
    element: Block
    if item.kind == "choice":
        element = {"type": "radio_buttons", "action_id": action_id, "options": options}
    elif item.kind == "select":
        element = {"type": "static_select", "action_id": action_id, "options": options[:100]}
    elif item.kind == "user":
        user: Block = {"type": "users_select", "action_id": action_id}
        if item.initial:
            user["initial_user"] = item.initial
        return user
    elif item.kind == "multiselect":
        element = {"type": "multi_static_select", "action_id": action_id, "options": options}
        return element
    elif item.kind == "datetime":
        return {"type": "datetimepicker", "action_id": action_id}
    else:
        element = {"type": "plain_text_input", "action_id": action_id,
                   "multiline": item.kind == "multiline", "max_length": min(item.max_length, 3000)}
        if item.initial:
            element["initial_value"] = item.initial[:3000]
        return element
    if initial is not None:
        element["initial_option"] = initial
    return element


def _block_id(item: FormField) -> str:
    # A prefilled text gets its own block id so that a rebuilt form shows the new text
    # (Slack keeps what was typed into a block whose id is unchanged).
    if item.kind in ("text", "multiline", "period") and item.initial:
        return f"{item.id}:{hashlib.sha256(item.initial.encode()).hexdigest()[:8]}"
    return item.id


def form_modal(spec: FormSpec, case_id: int, t: Translator, view: CaseView | None = None, *,
               callback: str = FORM_CALLBACK) -> Block:
    """The modal a button opens: the routine's guidance and the inputs it records."""
    blocks: list[Block] = []
    if view is not None:
        blocks.append({"type": "context", "elements": [_mrkdwn(
            t.gettext("Case {case}: {categories}").format(
                case=case_id, categories=category_list(t, view.categories)))]})
    blocks += [{"type": "section", "text": _mrkdwn(slack_escape(g))} for g in spec.guidance]
    for item in spec.fields:
        block: Block = {"type": "input", "block_id": _block_id(item),
                        "optional": not item.required, "label": _plain(item.label, 2000),
                        "element": _element(item)}
        if item.dispatch:
            block["dispatch_action"] = True
        if item.hint:
            block["hint"] = _plain(item.hint, 2000)
        blocks.append(block)
    return {
        "type": "modal", "callback_id": callback,
        "private_metadata": json.dumps({"case_id": case_id, "action": spec.action.value}),
        "title": _plain(trimmed(spec.title, 24, "…"), 24),
        "submit": _plain(t.gettext("Record"), 24), "close": _plain(t.gettext("Cancel"), 24),
        "blocks": blocks,
    }


def history_modal(case_id: int, lines: list[str], t: Translator) -> Block:
    """The case's whole timeline in a modal (the newest last), within Slack's block limit."""
    blocks: list[Block] = [{"type": "header", "text": _plain(
        t.gettext("Case {case}").format(case=case_id), 150)}]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2800:
            blocks.append({"type": "section", "text": _mrkdwn("\n".join(chunk))})
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append({"type": "section", "text": _mrkdwn("\n".join(chunk))})
    if len(blocks) > MAX_MODAL_BLOCKS:
        blocks = [blocks[0], {"type": "context", "elements": [_mrkdwn(
            t.gettext("Only the latest entries are shown."))]}, *blocks[-(MAX_MODAL_BLOCKS - 2):]]
    return {"type": "modal", "title": _plain(button_label(ActionId.HISTORY), 24),
            "close": _plain(t.gettext("Close"), 24), "blocks": blocks}


def field_errors(view: dict[str, Any], errors: dict[str, str]) -> dict[str, str]:
    """Errors keyed by the block ids the submitted modal used (some carry a suffix)."""
    block_ids = {b["block_id"].split(":", 1)[0]: b["block_id"]
                 for b in view.get("blocks", []) if b.get("block_id")}
    return {block_ids.get(field, field): message for field, message in errors.items()}


def submitted_values(state_values: dict[str, Any]) -> dict[str, str | None]:
    """Read a modal's values into {field id: text}."""
    values: dict[str, str | None] = {}
    for block_id, actions in state_values.items():
        field_id = block_id.split(":", 1)[0]
        for element in actions.values():
            kind = element.get("type")
            if kind in ("radio_buttons", "static_select"):
                values[field_id] = (element.get("selected_option") or {}).get("value")
            elif kind == "multi_static_select":
                values[field_id] = ",".join(
                    o.get("value", "") for o in element.get("selected_options") or [])
            elif kind == "users_select":
                values[field_id] = element.get("selected_user")
            elif kind == "datetimepicker":
                stamp = element.get("selected_date_time")
                values[field_id] = _local_iso(stamp) if stamp else None
            else:
                values[field_id] = element.get("value")
    return values


def _local_iso(epoch: int | str) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(int(epoch), UTC).isoformat()
