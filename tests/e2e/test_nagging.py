"""Until the follow-up is confirmed: reminders in the thread, then the responsible person,
then the manager. The clock is injected; nothing sleeps on real minutes."""

from __future__ import annotations

import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.domain.models import Case
from bot.domain.nagging import sweep_due_nags
from bot.risk.types import Assessment, Category
from scheduler.jobs import run_sweep
from tests.conftest import FakeClock, Server
from tests.helpers import (
    choose,
    events,
    fb_comment,
    only_case,
    post_meta,
    post_slack,
    radio,
    submit,
    wait_until,
)
from tests.standins.signing import slack_block_action


def individual_case(_text: str) -> Assessment:
    return Assessment(categories=(Category.INDIVIDUAL_CASE,), acute=False, ruleset_version="t")


def acute_crisis(_text: str) -> Assessment:
    return Assessment(categories=(Category.CRISIS,), acute=True, ruleset_version="t")


def reminders(server: Server) -> list[dict]:
    return [
        c.body
        for c in server.slack.calls("chat.postMessage")
        if c.body.get("thread_ts")
        and c.body.get("reply_broadcast") in (True, "true", "1", 1)
        and not c.failed
    ]


def direct_messages(server: Server) -> list[dict]:
    return [
        c.body
        for c in server.slack.calls("chat.postMessage")
        if str(c.body.get("channel", "")).startswith("D") and not c.failed
    ]


def sweep_and_deliver(server: Server) -> None:
    run_sweep(server.runtime)
    while server.runtime.worker.run_once():
        pass


