"""The weekly report as it is posted: text and chart, queued once per period."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import outbox
from bot.domain.models import SchedulerHeartbeat
from bot.domain.policy import Policy
from bot.i18n import STOCKHOLM, translator
from bot.reporting.chart import render_chart
from bot.reporting.stats import build_report
from bot.reporting.text import report_text


def render_weekly(session: Session, *, policy: Policy, start: datetime,
                  end: datetime) -> tuple[str, bytes, str]:
    """The report's Slack text, its PNG chart and a file name, for one period."""
    t = translator()
    report = build_report(session, policy=policy, start=start, end=end)
    filename = f"veckorapport-{start.astimezone(STOCKHOLM).date().isoformat()}.png"
    return report_text(report, t), render_chart(report, t), filename


def claim_once(session: Session, key: str, now: datetime) -> bool:
    """True the first time a job key is claimed (so two clocks run a dated job once)."""
    try:
        with session.begin_nested():
            session.add(SchedulerHeartbeat(job=key[:40], last_run_at=now))
    except IntegrityError:
        return False
    return True


def queue_weekly_report(session: Session, *, policy: Policy, channel: str | None,
                        start: datetime, end: datetime, now: datetime) -> bool:
    """Queue the report for a period unless it was already queued; True when queued."""
    if not channel or not claim_once(session, f"report:{start.date().isoformat()}", now):
        return False
    outbox.enqueue(session, op=outbox.REPORT, now=now, target=channel,
                   payload={"start": start.isoformat(), "end": end.isoformat()})
    return True
