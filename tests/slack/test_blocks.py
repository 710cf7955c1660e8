"""The card and form builders are pure: domain objects in, Block Kit out, within Slack's limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.domain.actions import ActionId
from bot.domain.case_view import CaseView, HistoryLine, Reason
from bot.domain.models import CaseState
from bot.domain.policy import Policy
from bot.i18n import translator
from bot.slack.blocks import case_card, modal_for, submitted_values
from bot.slack.escape import TRIM_MARK, quote_block, slack_escape

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
    actions = next(b for b in blocks if b["type"] == "actions")
    assert [(e["action_id"], e["value"]) for e in actions["elements"]] == [
        ("refer", "7"), ("police_report", "7"), ("social_services_report", "7"),
        ("follow_up", "7")]
    done = HistoryLine(ActionId.FOLLOW_UP, "U2", "slack", AT, {"confirmed_by": "person"})
    _, closed = case_card(view(state=CaseState.FOLLOWED_UP, history=(done,), missing=()),
                          T, policy)
    assert not any(b["type"] == "actions" for b in closed)
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
    modal = modal_for(ActionId.POLICE_REPORT, 7, T)
    assert modal["title"]["text"] == "Polisanmälan" and len(modal["title"]["text"]) <= 24
    text = json.dumps(modal, ensure_ascii=False)
    assert "112" in text and "114 14" in text and "polisen.se" in text
    inputs = {b["block_id"]: b for b in modal["blocks"] if b["type"] == "input"}
    assert inputs["note"]["optional"] is False and inputs["reference"]["optional"] is True
    state = {"ongoing": {"ongoing": {"type": "radio_buttons",
                                     "selected_option": {"value": "yes"}}},
             "note": {"note": {"type": "plain_text_input", "value": "x"}}}
    assert submitted_values(state) == {"ongoing": "yes", "note": "x"}
