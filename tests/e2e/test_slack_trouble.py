"""Slack rate-limits, fails or is down, or we crash: cards are delayed, never dropped or doubled."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.domain.models import ChatMessageRef, OutboxMessage, OutboxStatus
from tests.conftest import Server
from tests.helpers import fb_comment, post_meta, wait_until

CRISIS = "Jag orkar inte leva längre, ikväll gör jag slut på allt."


def posted_cards(server: Server) -> list:
    return [c for c in server.slack.calls("chat.postMessage")
            if not c.failed and not c.body.get("thread_ts")]


def test_a_429_waits_for_retry_after_and_then_posts_once(server: Server) -> None:
    server.slack.fail_next("chat.postMessage", status=429, retry_after=1)
    post_meta(server.url, fb_comment(CRISIS))
    calls = server.slack.wait_for("chat.postMessage", count=2, timeout=10)
    assert calls[0].status == 429 and calls[1].status == 200
    assert calls[1].at - calls[0].at >= 0.9  # Retry-After honoured
    assert len(posted_cards(server)) == 1


def test_server_errors_are_retried_with_backoff(server: Server) -> None:
    server.slack.fail_next("chat.postMessage", status=500, times=2)
    post_meta(server.url, fb_comment(CRISIS))
    server.slack.wait_for("chat.postMessage", count=3, timeout=15)
    assert len(posted_cards(server)) == 1

    def delivered() -> bool:
        with Session(server.runtime.engine) as session:
            row = session.exec(select(OutboxMessage)).one()
        return row.status == OutboxStatus.DONE and row.attempts == 3

    wait_until(delivered)


def test_a_card_delayed_by_an_outage_arrives_once_when_slack_answers(server: Server) -> None:
    server.slack.set_down(True)
    post_meta(server.url, fb_comment(CRISIS))
    server.slack.wait_for("chat.postMessage", timeout=10)  # tried, failed

    def waiting_with_reason() -> bool:
        with Session(server.runtime.engine) as session:
            row = session.exec(select(OutboxMessage)).one()
        return row.status == OutboxStatus.PENDING and bool(row.last_error)

    wait_until(waiting_with_reason)
    server.slack.set_down(False)
    server.slack.wait_for("chat.postMessage", timeout=20,
                          predicate=lambda c: not c.failed)
    assert len(posted_cards(server)) == 1


def test_a_process_killed_before_posting_posts_after_restart(start_server) -> None:
    crashed = start_server(background=False)  # receives and commits, never gets to post
    assert post_meta(crashed.url, fb_comment(CRISIS)).status_code == 200
    assert crashed.slack.calls("chat.postMessage") == []
    restarted = start_server()
    restarted.slack.wait_for("chat.postMessage", timeout=10)

    def card_recorded() -> bool:
        with Session(restarted.runtime.engine) as session:
            return len(session.exec(select(ChatMessageRef)).all()) == 1

    wait_until(card_recorded)
    assert len(posted_cards(restarted)) == 1


def test_a_card_already_posted_is_updated_not_posted_again(start_server) -> None:
    server = start_server(background=False)
    post_meta(server.url, fb_comment(CRISIS))
    server.runtime.worker.run_once()
    with Session(server.runtime.engine) as session:  # as if the row's completion was lost
        row = session.exec(select(OutboxMessage)).one()
        row.status, row.next_attempt_at = OutboxStatus.PENDING, row.created_at
        session.add(row)
        session.commit()
    server.runtime.worker.run_once()
    assert len(posted_cards(server)) == 1
    assert len(server.slack.calls("chat.update")) == 1
