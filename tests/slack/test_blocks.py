"""The card and form builders are pure: domain objects in, Block Kit out, within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.domain.actions import ActionId
from bot.domain.case_view import CaseView, HistoryLine, Reason
from bot.domain.forms import FormContext, form_for
from bot.domain.models import CaseState
from bot.domain.policy import Policy
from bot.i18n import translator
from bot.slack.blocks import case_card
from bot.slack.escape import TRIM_MARK, quote_block, slack_escape
from bot.slack.modals import form_modal, history_modal, submitted_values

T = translator("sv")
AT = datetime(2026, 6, 19, 13, 5, tzinfo=UTC)


def view(text: str = "hej", **changes: object) -> CaseView:
    values: dict[str, object] = dict(
        case_id=7, state=CaseState.NEW, acute=True, categories=("crisis", "crime"),
        reasons=(Reason("crisis", "orkar inte leva"),), advice=("Ring 112 vid fara.",),
        text=text, author="<!here> Eva", account_name="Kommunen", platform="facebook",
        kind="comment", created_at=AT, permalink="https://www.facebook.com/1_2", removed=False,
        history=(), missing=("Follow-up not confirmed",), responsible=None)
    values.update(changes)
    return CaseView(**values)  # type: ignore[arg-type]


def test_the_card_says_what_where_when_why(policy: Policy) -> None:
    fallback, blocks = case_card(view(), T, policy)
    rendered = json.dumps(blocks, ensure_ascii=False)
    assert blocks[0]["text"]["text"] == "🔴 AKUT · Kris, brott"
    assert "19 juni 2026 kl. 15:05" in rendered  # Europe/Stockholm
    assert "»orkar inte leva« → kris" in rendered
    assert "Ring 112 vid fara." in rendered
    assert "&lt;!here&gt; Eva" in rendered and "<!here>" not in rendered
    assert "Saknas: Uppföljning inte bekräftad" in rendered
    assert fallback == "🔴 AKUT · Ärende 7: kris, brott"


def test_buttons_carry_only_the_case_id_and_vanish_when_closed(policy: Policy) -> None:
    _, blocks = case_card(view(), T, policy)
    main, more = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e["value"]) for e in main["elements"]] == [
        ("refer", "7"), ("police_report", "7"), ("social_services_report", "7"),
        ("follow_up", "7")]
    assert [e["text"]["text"] for e in more["elements"]] == [
        "Dölj / ta bort", "Fråga en kollega", "Historik"]  # crime: hide/remove is offered
    _, dm_blocks = case_card(view(kind="dm"), T, policy)
    assert "moderate" not in json.dumps(dm_blocks)  # a direct message cannot be hidden
    done = HistoryLine(ActionId.FOLLOW_UP, "U2", "slack", AT, {"confirmed_by": "person"})
    _, closed = case_card(view(state=CaseState.FOLLOWED_UP, history=(done,), missing=()),
                          T, policy)
    assert [e["action_id"] for b in closed if b["type"] == "actions"
            for e in b["elements"]] == ["show_history"]
    assert closed[0]["text"]["text"].startswith("✅")
    assert "Uppföljning bekräftad av <@U2>, 15:05" in json.dumps(closed, ensure_ascii=False)


def test_long_texts_are_cut_with_a_clear_mark_below_slacks_limits(policy: Policy) -> None:
    _, blocks = case_card(view("ord " * 5000), T, policy)
    for block in blocks:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    assert TRIM_MARK in json.dumps(blocks, ensure_ascii=False)
    assert len(json.dumps(blocks)) < 12_000


def test_escaping_and_quoting() -> None:
    assert slack_escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert quote_block("a\n\nb") == "> a\n>\n> b"
    assert quote_block("&lt; typed") == "> &amp;lt; typed"  # shown exactly as typed
    flood = quote_block("<" * 5000)
    assert len(flood) <= 2800 and TRIM_MARK in flood and "&l\n" not in flood
    assert len(quote_block("a\n" * 3000)) <= 2800


def test_the_police_form_asks_whether_it_is_ongoing_and_requires_a_note() -> None:
    ctx = FormContext(view=view(categories=("crime",)), now=AT)
    modal = form_modal(form_for(ActionId.POLICE_REPORT, ctx, T), 7, T)
    assert modal["title"]["text"] == "Polisanmälan" and len(modal["title"]["text"]) <= 24
    text = json.dumps(modal, ensure_ascii=False)
    assert "112" in text and "114 14" in text and "polisen.se" in text
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["note"]["optional"] is False and inputs["reference"]["optional"] is True
    assert inputs["ongoing"]["dispatch_action"] is True
    assert inputs["ongoing"]["element"]["initial_option"]["value"] == "yes"  # an acute case
    assert "hide_now" in inputs


def test_the_police_guidance_follows_the_answer() -> None:
    base = FormContext(view=view(acute=False), now=AT)
    ongoing = form_for(ActionId.POLICE_REPORT, FormContext(
        view=base.view, now=AT, values={"ongoing": "yes"}), T)
    later = form_for(ActionId.POLICE_REPORT, FormContext(
        view=base.view, now=AT, values={"ongoing": "no"}), T)
    assert ongoing.guidance[0].startswith("Ring 112 nu")
    assert "114 14" in later.guidance[0] and "112" not in later.guidance[0]


def test_submitted_values_of_every_element() -> None:
    state = {
        "ongoing": {"form.ongoing": {"type": "radio_buttons",
                                     "selected_option": {"value": "yes"}}},
        "reason": {"form.reason": {"type": "static_select",
                                   "selected_option": {"value": "threat"}}},
        "colleague": {"form.colleague": {"type": "users_select", "selected_user": "U2"}},
        "remind_at": {"form.remind_at": {"type": "datetimepicker",
                                         "selected_date_time": 1_782_000_000}},
        "reply:abc123": {"form.reply": {"type": "plain_text_input", "value": "x"}},
    }
    values = submitted_values(state)
    assert values["ongoing"] == "yes" and values["reason"] == "threat"
    assert values["colleague"] == "U2" and values["reply"] == "x"
    assert values["remind_at"] is not None and values["remind_at"].startswith("2026-06-")


def test_the_history_modal_stays_within_slacks_limits() -> None:
    modal = history_modal(7, [f"rad {n} " + "x" * 200 for n in range(2000)], T)
    assert len(modal["blocks"]) <= 100
    assert all(len(b["text"]["text"]) <= 3000 for b in modal["blocks"] if b["type"] == "section")
