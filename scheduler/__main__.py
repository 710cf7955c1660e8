"""`python -m scheduler`: the clock process (exactly one), which also drains the outbox."""

from __future__ import annotations

import logging

from bot.app import create_runtime
from bot.logging_setup import configure_logging
from config.settings import get_settings
from scheduler.jobs import build_scheduler

logger = logging.getLogger("scheduler")


def main() -> None:
    """Run the sweep every half minute until stopped."""
    configure_logging()
    runtime = create_runtime(get_settings())
    runtime.start_background(scheduler=False)  # the outbox worker; claims keep it single-send
    scheduler = build_scheduler(runtime, blocking=True)
    logger.info("clock started")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
