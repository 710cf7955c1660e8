"""The social-services form knows office hours, Swedish holidays and the de facto ones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.actions import ActionId
from bot.domain.case_actions import follow_up_time
from bot.domain.case_view import CaseView
from bot.domain.forms import FormContext, form_for
from bot.domain.models import CaseState
from bot.domain.playbook import load_playbook
from bot.i18n import translator
from config.settings import DEFAULT_POLICY

SE = ZoneInfo("Europe/Stockholm")
PLAYBOOK = load_playbook(DEFAULT_POLICY)
T = translator("sv")


def view() -> CaseView:
    return CaseView(
        case_id=1,
        state=CaseState.NEW,
        acute=True,
        categories=("child_at_risk",),
        reasons=(),
        advice=(),
        text="",
        author=None,
        account_name="",
        platform="facebook",
        kind="comment",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        permalink=None,
        removed=False,
        history=(),
        missing=(),
        responsible=None,
    )


def route_at(local: datetime) -> tuple[str, str | None]:
    policy = PLAYBOOK.policy
    now = local.replace(tzinfo=SE)
    ctx = FormContext(
        view=view(),
        now=now,
        in_office_hours=policy.office_hours.is_open(now),
        intake=PLAYBOOK.route(policy.routes.social_services_intake),
        socialjour=PLAYBOOK.route(policy.routes.socialjour),
    )
    spec = form_for(ActionId.SOCIAL_SERVICES_REPORT, ctx, T)
    route = next(f for f in spec.fields if f.id == "route")
    return spec.guidance[0], route.initial


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 18, 8, 0), "intake"),  # Wednesday, opening minute
        (datetime(2026, 11, 18, 16, 29), "intake"),  # Wednesday, last minute
        (datetime(2026, 11, 18, 16, 30), "socialjour"),  # closing time
        (datetime(2026, 11, 18, 7, 59), "socialjour"),  # before opening
        (datetime(2026, 11, 21, 10, 0), "socialjour"),  # Saturday
        (datetime(2026, 6, 19, 10, 0), "socialjour"),  # midsommarafton (de facto holiday)
        (datetime(2026, 12, 24, 10, 0), "socialjour"),  # julafton
        (datetime(2026, 12, 31, 10, 0), "socialjour"),  # nyårsafton
        (datetime(2026, 6, 18, 10, 0), "intake"),  # the Thursday before midsommar
        (datetime(2026, 5, 14, 10, 0), "socialjour"),  # Kristi himmelsfärdsdag
    ],
)
def test_office_hours_decide_the_route(moment: datetime, expected: str) -> None:
    guidance, initial = route_at(moment)
    assert initial == expected
    if expected == "intake":
        intake = PLAYBOOK.route(PLAYBOOK.policy.routes.social_services_intake)
        assert intake is not None and intake.phone in guidance
    else:
        assert "socialjouren via 112" in guidance


def test_remind_again_choices() -> None:
    evening = datetime(2026, 6, 18, 17, 0, tzinfo=SE)  # the Thursday before midsommar
    in_an_hour = follow_up_time("1h", at=None, playbook=PLAYBOOK, now=evening)
    assert in_an_hour == datetime(2026, 6, 22, 9, 0, tzinfo=SE)  # an office hour: Monday 09:00
    acute = follow_up_time("1h", at=None, playbook=PLAYBOOK, now=evening, acute=True)
    assert acute == datetime(2026, 6, 18, 16, 0, tzinfo=UTC)  # acute cases never pause
    morning = follow_up_time("morning", at=None, playbook=PLAYBOOK, now=evening)
    assert morning.astimezone(SE) == datetime(2026, 6, 22, 8, 0, tzinfo=SE)  # Monday
    chosen = follow_up_time("at", at="2026-06-23 09:30", playbook=PLAYBOOK, now=evening)
    assert chosen.astimezone(SE).hour == 9