def test_the_nag_ladder_then_silence_after_follow_up(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende om bistånd har legat i tre veckor"))
    sweep_and_deliver(server)
    case = only_case(server.runtime.engine)
    assert len(server.slack.calls("chat.postMessage")) == 1  # only the card

    clock.advance(minutes=29)
    sweep_and_deliver(server)
    assert reminders(server) == []

    clock.advance(minutes=1)  # 30 min: first reminder, in the thread and in the channel
    sweep_and_deliver(server)
    first = reminders(server)
    assert len(first) == 1
    assert "<@U1>" in first[0]["text"] and "Följ upp" in first[0]["text"]

    clock.advance(minutes=30)
    sweep_and_deliver(server)
    assert len(reminders(server)) == 2 and direct_messages(server) == []

    clock.advance(minutes=60)  # 2 h: the responsible person (Anna, U1) directly
    sweep_and_deliver(server)
    assert server.slack.calls("conversations.open")[0].body["users"] in ("U1", ["U1"])
    assert len(direct_messages(server)) == 1
    assert "archives" in direct_messages(server)[0]["text"]  # a link to the card

    clock.advance(minutes=120)  # 4 h: the manager (Maria, U3)
    sweep_and_deliver(server)
    assert server.slack.calls("conversations.open")[-1].body["users"] in ("U3", ["U3"])
    assert len(direct_messages(server)) == 2
    assert [e.details["level"] for e in events(server.runtime.engine, case.id, "escalated")] == [
        1,
        2,
    ]

    submit(
        server.url,
        "follow_up",
        case.id,
        {"outcome": radio("confirmed"), "confirmed_by": radio("authority")},
    )
    wait_until(lambda: only_case(server.runtime.engine).closed_at is not None)
    sweep_and_deliver(server)
    server.slack.wait_for("chat.update")
    before = len(reminders(server))
    clock.advance(hours=8)
    sweep_and_deliver(server)
    assert len(reminders(server)) == before


def test_acute_cases_nag_sooner(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, background=False, assessor=acute_crisis)
    post_meta(server.url, fb_comment("..."))
    clock.advance(minutes=5)
    sweep_and_deliver(server)
    assert len(reminders(server)) == 1


def test_an_action_pushes_the_next_reminder_forward(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    # The clock is frozen, so a thread line queued before its card would wait for ever.
    server.slack.wait_for("chat.postMessage")
    case = only_case(server.runtime.engine)
    clock.advance(minutes=25)
    submit(
        server.url,
        "refer",
        case.id,
        {
            "contact": choose("kontaktcenter"),
            "reply_kind": radio("refer"),
            "delivery": radio("none"),
        },
    )
    server.slack.wait_for("chat.update")
    clock.advance(minutes=10)  # 35 min after opening, 10 after the referral
    assert run_sweep(server.runtime) == 0
    clock.advance(minutes=20)
    assert run_sweep(server.runtime) == 1


def test_two_clocks_by_mistake_send_each_reminder_once(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, background=False, assessor=individual_case)
    for n in range(5):
        post_meta(server.url, fb_comment(f"Mitt ärende {n}", f"c_{n}"))
    clock.advance(minutes=31)
    counts: list[int] = []

    def clock_process() -> None:
        with Session(server.runtime.engine) as session:
            counts.append(sweep_due_nags(session, now=clock(), policy=server.runtime.policy))

    threads = [threading.Thread(target=clock_process) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(counts) == 5
    with Session(server.runtime.engine) as session:
        for n in range(1, 6):
            stored = session.get(Case, n)
            assert stored is not None and stored.nag_count == 1


def test_a_restarted_clock_loses_nothing_and_repeats_nothing(start_server) -> None:
    clock = FakeClock()
    first = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(first.url, fb_comment("Mitt ärende"))
    clock.advance(minutes=30)
    assert run_sweep(first.runtime) == 1
    second = start_server(clock=clock, background=False, assessor=individual_case)  # a restart
    assert run_sweep(second.runtime) == 0  # same moment: already sent
    clock.advance(minutes=30)
    assert run_sweep(second.runtime) == 1
    sweep_and_deliver(second)
    assert len(reminders(second)) == 2


SE = ZoneInfo("Europe/Stockholm")


def test_normal_cases_pause_over_the_weekend(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 20, 16, 15, tzinfo=SE))  # Friday, 15 min before closing
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    clock.now = datetime(2026, 11, 21, 12, 0, tzinfo=SE)  # Saturday
    assert run_sweep(server.runtime) == 0
    clock.now = datetime(2026, 11, 23, 8, 14, tzinfo=SE)  # Monday morning
    assert run_sweep(server.runtime) == 0
    clock.now = datetime(2026, 11, 23, 8, 15, tzinfo=SE)  # 30 minutes of office time
    assert run_sweep(server.runtime) == 1


def test_normal_cases_pause_over_midsommar_but_acute_ones_never(start_server) -> None:
    clock = FakeClock(datetime(2026, 6, 18, 16, 20, tzinfo=SE))  # the Thursday before midsommar
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    clock.now = datetime(2026, 6, 19, 12, 0, tzinfo=SE)  # midsommarafton: closed
    assert run_sweep(server.runtime) == 0
    clock.now = datetime(2026, 6, 22, 8, 20, tzinfo=SE)  # Monday: 10 + 20 minutes
    assert run_sweep(server.runtime) == 1

    acute = start_server(clock=clock, background=False, assessor=acute_crisis)
    clock.now = datetime(2026, 6, 19, 23, 0, tzinfo=SE)  # midsommarafton, late evening
    post_meta(acute.url, fb_comment("...", "acute_1"))
    clock.now = datetime(2026, 6, 19, 23, 5, tzinfo=SE)
    assert run_sweep(acute.runtime) == 1


def test_escalation_counts_office_time_only(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 20, 15, 30, tzinfo=SE))  # Friday afternoon
    server = start_server(clock=clock, background=False, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    clock.now = datetime(2026, 11, 20, 16, 0, tzinfo=SE)
    sweep_and_deliver(server)
    assert len(reminders(server)) == 1 and direct_messages(server) == []
    clock.now = datetime(2026, 11, 23, 8, 30, tzinfo=SE)  # 1.5 h of office time: no DM yet
    sweep_and_deliver(server)
    assert direct_messages(server) == []
    clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=SE)  # 2 h of office time: the DM
    sweep_and_deliver(server)
    assert len(direct_messages(server)) == 1


def test_jag_tittar_pa_det_pushes_the_next_reminder_back(start_server) -> None:
    clock = FakeClock()
    server = start_server(clock=clock, assessor=individual_case)
    post_meta(server.url, fb_comment("Mitt ärende"))
    # The clock is frozen, so a thread line queued before its card would wait for ever.
    server.slack.wait_for("chat.postMessage")
    case = only_case(server.runtime.engine)
    clock.advance(minutes=30)
    run_sweep(server.runtime)
    reminder = server.slack.wait_for(
        "chat.postMessage",
        predicate=lambda c: bool(c.body.get("reply_broadcast") in (True, "true", "1", 1)),
    )[0].body
    buttons = [
        e["text"]["text"]
        for b in reminder["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert buttons == ["Jag tittar på det", "Följ upp"]
    clock.advance(minutes=10)
    post_slack(server.url, slack_block_action(action_id="looking", value=str(case.id), user="U2"))
    server.slack.wait_for(
        "chat.postMessage", predicate=lambda c: "tittar på" in str(c.body.get("text"))
    )
    wait_until(lambda: only_case(server.runtime.engine).last_action == "looking")
    clock.advance(minutes=29)  # 39 min after the reminder, 29 after "tittar på det"
    assert run_sweep(server.runtime) == 0
    clock.advance(minutes=1)
    assert run_sweep(server.runtime) == 1
