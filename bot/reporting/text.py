"""The weekly report as a short text: Slack mrkdwn for the channel, plain for the terminal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from babel.dates import format_date

from bot.domain.case_view import CATEGORY_LABELS
from bot.i18n import STOCKHOLM, Translator
from bot.reporting.stats import CATEGORIES, AccountStats, Durations, Period, Report

SLACK_LIMIT = 3000  # a section block's text limit
NO_DATA = "–"


def period_dates(period: Period, t: Translator) -> str:
    """The period's days, e.g. "16–22 november 2026" (the end is exclusive)."""
    first = period.start.astimezone(STOCKHOLM).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(STOCKHOLM).date()
    full = _date(last, "d MMMM y", t)
    if first == last:
        return full
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{full}"
    pattern = "d MMMM" if first.year == last.year else "d MMMM y"
    return f"{_date(first, pattern, t)} – {full}"


def period_title(period: Period, t: Translator) -> str:
    """The title: "Weekly report, week 47 (16–22 November 2026)", or "Report <dates>" otherwise."""
    local = period.start.astimezone(STOCKHOLM)
    monday = local.date()
    is_week = (
        monday.weekday() == 0
        and local.time() == time()
        and period.end == datetime.combine(monday + timedelta(days=7), time(), tzinfo=STOCKHOLM)
    )
    dates = period_dates(period, t)
    if is_week:
        week = monday.isocalendar().week
        return t.gettext("Weekly report, week {week} ({dates})").format(week=week, dates=dates)
    return t.gettext("Report {dates}").format(dates=dates)


def account_label(stats: AccountStats, t: Translator) -> str:
    """The name an account is shown with; the unknown-account bucket gets a translated one."""
    return stats.name if stats.account_id is not None else t.gettext("Unknown account")


def duration_text(value: timedelta | None, t: Translator) -> str:
    """A duration in words, or "–" when there is none."""
    return NO_DATA if value is None else t.duration(value)


def report_text(report: Report, t: Translator) -> str:
    """The report as Slack mrkdwn, at most 3000 characters."""
    return _render(report, t, bold=lambda s: f"*{_escape(s)}*", escape=_escape, limit=SLACK_LIMIT)


def report_plain(report: Report, t: Translator) -> str:
    """The report as plain text for the terminal (every account, no markup)."""
    return _render(report, t, bold=str, escape=str, limit=None)


def _render(
    report: Report,
    t: Translator,
    *,
    bold: Callable[[str], str],
    escape: Callable[[str], str],
    limit: int | None,
) -> str:
    total = report.total
    head = [
        bold(period_title(report.period, t)),
        bold(t.gettext("{name}, all accounts").format(name=total.name)),
        *_total_lines(total, t),
        "",
        bold(t.gettext("Per account")),
    ]
    text = "\n".join(head)
    active = sorted(
        (a for a in report.accounts if a.items or a.cases),
        key=lambda a: (-a.risky, -a.cases, -a.items),
    )
    idle = [a for a in report.accounts if not (a.items or a.cases)]
    # Each line with how many accounts it covers, so a cut can say how many are left out.
    lines = [(f"• {_account_line(a, t, bold)}", 1) for a in active]
    if idle:
        names = ", ".join(escape(account_label(a, t)) for a in idle)
        lines.append(("• " + t.gettext("Nothing received: {names}").format(names=names), len(idle)))
    if not lines:
        lines.append((NO_DATA, 0))
    for shown, (line, covered) in enumerate(lines):
        rest = sum(n for _, n in lines[shown:])
        # Room for the "… and N more" line in case the next line will not fit.
        reserve = len(_more(rest - covered, t)) + 1 if shown + 1 < len(lines) else 0
        if limit is not None and len(text) + 1 + len(line) + reserve > limit:
            text += "\n" + _more(rest, t)
            break
        text += "\n" + line
    return text if limit is None else text[:limit]


def _more(count: int, t: Translator) -> str:
    return t.gettext("… and {count} more accounts (all are in the chart)").format(count=count)


def _total_lines(s: AccountStats, t: Translator) -> list[str]:
    # Whole lines as msgids: translators see the context, and Babel cannot extract from f-strings.
    volume = t.gettext("Received: {items} · Risky: {risky}").format(items=s.items, risky=s.risky)
    if categories := _categories(s, t):
        volume += f" ({categories})"
    return [
        volume,
        t.gettext("Cases: {cases} · Acute: {acute} · Open cases: {open}").format(
            cases=s.cases, acute=s.acute, open=s.open_cases
        ),
        t.gettext("Time to first action: {spread}").format(
            spread=_spread(s.time_to_first_action, t)
        ),
        t.gettext("Time to confirmed follow-up: {spread}").format(
            spread=_spread(s.time_to_follow_up, t)
        ),
        t.gettext(
            "Referrals: {referrals} · Police reports: {police} · "
            "Reports to social services: {social}"
        ).format(referrals=s.referrals, police=s.police_reports, social=s.social_services_reports),
        t.gettext(
            "Hidden posts: {hidden} · Removed posts: {removed} · Replies posted: {replies}"
        ).format(hidden=s.hidden, removed=s.removed, replies=s.replies),
    ]


def _account_line(s: AccountStats, t: Translator, bold: Callable[[str], str]) -> str:
    return t.gettext(
        "{name}: received {items}, risky {risky}, cases {cases}, open {open}, "
        "first action {first}, follow-up {follow_up}"
    ).format(
        name=bold(account_label(s, t)),
        items=s.items,
        risky=s.risky,
        cases=s.cases,
        open=s.open_cases,
        first=duration_text(s.time_to_first_action.median, t),
        follow_up=duration_text(s.time_to_follow_up.median, t),
    )


def _categories(s: AccountStats, t: Translator) -> str:
    return ", ".join(
        f"{t.gettext(CATEGORY_LABELS[code])} {s.per_category[code]}"
        for code in CATEGORIES
        if s.per_category.get(code)
    )


def _spread(d: Durations, t: Translator) -> str:
    if d.median is None:
        return NO_DATA
    return t.gettext("median {median}, 90th percentile {p90}").format(
        median=duration_text(d.median, t), p90=duration_text(d.p90, t)
    )


def _date(day: date, pattern: str, t: Translator) -> str:
    return format_date(day, pattern, locale=t.babel_locale)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
