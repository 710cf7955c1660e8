"""The weekly report as a picture: risky items per category and time to first action, per account.

Drawn with matplotlib's object API on an explicit Agg canvas: no pyplot, so no display, no global
figure registry to leak from, and safe to call from the clock's worker threads.
"""

from __future__ import annotations

import io
from datetime import timedelta

from babel.numbers import format_decimal
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from bot.domain.case_view import CATEGORY_LABELS
from bot.i18n import Translator
from bot.reporting.stats import CATEGORIES, AccountStats, Report
from bot.reporting.text import NO_DATA, account_label, period_title

WIDTH_IN, DPI = 12.0, 100  # 1200 px wide; the height grows with the number of accounts
_MIN_HEIGHT_IN, _MAX_HEIGHT_IN = 7.0, 19.0
_NAME_CHARS = 34
# Colour-blind friendly (Okabe–Ito), one per category in the codes' order.
_COLOURS = ("#0072B2", "#D55E00", "#CC79A7", "#E69F00", "#56B4E9", "#009E73", "#555555")


def render_chart(report: Report, t: Translator) -> bytes:
    """The report's chart as PNG bytes (1200 px wide, 700 px high or more for many accounts)."""
    accounts = list(report.accounts)
    height = min(_MAX_HEIGHT_IN, max(_MIN_HEIGHT_IN, 2.6 + 0.3 * len(accounts)))
    figure = Figure(figsize=(WIDTH_IN, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    figure.suptitle(period_title(report.period, t), fontsize=14, fontweight="bold")
    grid = figure.add_gridspec(1, 2, width_ratios=(3, 1))
    risk = figure.add_subplot(grid[0, 0])
    timing = figure.add_subplot(grid[0, 1], sharey=risk)
    if accounts:
        _risk_panel(risk, accounts, t)
        _timing_panel(timing, accounts, t)
        handles, labels = risk.get_legend_handles_labels()
        figure.legend(handles, labels, loc="outside lower center", ncols=4, frameon=False)
    else:
        for axes in (risk, timing):
            axes.set_axis_off()
        figure.text(0.5, 0.5, t.gettext("No data"), ha="center", va="center", fontsize=14)
    buffer = io.BytesIO()
    # No Software stamp: the same report gives the same bytes across matplotlib upgrades.
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def _risk_panel(axes: Axes, accounts: list[AccountStats], t: Translator) -> None:
    rows = list(range(len(accounts)))
    left = [0] * len(accounts)
    for code, colour in zip(CATEGORIES, _COLOURS, strict=True):
        values = [a.per_category.get(code, 0) for a in accounts]
        axes.barh(
            rows,
            values,
            left=left,
            color=colour,
            height=0.7,
            label=t.gettext(CATEGORY_LABELS[code]),
        )
        left = [before + value for before, value in zip(left, values, strict=True)]
    widest = max(left, default=0)
    for row, (stats, end) in enumerate(zip(accounts, left, strict=True)):
        axes.text(end + max(widest, 1) * 0.01, row, str(stats.risky), va="center", fontsize=9)
    axes.set_xlim(0, max(widest, 1) * 1.08)
    axes.set_yticks(
        rows,
        [_short(account_label(a, t)) for a in accounts],
        fontsize=9 if len(accounts) > 12 else 10,
    )
    axes.invert_yaxis()  # the policy's first account on top
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(t.gettext("Risky items per category"))
    axes.set_xlabel(t.gettext("Items (one item can have several categories)"))
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)


def _timing_panel(axes: Axes, accounts: list[AccountStats], t: Translator) -> None:
    medians = [a.time_to_first_action.median for a in accounts]
    longest = max((m for m in medians if m is not None), default=timedelta(0))
    in_hours = longest >= timedelta(hours=2)
    unit, label = (
        (timedelta(hours=1), t.gettext("hours"))
        if in_hours
        else (timedelta(minutes=1), t.gettext("minutes"))
    )
    values = [0.0 if m is None else m / unit for m in medians]
    axes.barh(list(range(len(accounts))), values, color="#332288", height=0.7)
    top = max(max(values, default=0.0), 1.0)
    for row, (median, value) in enumerate(zip(medians, values, strict=True)):
        shown = (
            NO_DATA
            if median is None
            else format_decimal(round(value, 1 if in_hours else 0), locale=t.babel_locale)
        )
        axes.text(value + top * 0.02, row, shown, va="center", fontsize=9)
    axes.set_xlim(0, top * 1.2)
    axes.tick_params(labelleft=False)
    axes.set_title(t.gettext("Median time to first action"))
    axes.set_xlabel(label)
    axes.grid(axis="x", alpha=0.3)
    axes.set_axisbelow(True)


def _short(name: str) -> str:
    return name if len(name) <= _NAME_CHARS else name[: _NAME_CHARS - 1].rstrip() + "…"
