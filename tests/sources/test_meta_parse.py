"""Every payload shape Meta sends becomes the right item, or is ignored for a reason."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.sources.meta_parse import EDIT, HIDE, NEW, REMOVE, PayloadError, parse_envelope
from bot.sources.meta_signature import verify_challenge_token, verify_meta_signature
from tests.helpers import IG_ID, PAGE_ID, fb_comment
from tests.standins.signing import meta_body, meta_signature


def test_facebook_comment() -> None:
    [item] = parse_envelope(fb_comment("Hej då", created=1_520_383_571))
    assert (item.platform, item.account_external_id, item.external_id, item.verb, item.kind) == (
        "facebook", PAGE_ID, "222_333", NEW, "comment")
    assert item.author_name == "Jane Doe" and item.text == "Hej då"
    assert item.created_at == datetime.fromtimestamp(1_520_383_571, UTC)


def test_reply_edit_remove_hide_and_legacy_sender_fields() -> None:
    [reply] = parse_envelope(fb_comment("svar", "9_9", parent_id="222_333"))
    assert reply.kind == "reply"
    assert parse_envelope(fb_comment("ny", verb="edited", edited_time=5))[0].verb == EDIT
    assert parse_envelope(fb_comment("", verb="remove"))[0].verb == REMOVE
    assert parse_envelope(fb_comment("", verb="hide", is_hidden=True))[0].verb == HIDE
    legacy = fb_comment("x")
    value = legacy["entry"][0]["changes"][0]["value"]
    del value["from"]
    value.update(sender_id="42", sender_name="Bo")
    assert parse_envelope(legacy)[0].author_name == "Bo"


def test_the_pages_own_comments_and_echoes_are_dropped() -> None:
    assert parse_envelope(fb_comment("vårt svar", author_id=PAGE_ID)) == []
    echo = {"object": "page", "entry": [{"id": PAGE_ID, "messaging": [
        {"sender": {"id": PAGE_ID}, "recipient": {"id": "1"}, "timestamp": 1,
         "message": {"mid": "m", "text": "x", "is_echo": True}}]}]}
    assert parse_envelope(echo) == []


def test_instagram_both_forms_dm_unsend_and_edit() -> None:
    value = {"from": {"id": "5", "username": "anna_b"}, "comment_id": "c1", "text": "hej",
             "media": {"id": "m1"}}
    nested = {"object": "instagram", "entry": [{"id": IG_ID, "time": 10, "changes": [
        {"field": "comments", "value": value}]}]}
    flat = {"object": "instagram", "entry": [{"id": IG_ID, "time": 10, "field": "comments",
                                              "value": value}]}
    assert parse_envelope(nested) == parse_envelope(flat)
    assert parse_envelope(flat)[0].container_id == "m1"
    dm = {"object": "instagram", "entry": [{"id": IG_ID, "messaging": [
        {"sender": {"id": "7"}, "recipient": {"id": IG_ID}, "timestamp": 1_785_312_190_662,
         "message": {"mid": "aW", "text": "hjälp"}},
        {"sender": {"id": "7"}, "recipient": {"id": IG_ID}, "timestamp": 2,
         "message": {"mid": "aW", "is_deleted": True}},
        {"sender": {"id": "7"}, "recipient": {"id": IG_ID}, "timestamp": 3,
         "message_edit": {"mid": "aW", "text": "hjälp mig", "num_edit": 1}},
        {"sender": {"id": "7"}, "recipient": {"id": IG_ID}, "timestamp": 4,
         "read": {"mid": "aW"}}]}]}
    verbs = [(i.verb, i.text) for i in parse_envelope(dm)]
    assert verbs == [(NEW, "hjälp"), (REMOVE, ""), (EDIT, "hjälp mig")]


def test_one_odd_entry_does_not_lose_the_others() -> None:
    payload = fb_comment("bra")
    payload["entry"].insert(0, {"id": PAGE_ID, "changes": [{"field": "feed", "value": "oops"}]})
    payload["entry"].insert(0, "not an entry")
    assert [i.text for i in parse_envelope(payload)] == ["bra"]


@pytest.mark.parametrize("payload", [[], {"entry": "x"}, {"object": "user", "entry": []}])
def test_not_an_envelope(payload: object) -> None:
    with pytest.raises(PayloadError):
        parse_envelope(payload)


def test_signature_and_challenge_checks() -> None:
    body = meta_body(fb_comment("åäö"))
    assert verify_meta_signature(body, meta_signature("s", body), b"s")
    assert verify_meta_signature(body, meta_signature("s", body).upper().replace("SHA", "sha"),
                                 b"s")
    assert not verify_meta_signature(body, meta_signature("t", body), b"s")
    assert not verify_meta_signature(body, None, b"s")
    assert not verify_meta_signature(body, meta_signature("", body), b"")
    assert verify_challenge_token("abc", "abc")
    assert not verify_challenge_token("", "")
