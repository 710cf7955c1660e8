"""The console implementation of the chat port: cards and nags printed to a terminal."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path
from typing import TextIO

from bot.console.render import render_card, render_notice_line
from bot.domain.case_view import CaseView
from bot.domain.notices import Notice
from bot.domain.policy import Person, Policy
from bot.domain.ports import MessageRef
from bot.i18n import Translator


class ConsoleChat:
    """Prints what Slack would show; the same domain code drives it."""

    platform = "console"

    def __init__(self, policy: Policy, t: Translator, out: TextIO | None = None) -> None:
        self.policy = policy
        self.t = t
        self.out = out or sys.stdout
        self._ids = itertools.count(1)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def post_card(self, channel: str, view: CaseView) -> MessageRef:
        """Print a new card."""
        self._print("\n" + render_card(view, self.t, self.policy))
        return MessageRef("console", channel or "console", str(next(self._ids)))

    def update_card(self, ref: MessageRef, view: CaseView) -> None:
        """Print the card again in its new state."""
        self._print("\n" + self.t.gettext("(card updated)") + "\n"
                    + render_card(view, self.t, self.policy))

    def post_in_thread(self, ref: MessageRef, notice: Notice, *, broadcast: bool) -> None:
        """Print a thread line."""
        prefix = self.t.gettext("In the thread of case {case}").format(case=notice.case_id)
        self._print(f"  ↳ {prefix}: {render_notice_line(notice, self.t, self.policy)}")

    def post_report(self, channel: str, text: str, chart: bytes, filename: str) -> None:
        """Print the report and save its chart next to the console database."""
        folder = Path("data") / "reports"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / filename).write_bytes(chart)
        self._print("\n" + text + "\n" + self.t.gettext("(chart saved as {path})").format(
            path=folder / filename))

    def send_direct(self, person: Person, notice: Notice, *, card: MessageRef | None) -> None:
        """Print a direct message."""
        prefix = self.t.gettext("Direct message to {name}").format(name=person.name)
        self._print(f"  ✉ {prefix}: {render_notice_line(notice, self.t, self.policy)}")
