"""Pure text builders for the console: a case card and notices, as a terminal shows them."""

from __future__ import annotations

from collections.abc import Callable
from textwrap import wrap

from bot.domain.actions import CASE_BUTTONS, ActionId, button_label, card_actions
from bot.domain.case_view import CATEGORY_LABELS, CaseView
from bot.domain.models import CaseState
from bot.domain.notices import Notice, action_summary, render_notice
from bot.domain.policy import Policy
from bot.i18n import Translator

MARKERS = {CaseState.NEW: "[NY]", CaseState.IN_PROGRESS: "[PÅGÅR]",
           CaseState.REPORTED: "[ANMÄLT]", CaseState.FOLLOWED_UP: "[UPPFÖLJT]"}
WIDTH = 78


def person_formatter(policy: Policy) -> Callable[[str | None, str | None], str]:
    """People by name: policy ids and console actors are both policy person ids."""
    def fmt(value: str | None, _kind: str | None) -> str:
        person = policy.person(value) if value else None
        return person.name if person else (value or "–")
    return fmt


def _plain(text: str) -> str:
    return text


def _lines(label: str, text: str) -> list[str]:
    out = []
    for paragraph in text.splitlines() or [""]:
        out.extend(wrap(paragraph, WIDTH - 6) or [""])
    return [f"│ {label}{out[0]}"] + [f"│ {' ' * len(label)}{line}" for line in out[1:]]


def render_card(view: CaseView, t: Translator, policy: Policy) -> str:
    """The case card as text, with the buttons as numbered choices."""
    categories = ", ".join(t.gettext(CATEGORY_LABELS.get(c, c)) for c in view.categories) or (
        t.gettext("not assessed automatically – read it yourself"))
    acute = t.gettext("ACUTE") + " · " if view.acute and view.is_open else ""
    rows = [f"┌─ {MARKERS[view.state]} {acute}{categories} — "
            + t.gettext("Case {case}").format(case=view.case_id)]
    rows.append(f"│ {view.platform} · {view.account_name} · {t.when(view.created_at)}")
    author = view.author or t.gettext("Unknown sender")
    rows += _lines(t.gettext("*{author}* wrote:").format(author=author)
                   .replace("*", "") + " ", view.text)
    if view.reasons:
        why = "; ".join(f"»{r.text}« → {t.gettext(CATEGORY_LABELS.get(r.category, r.category))}"
                        for r in view.reasons[:6])
        rows += _lines(t.gettext("*Why:* {reasons}").format(reasons="").replace("*", ""), why)
    if view.advice and view.is_open:
        rows += _lines(t.gettext("*The routine:*").replace("*", "") + " ", " / ".join(view.advice))
    fmt = person_formatter(policy)
    for line in view.history[-5:]:
        summary = action_summary(t, line.action, details=line.details,
                                 actor=fmt(line.actor, line.actor_platform), at=line.at,
                                 text=_plain)
        rows += _lines("✔ ", summary)
    if view.is_open and view.covering_for is not None and view.responsible is not None:
        rows += _lines("", t.gettext("{absent} is away; {who} is responsible").format(
            absent=view.covering_for.name, who=view.responsible.name))
    if view.missing:
        rows += _lines("", t.gettext("Still missing: {what}").format(
            what=", ".join(t.gettext(m) for m in view.missing)))
    rows += _lines("", "  ".join(f"[{CONSOLE_NUMBERS[a]}] {button_label(a)}"
                                  for a in console_actions(view)))
    rows.append("└" + "─" * (WIDTH - 1))
    return "\n".join(rows)


# Every button keeps its number, so "7" is always the history, whatever the case's state.
CONSOLE_NUMBERS = {action: n for n, action in enumerate((
    *CASE_BUTTONS, ActionId.MODERATE, ActionId.CONSULT, ActionId.HISTORY), start=1)}


def console_actions(view: CaseView) -> tuple[ActionId, ...]:
    """The buttons this card offers now."""
    main, extra = card_actions(view.categories, is_open=view.is_open,
                               can_moderate=view.can_moderate)
    return (*main, *extra)


def render_notice_line(notice: Notice, t: Translator, policy: Policy) -> str:
    """A notice as a console line."""
    return render_notice(notice, t, person_formatter(policy), _plain)
