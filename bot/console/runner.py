"""The whole loop in a terminal: comments in, cards out, buttons as numbers, nags as time passes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from bot.app import Runtime
from bot.console.render import CONSOLE_NUMBERS, console_actions, person_formatter
from bot.db import session_scope
from bot.domain.actions import ActionId, button_label
from bot.domain.case_actions import submit_form
from bot.domain.case_view import load_case_view
from bot.domain.cases import CaseClosedError
from bot.domain.form_context import build_form_context
from bot.domain.forms import FormField, form_for, validate_form
from bot.domain.intake import ingest_batch
from bot.domain.models import utcnow
from bot.domain.timeline import case_events, describe_event
from bot.sources.jsonl import LineError, parse_item_line
from scheduler.jobs import run_sweep


@dataclass
class ConsoleClock:
    """Real time plus however much the user has let pass."""

    offset: timedelta = timedelta(0)
    start: datetime | None = None

    def __call__(self) -> datetime:
        """The console's now."""
        return (self.start or utcnow()) + self.offset


class ConsoleSession:
    """Drives one console run over the runtime's domain services."""

    def __init__(self, rt: Runtime, clock: ConsoleClock, stdin: TextIO, out: TextIO,
                 actor: str) -> None:
        self.rt, self.clock, self.stdin, self.out, self.actor = rt, clock, stdin, out, actor
        self.t = rt.t

    def say(self, text: str) -> None:
        """Print a line of the transcript."""
        print(text, file=self.out, flush=True)

    def ask(self, prompt: str) -> str | None:
        """Prompt and read one line; None at end of input."""
        print(prompt, end="", file=self.out, flush=True)
        line = self.stdin.readline()
        if not line:
            return None
        if not self.stdin.isatty():
            print(line.rstrip("\n"), file=self.out)  # echo, so a transcript reads like a session
        return line.rstrip("\n")

    def drain(self) -> None:
        """Deliver everything the outbox holds (cards, thread lines, direct messages)."""
        while self.rt.worker.run_once():
            pass

    def ingest_line(self, line: str) -> int | None:
        """Take one JSON line (or plain text) in; returns the case id when one was opened."""
        text = line if line.lstrip().startswith("{") else json.dumps({"text": line})
        try:
            item = parse_item_line(text)
        except LineError as exc:
            self.say(self.t.gettext("Skipped a line: {reason}").format(reason=exc))
            return None
        with session_scope(self.rt.engine) as session:
            outcome = ingest_batch(session, text.encode(), [item], source="console",
                                   policy=self.rt.policy, assessor=self.rt.assessor,
                                   default_channel="console", now=self.clock())[0]
        if outcome.duplicate:
            self.say(self.t.gettext("(already received: no second case)"))
        elif outcome.case_id is None:
            self.say(self.t.gettext("No risk found: {text}").format(text=item.text[:70]))
        self.drain()
        return outcome.case_id

    def let_time_pass(self, minutes: int) -> None:
        """Move the console clock and run the nag sweep, printing what falls due."""
        self.clock.offset += timedelta(minutes=minutes)
        self.say(self.t.gettext("… {minutes} minutes pass (now {time})").format(
            minutes=minutes, time=self.t.clock(self.clock())))
        run_sweep(self.rt)
        self.drain()

    def _ask_field(self, item: FormField) -> str | None:
        """Ask one question; numbered options, Enter keeps the suggestion."""
        for n, (_, label) in enumerate(item.options, start=1):
            self.say(f"    {n}) {label}")
        if item.initial and item.kind in ("text", "multiline"):
            self.say("    " + self.t.gettext("Suggestion (Enter keeps it):"))
            for line in item.initial.splitlines():
                self.say("    │ " + line)
        star = " *" if item.required else ""
        default = dict(item.options).get(item.initial or "") if item.options else None
        keep = " " + self.t.gettext("[Enter: {choice}]").format(choice=default) if default else ""
        answer = self.ask(f"  {item.label}{star}{keep}: ")
        if answer is None:
            return None
        answer = answer.strip()
        if not answer and item.initial:
            return item.initial
        if item.options and answer.isdigit() and 0 < int(answer) <= len(item.options):
            return item.options[int(answer) - 1][0]
        return answer

    def fill_form(self, case_id: int, action: ActionId) -> bool:
        """Ask the form's questions for a button and carry it out; False at end of input."""
        values: dict[str, str | None] = {}
        shown: tuple[str, ...] = ()
        self.say(f"— {button_label(action)} —")
        index = 0
        while True:
            with Session(self.rt.engine) as session:
                ctx = build_form_context(session, case_id=case_id, action=action,
                                         playbook=self.rt.playbook, now=self.clock(),
                                         values=values)
            spec = form_for(action, ctx, self.t)
            if spec.guidance != shown:
                for guidance in spec.guidance:
                    self.say("  " + guidance)
                shown = spec.guidance
            if index >= len(spec.fields):
                break
            item = spec.fields[index]
            if item.required_when and values.get(item.required_when[0]) != item.required_when[1]:
                index += 1  # only asked when another answer calls for it
                continue
            answer = self._ask_field(item)
            if answer is None:
                return False
            values[item.id] = answer
            error = validate_form(spec, values, now=self.clock(), t=self.t).get(item.id)
            if error is not None:
                self.say("  ! " + error)
                continue
            index += 1
        try:
            with session_scope(self.rt.engine) as session:
                submit_form(session, case_id=case_id, action=action, actor=self.actor,
                            platform="console", values=values, playbook=self.rt.playbook,
                            now=self.clock())
        except CaseClosedError:
            self.say(self.t.gettext("This case is already followed up and closed."))
        self.drain()
        return True

    def show_history(self, case_id: int) -> None:
        """Print the case's whole timeline."""
        fmt = person_formatter(self.rt.policy)
        with Session(self.rt.engine) as session:
            for event in case_events(session, case_id):
                self.say("  " + describe_event(event, self.t, fmt, str))

    def handle_case(self, case_id: int) -> bool:
        """Offer the buttons until the user moves on; False when input ends."""
        help_text = self.t.gettext(
            "Choose a number to press a button, t N to let N minutes pass, "
            "Enter for the next comment, q to quit.")
        self.say(help_text)
        while True:
            with Session(self.rt.engine) as session:
                view = load_case_view(session, case_id, self.rt.policy, self.clock())
            offered = {CONSOLE_NUMBERS[a]: a for a in console_actions(view)}
            answer = self.ask("> " if view.is_open else self.t.gettext("(closed) > "))
            if answer is None or answer.strip() == "q":
                return False
            command = answer.strip()
            if command == "":
                return True
            if command.startswith("t"):
                minutes = command[1:].strip()
                self.let_time_pass(int(minutes) if minutes.isdigit() else 30)
            elif command.isdigit() and int(command) in offered:
                action = offered[int(command)]
                if action == ActionId.HISTORY:
                    self.show_history(case_id)
                elif not self.fill_form(case_id, action):
                    return False
            else:
                self.say(help_text)


def _comment_lines(path: Path | None) -> Iterator[str]:
    if path is None:
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            yield line


def run_console(rt: Runtime, *, comments: Path | None, stdin: TextIO, out: TextIO,
                clock: ConsoleClock) -> None:
    """Run the console loop: the file's comments first, then whatever the user types."""
    actor = next((p.id for p in rt.policy.people if p.role == "communicator"), "console")
    session = ConsoleSession(rt, clock, stdin, out, actor)
    session.say(rt.t.gettext(
        "SoMe-vakten in the console: no Slack credentials, so cards are shown here. "
        "You act as {name}.").format(name=getattr(rt.policy.person(actor), "name", actor)))
    for line in _comment_lines(comments):
        session.say("\n» " + line)
        case_id = session.ingest_line(line)
        if case_id is not None and not session.handle_case(case_id):
            session.say(rt.t.gettext("Goodbye."))
            return
    while True:
        typed = session.ask("\n" + rt.t.gettext("Write a comment (empty line: quit): "))
        if not typed:
            session.say(rt.t.gettext("Goodbye."))
            return
        case_id = session.ingest_line(typed)
        if case_id is not None and not session.handle_case(case_id):
            session.say(rt.t.gettext("Goodbye."))
            return
