"""`python -m scheduler`: the clock process (exactly one), which also drains the outbox."""

from __future__ import annotations

import logging
import signal
import sys
from types import FrameType

from bot.app import create_runtime
from bot.logging_setup import configure_logging
from config.settings import get_settings
from scheduler.jobs import build_scheduler

logger = logging.getLogger("scheduler")


def _stop(signum: int, frame: FrameType | None) -> None:
    # A platform stops the clock with SIGTERM; as SystemExit it ends the scheduler's loop and
    # the runtime is closed (a send in progress finishes, connections are given back).
    sys.exit(0)


def main() -> None:
    """Run the sweep every half minute until stopped."""
    configure_logging()
    signal.signal(signal.SIGTERM, _stop)
    runtime = create_runtime(get_settings())
    runtime.start_background(scheduler=False)  # the outbox worker; claims keep it single-send
    scheduler = build_scheduler(runtime, blocking=True)
    try:
        logger.info("clock started")  # inside: a SIGTERM from here on closes the runtime
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        runtime.close()
        logger.info("clock stopped")


if __name__ == "__main__":
    main()
