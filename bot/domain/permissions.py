"""Who may press a case's buttons: the policy's responders, else the members of its channel."""

from __future__ import annotations

from collections.abc import Callable, Collection

from bot.domain.models import Case
from bot.domain.policy import Policy


def may_act(
    *, policy: Policy, case: Case, user_id: str,
    channel_members: Callable[[str], Collection[str]], covering: str | None = None,
) -> bool:
    """True when this chat user may act on the case (covering: the deputy's chat id now)."""
    account = policy.account(case.account_id) if case.account_id else None
    if account is not None and account.responders is not None:
        allowed = {p.slack_id for p in policy.people
                   if p.id in account.responders and p.slack_id}
        if covering:
            allowed.add(covering)
        manager = policy.manager_of(account)
        if manager and manager.slack_id:
            allowed.add(manager.slack_id)
        return user_id in allowed
    if not case.channel:
        return False
    return user_id in channel_members(case.channel)
