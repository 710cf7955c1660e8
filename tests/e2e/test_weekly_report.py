"""Every Monday morning the managers get last week's picture: a short Swedish text and a chart."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler

from scheduler.jobs import build_scheduler, run_weekly_report
from tests.conftest import FakeClock
from tests.helpers import fb_comment, post_meta

SE = ZoneInfo("Europe/Stockholm")


def test_the_weekly_report_is_posted_once_with_its_chart(start_server) -> None:
    clock = FakeClock(datetime(2026, 11, 18, 10, 0, tzinfo=SE))  # Wednesday, week 47
    server = start_server(clock=clock)
    post_meta(server.url, fb_comment("Jag orkar inte leva längre, ikväll gör jag slut på allt"))
    post_meta(server.url, fb_comment("Fin bild!", "c_2"))
    server.slack.wait_for("chat.postMessage")
    clock.now = datetime(2026, 11, 23, 8, 0, tzinfo=SE)  # Monday morning, week 48
    assert run_weekly_report(server.runtime) is True
    assert run_weekly_report(server.runtime) is False  # a second clock queues nothing
    upload = server.slack.wait_for("files.completeUploadExternal")[0].body
    assert upload["channel_id"] == "C1"
    text = upload["initial_comment"]
    assert "Veckorapport v. 47" in text and "Inkomna: 2 · Riskfyllda: 1" in text
    data = server.slack.wait_for("file_upload")[0].body["data"]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_clock_schedules_the_report_on_the_policys_day(start_server) -> None:
    server = start_server(background=False)
    scheduler = build_scheduler(server.runtime, blocking=False)
    assert isinstance(scheduler, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) >= {"sweep", "weekly-report"}
        fields = {f.name: str(f) for f in jobs["weekly-report"].trigger.fields}
        assert fields["day_of_week"] == "mon" and fields["hour"] == "8"
    finally:
        scheduler.shutdown(wait=False)
