"""A resident writes; Meta signs and sends; SoMe-vakten stores, answers 200, and posts the card."""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx
from sqlmodel import Session, func, select

from bot.domain.models import Case, Item, OutboxMessage, WebhookDelivery
from tests.conftest import META_SECRET, VERIFY_TOKEN, Server
from tests.helpers import IG_ID, PAGE_ID, fb_comment, post_meta
from tests.standins.signing import meta_body

CRISIS = "Jag orkar inte leva längre, ikväll gör jag slut på allt."


def count(server: Server, model: type) -> int:
    with Session(server.runtime.engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_handshake_echoes_the_challenge_only_with_the_right_token(server: Server) -> None:
    ok = httpx.get(f"{server.url}/webhooks/meta", params={
        "hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": VERIFY_TOKEN})
    assert ok.status_code == 200 and ok.text == "1158201444"
    underscored = httpx.get(f"{server.url}/webhooks/meta", params={
        "hub_mode": "subscribe", "hub_challenge": "42", "hub_verify_token": VERIFY_TOKEN})
    assert underscored.text == "42"
    wrong = httpx.get(f"{server.url}/webhooks/meta", params={
        "hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": "nope"})
    assert wrong.status_code == 403


def test_handshake_is_refused_when_no_verify_token_is_configured(start_server) -> None:
    server = start_server(meta_verify_token=None)
    response = httpx.get(f"{server.url}/webhooks/meta", params={
        "hub.mode": "subscribe", "hub.challenge": "1", "hub.verify_token": ""})
    assert response.status_code == 403


def test_a_risky_swedish_comment_becomes_one_card_in_the_channel(server: Server) -> None:
    response = post_meta(server.url, fb_comment(CRISIS))
    assert response.status_code == 200
    assert count(server, Item) == 1 and count(server, Case) == 1

    card = server.slack.wait_for("chat.postMessage")[0].body
    assert card["channel"] == "C1"
    labels = [e["text"]["text"] for b in card["blocks"]
              if b["type"] == "actions" and b["block_id"].startswith("case:")
              for e in b["elements"]]
    assert labels == ["Hänvisa", "Polisanmälan", "Anmälan socialtjänst", "Följ upp"]
    rendered = json.dumps(card["blocks"], ensure_ascii=False)
    assert "orkar inte leva" in rendered and "Jane Doe" in rendered
    assert "kris" in rendered and "AKUT" in rendered
    assert "https://www.facebook.com/222_333" in rendered
    assert "18 november 2025 kl. 10:00" in rendered  # Swedish time, Europe/Stockholm
    assert card["unfurl_links"] in (False, "false", "0", 0)
    assert CRISIS not in card["text"]  # the notification text carries no citizen text


def test_swedish_body_is_verified_over_the_escaped_bytes_meta_sends(server: Server) -> None:
    body = meta_body(fb_comment("Min granne slår sina barn, jag är rädd för vad som händer."))
    assert b"\\u00e5" in body or b"\\u00e4" in body
    assert post_meta(server.url, None, body=body).status_code == 200
    raw_utf8 = json.dumps(fb_comment("Hjälp, grannens barn får stryk", "9_9"),
                          ensure_ascii=False).encode()
    assert post_meta(server.url, None, body=raw_utf8).status_code == 200
    # A signature computed over the unescaped text does not match the escaped body.
    unescaped_signature = "sha256=" + hmac.new(META_SECRET.encode(), raw_utf8,
                                               hashlib.sha256).hexdigest()
    escaped = meta_body(fb_comment("Hjälp, grannens barn får stryk", "9_9"))
    rejected = post_meta(server.url, None, body=escaped, headers={
        "content-type": "application/json", "x-hub-signature-256": unescaped_signature})
    assert rejected.status_code == 403
    assert count(server, Item) == 2


def test_missing_or_wrong_signatures_store_nothing(server: Server) -> None:
    body = meta_body(fb_comment(CRISIS))
    missing = post_meta(server.url, None, body=body, headers={"content-type": "application/json"})
    assert missing.status_code == 401
    wrong = post_meta(server.url, fb_comment(CRISIS), secret="not-the-secret")
    assert wrong.status_code == 403
    sha1 = post_meta(server.url, None, body=body, headers={"x-hub-signature": "sha1=abc"})
    assert sha1.status_code == 401
    assert count(server, WebhookDelivery) == 0 and count(server, Item) == 0


def test_broken_json_is_refused_with_400_but_the_signed_body_is_kept(server: Server) -> None:
    response = post_meta(server.url, None, body=b'{"object": "page", "entry": [')
    assert response.status_code == 400
    assert count(server, Item) == 0
    with Session(server.runtime.engine) as session:
        kept = session.exec(select(WebhookDelivery)).one()
    assert kept.error == "invalid JSON" and kept.body.startswith('{"object"')
    not_envelope = post_meta(server.url, {"hello": "world"})
    assert not_envelope.status_code == 400


def test_a_body_over_one_megabyte_is_refused_with_413(server: Server) -> None:
    payload = fb_comment("x" * 1_100_000)
    response = post_meta(server.url, payload)
    assert response.status_code == 413
    assert count(server, WebhookDelivery) == 0


def test_meta_retries_produce_no_second_case(server: Server) -> None:
    payload = fb_comment(CRISIS)
    for _ in range(3):
        assert post_meta(server.url, payload).status_code == 200
    assert count(server, Item) == 1 and count(server, Case) == 1
    server.slack.wait_for("chat.postMessage")
    assert count(server, WebhookDelivery) == 3  # every delivery is kept as received


def test_own_comments_echoes_and_reactions_are_ignored(server: Server) -> None:
    own = fb_comment(CRISIS, "1_1", author_id=PAGE_ID)
    echo = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "messaging": [{
        "sender": {"id": PAGE_ID}, "recipient": {"id": "555"}, "timestamp": 1_763_456_400_000,
        "message": {"mid": "m_echo", "text": CRISIS, "is_echo": True}}]}]}
    reaction = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "changes": [{
        "field": "feed", "value": {"item": "reaction", "verb": "add", "post_id": "1_2",
                                   "from": {"id": "77"}, "reaction_type": "like"}}]}]}
    for payload in (own, echo, reaction):
        assert post_meta(server.url, payload).status_code == 200
    assert count(server, Item) == 0


