"""Keep the account and person tables in step with the policy file."""

from __future__ import annotations

from sqlmodel import Session

from bot.domain.models import AccountRecord, PersonRecord
from bot.domain.policy import Policy


def sync_directory(session: Session, policy: Policy) -> None:
    """Upsert the policy's accounts and people (rows no longer in the policy are kept)."""
    for person in policy.people:
        session.merge(PersonRecord(id=person.id, name=person.name, slack_id=person.slack_id,
                                   role=person.role))
    for account in policy.accounts:
        session.merge(AccountRecord(id=account.id, name=account.name, platform=account.platform,
                                    external_id=account.external_id, area=account.area,
                                    responsible=account.responsible, channel=account.channel))
