"""`python -m bot`: run, serve, console, ingest, classify, migrate."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.logging_setup import configure_logging

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "comments.jsonl"
logger = logging.getLogger("bot")


def migrate(database_url: str | None = None) -> None:
    """Bring the database schema up to date (alembic upgrade head)."""
    from alembic import command
    from alembic.config import Config

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    if database_url:
        config.attributes["database_url"] = database_url
    command.upgrade(config, "head")


def serve(*, no_scheduler: bool = False) -> None:
    """Run the web process under uvicorn on PORT (the scheduler too, unless RUN_SCHEDULER or
    --no-scheduler says no)."""
    import uvicorn

    from bot.app import create_app
    from config.settings import get_settings

    settings = get_settings(run_scheduler=False) if no_scheduler else get_settings()
    runtime = create_app(settings)
    assert runtime.api is not None
    if settings.slack_app_token is not None and runtime.slack_app is not None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # Clicks and events arrive over the socket; Meta's webhooks still come over HTTP.
        SocketModeHandler(runtime.slack_app,
                          settings.slack_app_token.get_secret_value()).connect()
    level = logging.getLogger().getEffectiveLevel()
    uvicorn.run(runtime.api, host="0.0.0.0", port=settings.port,  # noqa: S104
                log_level=logging.getLevelName(level).lower(), access_log=level <= logging.INFO)


def console(comments: Path | None, *, fresh: bool, db_file: Path | None = None) -> None:
    """The whole loop in the terminal, on its own SQLite file."""
    from bot.app import create_runtime
    from bot.console.runner import ConsoleClock, run_console
    from config.settings import get_settings

    db_file = db_file or ROOT / "data" / "console.db"
    if fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    url = f"sqlite:///{db_file}"
    migrate(url)
    clock = ConsoleClock()
    settings = get_settings(database_url=url, slack_bot_token=None, slack_signing_secret=None)
    runtime = create_runtime(settings, clock=clock)
    run_console(runtime, comments=comments, stdin=sys.stdin, out=sys.stdout, clock=clock)


def ingest(path: Path) -> int:
    """Feed JSON Lines items into the database like webhooks; returns the exit code."""
    from bot.app import create_runtime
    from bot.db import session_scope
    from bot.domain.intake import ingest_batch
    from bot.sources.jsonl import LineError, parse_item_line
    from config.settings import get_settings

    runtime = create_runtime(get_settings())
    stored = opened = failed = 0
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                item = parse_item_line(line)
            except LineError as exc:
                print(f"{path}:{number}: {exc}", file=sys.stderr)
                failed += 1
                continue
            with session_scope(runtime.engine) as session:
                outcome = ingest_batch(session, line.encode(), [item], source="jsonl",
                                       policy=runtime.policy, assessor=runtime.assessor,
                                       default_channel=runtime.settings.slack_channel,
                                       now=runtime.clock())[0]
            stored += int(not outcome.duplicate)
            opened += int(outcome.case_opened)
    print(f"{stored} stored, {opened} cases opened, {failed} lines refused")
    return 1 if failed else 0


def report(start: str, end: str, chart: Path | None) -> int:
    """Print the report for a period (local dates, end exclusive) and save its chart."""
    from datetime import date, datetime

    from sqlmodel import Session

    from bot.app import create_runtime
    from bot.i18n import STOCKHOLM, translator
    from bot.reporting.stats import build_report
    from bot.reporting.text import report_plain
    from config.settings import get_settings

    try:
        first, stop = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError as exc:
        print(f"--from/--to: {exc} (write e.g. 2026-11-16)", file=sys.stderr)
        return 2
    runtime = create_runtime(get_settings())
    begin = datetime.combine(first, datetime.min.time(), tzinfo=STOCKHOLM)
    finish = datetime.combine(stop, datetime.min.time(), tzinfo=STOCKHOLM)
    t = translator(runtime.settings.default_locale)
    with Session(runtime.engine) as session:
        result = build_report(session, policy=runtime.policy, start=begin, end=finish)
    print(report_plain(result, t))
    if chart is not None:
        from bot.reporting.chart import render_chart

        chart.write_bytes(render_chart(result, t))
        print(f"\n{chart}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run the chosen command."""
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("run", help="serve with Slack when configured, otherwise the console")
    serve_p = sub.add_parser("serve", help="the web process (with the scheduler unless told not)")
    serve_p.add_argument("--no-scheduler", action="store_true")
    console_p = sub.add_parser("console", help="the whole loop in the terminal")
    console_p.add_argument("--comments", type=Path, default=EXAMPLES)
    console_p.add_argument("--no-examples", action="store_true")
    console_p.add_argument("--keep", action="store_true", help="keep the earlier console database")
    console_p.add_argument("--database", type=Path, help="SQLite file (default data/console.db)")
    ingest_p = sub.add_parser("ingest", help="ingest a JSON Lines file")
    ingest_p.add_argument("file", type=Path)
    classify_p = sub.add_parser("classify", help="assess JSON Lines from stdin (or files)")
    classify_p.add_argument("files", nargs="*", help="JSON Lines files (default: stdin)")
    sub.add_parser("migrate", help="alembic upgrade head")
    report_p = sub.add_parser("report", help="the evaluation report for a period")
    report_p.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
    report_p.add_argument("--to", dest="end", required=True,
                          help="the day after the last, YYYY-MM-DD")
    report_p.add_argument("--chart", type=Path, help="also save the chart as this PNG")
    args = parser.parse_args(argv)

    if args.command == "classify":
        from bot.risk.cli import main as classify_main

        return classify_main(args.files)
    configure_logging("WARNING" if args.command in ("console", "run") else None)
    from config.settings import get_settings

    if args.command == "migrate":
        migrate()
    elif args.command == "serve":
        serve(no_scheduler=args.no_scheduler)
    elif args.command == "run":
        if get_settings().slack_enabled:
            configure_logging("INFO")
            migrate()
            serve()
        else:
            console(EXAMPLES, fresh=True)
    elif args.command == "console":
        console(None if args.no_examples else args.comments, fresh=not args.keep,
                db_file=args.database)
    elif args.command == "ingest":
        return ingest(args.file)
    elif args.command == "report":
        return report(args.start, args.end, args.chart)
    return 0


if __name__ == "__main__":
    sys.exit(main())
