"""The clock's jobs: one sweep of due nags; the database decides what is due."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_MISSED, JobExecutionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlmodel import Session

from bot.domain.absence import hand_over_due
from bot.domain.duty import check_accounts_attended
from bot.domain.models import SchedulerHeartbeat
from bot.domain.nagging import sweep_due_nags
from bot.domain.status import sweep_status_alerts
from bot.i18n import STOCKHOLM

if TYPE_CHECKING:
    from bot.app import Runtime
    from bot.domain.policy import Policy

logger = logging.getLogger(__name__)
SWEEP_SECONDS = 30


def run_sweep(rt: Runtime) -> int:
    """One sweep: hand over to deputies whose cover has begun, remind due cases, nag about
    away-statuses without a handover, tell managers about unattended accounts; returns how
    many cases were reminded."""
    now = rt.clock()
    policy = rt.policy
    with Session(rt.engine) as session:
        hand_over_due(session, policy=policy, now=now)
        nagged = sweep_due_nags(session, now=now, policy=policy)
        sweep_status_alerts(session, policy=policy, now=now)
        if local_clock(now) >= policy.schedule.daily_check_at:
            check_accounts_attended(session, policy=policy, now=now)
        session.merge(SchedulerHeartbeat(job="sweep", last_run_at=now))
        session.commit()
    if report_day_has_come(now, rt.policy):
        run_weekly_report(rt)  # a clock that was down at the hour still sends it, once
    rt.wake_outbox()
    return nagged


def report_day_has_come(now: datetime, policy: Policy) -> bool:
    """True on the report's weekday from its hour on (Europe/Stockholm)."""
    local = now.astimezone(STOCKHOLM)
    day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[local.weekday()]
    return day == policy.schedule.weekly_report_day and (
        local.strftime("%H:%M") >= policy.schedule.weekly_report_at)


def local_clock(now: datetime) -> str:
    """The municipality's wall-clock time as "HH:MM"."""
    return now.astimezone(STOCKHOLM).strftime("%H:%M")


def run_weekly_report(rt: Runtime) -> bool:
    """Queue last week's report for the managers' channel (once, however many clocks run)."""
    from bot.reporting.delivery import queue_weekly_report
    from bot.reporting.stats import last_week

    now = rt.clock()
    start, end = last_week(now)
    channel = rt.policy.schedule.report_channel or rt.settings.slack_channel
    with Session(rt.engine) as session:
        queued = queue_weekly_report(session, policy=rt.policy, channel=channel, start=start,
                                     end=end, now=now)
        session.commit()
    if queued:
        rt.wake_outbox()
    return queued


def _log_failure(event: JobExecutionEvent) -> None:
    if event.exception is not None:
        logger.error("scheduler: job %s failed: %r", event.job_id, event.exception)
    else:
        logger.warning("scheduler: job %s missed its time", event.job_id)


def build_scheduler(rt: Runtime, *, blocking: bool) -> BaseScheduler:
    """A scheduler with the sweep job (memory job store: jobs are re-added at every start)."""
    cls = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = cls(timezone=ZoneInfo(rt.settings.timezone),
                    job_defaults={"coalesce": True, "max_instances": 1,
                                  "misfire_grace_time": 120})
    schedule = rt.policy.schedule
    scheduler.add_job(run_sweep, "interval", seconds=SWEEP_SECONDS, args=[rt], id="sweep",
                      replace_existing=True)
    hour, minute = schedule.weekly_report_at.split(":")
    scheduler.add_job(run_weekly_report, "cron", day_of_week=schedule.weekly_report_day,
                      hour=int(hour), minute=int(minute), args=[rt], id="weekly-report",
                      replace_existing=True)
    scheduler.add_listener(_log_failure, EVENT_JOB_ERROR | EVENT_JOB_MISSED)
    return scheduler