def test_instagram_nested_flat_and_direct_messages_all_arrive(server: Server) -> None:
    nested = {"object": "instagram", "entry": [{"id": IG_ID, "time": 1_763_456_400, "changes": [{
        "field": "comments", "value": {"from": {"id": "5", "username": "anna_b"}, "id": "c1",
                                       "text": CRISIS, "media": {"id": "m1"}}}]}]}
    flat = {"object": "instagram", "entry": [{"id": IG_ID, "time": 1_763_456_400,
                                              "field": "comments", "value": {
        "from": {"id": "6", "username": "bo"}, "id": "c2", "text": "Fin bild!",
        "media": {"id": "m1"}}}]}
    dm = {"object": "instagram", "entry": [{"id": IG_ID, "time": 1, "messaging": [{
        "sender": {"id": "7"}, "recipient": {"id": IG_ID}, "timestamp": 1_763_456_400_000,
        "message": {"mid": "aWdf1", "text": "Min granne slår sina barn varje kväll"}}]}]}
    messenger = {"object": "page", "entry": [{"id": PAGE_ID, "time": 1, "messaging": [{
        "sender": {"id": "8"}, "recipient": {"id": PAGE_ID}, "timestamp": 1_763_456_400_000,
        "message": {"mid": "m_1", "text": "Hej, vilka tider har återvinningscentralen?"}}]}]}
    for payload in (nested, flat, dm, messenger):
        assert post_meta(server.url, payload).status_code == 200
    with Session(server.runtime.engine) as session:
        items = {i.external_id: i for i in session.exec(select(Item)).all()}
    assert set(items) == {"c1", "c2", "aWdf1", "m_1"}
    assert items["c1"].platform == "instagram" and items["c1"].author_name == "anna_b"
    assert items["aWdf1"].kind == "dm" and items["m_1"].platform == "facebook"
    assert count(server, Case) == 2
    server.slack.wait_for("chat.postMessage", count=2)


def test_an_edit_keeps_the_earlier_text_and_a_removal_keeps_our_copy(server: Server) -> None:
    post_meta(server.url, fb_comment("Varför är biblioteket stängt idag?"))
    assert count(server, Case) == 0
    edited = fb_comment(CRISIS, verb="edited", edited_time=1_763_456_500)
    assert post_meta(server.url, edited).status_code == 200
    assert count(server, Case) == 1  # the edit made it risky
    server.slack.wait_for("chat.postMessage")
    removed = fb_comment("", verb="remove")
    assert post_meta(server.url, removed).status_code == 200
    with Session(server.runtime.engine) as session:
        item = session.exec(select(Item)).one()
    assert item.text == CRISIS and item.removed_at is not None
    server.slack.wait_for("chat.update")


def test_the_answer_is_given_before_and_independently_of_the_chat_post(server: Server) -> None:
    server.slack.set_delay(2.0)
    response = post_meta(server.url, fb_comment(CRISIS))
    assert response.status_code == 200
    with Session(server.runtime.engine) as session:
        pending = session.exec(select(OutboxMessage)).all()
    assert len(pending) == 1  # committed before the 200; the card goes out afterwards
    server.slack.set_delay(0)
    server.slack.wait_for("chat.postMessage", timeout=10)
