"""The routine as data: the policy, the contact directory and the reply templates, loaded once."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.domain.contacts import Contact, ContactDirectory, load_contacts
from bot.domain.policy import Policy, PolicyError, load_policy, sibling_file
from bot.domain.replies import ReplyTemplates, load_reply_templates


@dataclass(frozen=True)
class Playbook:
    """Everything a municipality configures about how cases are handled."""

    policy: Policy
    contacts: ContactDirectory
    replies: ReplyTemplates

    def route(self, contact_id: str) -> Contact | None:
        """A contact named by the policy's routes."""
        return self.contacts.get(contact_id)


def load_playbook(policy_path: Path) -> Playbook:
    """Load the policy and the files it names; errors name the file (and line)."""
    policy = load_policy(policy_path)
    contacts = load_contacts(sibling_file(policy_path, policy.contacts_file))
    replies = load_reply_templates(sibling_file(policy_path, policy.replies_file))
    for route in (policy.routes.social_services_intake, policy.routes.socialjour):
        if contacts.get(route) is None:
            raise PolicyError(f"{policy_path}: routes: kontakten {route!r} finns inte i "
                              f"{policy.contacts_file}")
    return Playbook(policy=policy, contacts=contacts, replies=replies)
