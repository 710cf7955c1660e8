"""The same account never posts an identical reply twice within 90 days (the routine forbids
repeating standard answers): drafts read the account's posted replies from the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain.form_context import make_draft, recent_fingerprints
from bot.domain.models import Assessment, Case, Item, OutgoingReply
from bot.domain.playbook import load_playbook
from bot.domain.replies import fingerprint
from config.settings import DEFAULT_POLICY

NOW = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)


def _case(session: Session, n: int) -> Case:
    item = Item(
        platform="facebook",
        account_external_id="111",
        account_id="facebook-kommunen",
        external_id=f"c{n}",
        kind="comment",
        text="Mitt ärende",
        created_at=NOW,
    )
    session.add(item)
    session.flush()
    assessment = Assessment(
        item_id=item.id or 0, categories=["individual_case"], ruleset_version="t"
    )
    session.add(assessment)
    session.flush()
    case = Case(
        item_id=item.id or 0,
        assessment_id=assessment.id or 0,
        account_id="facebook-kommunen",
        channel="C1",
        opened_at=NOW,
        activity_at=NOW,
    )
    session.add(case)
    session.flush()
    return case


def test_fifty_drafts_for_one_authority_and_account_are_all_different(engine: Engine) -> None:
    playbook = load_playbook(DEFAULT_POLICY)
    contact = playbook.contacts.get("socialtjanst-mottagning")
    drafts = []
    with Session(engine) as session:
        case = _case(session, 1)  # the same case (so the same seed) every time: only the
        for n in range(50):  # account's memory of posted replies keeps drafts apart
            text = make_draft(
                session,
                case=case,
                contact=contact,
                kind="refer",
                playbook=playbook,
                now=NOW + timedelta(minutes=n),
            )
            assert text is not None and contact is not None and contact.phone in text
            drafts.append(text)
            session.add(
                OutgoingReply(
                    case_id=case.id or 0,
                    account_id="facebook-kommunen",
                    kind="refer",
                    contact_id=contact.id,
                    text=text,
                    fingerprint=fingerprint(text),
                    method="graph",
                    requested_by="U1",
                    requested_at=NOW + timedelta(minutes=n),
                )
            )
            session.flush()
    assert len(set(drafts)) == 50


def test_replies_older_than_90_days_may_come_back(engine: Engine) -> None:
    with Session(engine) as session:
        case = _case(session, 1)
        session.add(
            OutgoingReply(
                case_id=case.id or 0,
                account_id="facebook-kommunen",
                kind="refer",
                text="x",
                fingerprint="f-old",
                method="graph",
                requested_by="U1",
                requested_at=NOW - timedelta(days=91),
            )
        )
        session.add(
            OutgoingReply(
                case_id=case.id or 0,
                account_id="facebook-kommunen",
                kind="refer",
                text="y",
                fingerprint="f-new",
                method="graph",
                requested_by="U1",
                requested_at=NOW - timedelta(days=89),
            )
        )
        session.flush()
        assert recent_fingerprints(session, "facebook-kommunen", NOW) == {"f-new"}
        assert recent_fingerprints(session, "instagram-kommunen", NOW) == set()
