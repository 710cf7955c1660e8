"""The weekly evaluation report (utvärdering): numbers, Slack text and a chart.

The chart lives in bot.reporting.chart and is imported on its own, since matplotlib is heavy.
"""

from bot.reporting.stats import AccountStats, Durations, Period, Report, build_report, last_week
from bot.reporting.text import report_plain, report_text

__all__ = [
    "AccountStats",
    "Durations",
    "Period",
    "Report",
    "build_report",
    "last_week",
    "report_plain",
    "report_text",
]
