"""Reply drafts: the shipped templates, no repeats per account, and editor-friendly errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.domain.contacts import Contact, ContactDirectory, load_contacts
from bot.domain.replies import (
    KINDS,
    MAX_REPLY_CHARS,
    NoFreshReplyError,
    RepliesError,
    ReplyKind,
    ReplyTemplates,
    draft_reply,
    fingerprint,
    load_reply_templates,
)

CONFIG = Path(__file__).resolve().parents[2] / "config"
MANAGER = {"manager_name": "Maria Ek", "manager_contact": "maria.ek@exempelkommun.se"}

TINY = """\
version = "test"

[refer]
opening = ["Hej!", "Tack för att du skriver."]
confidentiality = ["Av sekretesskäl kan vi inte svara här."]
referral = ["Ring {name} på {phone}."]
closing = ["Ta hand om dig."]

[insist]
opening = ["Vi hör dig."]
confidentiality = ["Sekretessen gäller även här."]
manager = ["Kontakta {manager_name} på {manager_contact} via e-post eller telefon."]
referral = ["Du kan också ringa {name} på {phone}."]
closing = ["Ta hand om dig."]

[crisis]
opening = ["Det låter tungt."]
safety = ["Ring Självmordslinjen på 90101, eller 112 om det är akut."]
referral = ["Du kan också ringa {name} på {phone}."]
closing = ["Du är inte ensam."]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "replies.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), start=1) if needle in line)


@pytest.fixture(scope="module")
def templates() -> ReplyTemplates:
    return load_reply_templates(CONFIG / "replies.toml")


@pytest.fixture(scope="module")
def contacts() -> ContactDirectory:
    return load_contacts(CONFIG / "contacts.toml")


@pytest.fixture(scope="module")
def social(contacts: ContactDirectory) -> Contact:
    contact = contacts.get("socialtjanst-mottagning")
    assert contact is not None
    return contact


def draft(
    templates: ReplyTemplates, contact: Contact, kind: ReplyKind, seed: int, avoid: set[str]
) -> str:
    extra = MANAGER if kind == "insist" else {}
    made = draft_reply(templates, contact=contact, kind=kind, seed=seed, avoid=avoid, **extra)
    assert made.fingerprint == fingerprint(made.text)
    avoid.add(made.fingerprint)
    return made.text


def test_the_shipped_templates_load_with_many_variants(templates: ReplyTemplates) -> None:
    for kind in KINDS:
        for part, variants in templates.parts[kind]:
            assert len(variants) >= 6, (kind, part)
        assert templates.combinations(kind) >= 1000


def test_no_shipped_variant_says_vi_beklagar(templates: ReplyTemplates) -> None:
    for kind in KINDS:
        for _, variants in templates.parts[kind]:
            assert not any("beklagar" in v.text.lower() for v in variants)


@pytest.mark.parametrize("kind", KINDS)
def test_fifty_drafts_for_one_account_are_all_different(
    templates: ReplyTemplates, social: Contact, kind: ReplyKind
) -> None:
    avoid: set[str] = set()
    texts = [draft(templates, social, kind, seed=12345, avoid=avoid) for _ in range(50)]
    assert len(set(texts)) == 50
    assert len({fingerprint(t) for t in texts}) == 50


def test_the_same_seed_gives_the_same_draft(templates: ReplyTemplates, social: Contact) -> None:
    first = draft_reply(templates, contact=social, kind="refer", seed=7, avoid=())
    again = draft_reply(templates, contact=social, kind="refer", seed=7, avoid=())
    other = draft_reply(templates, contact=social, kind="refer", seed=8, avoid=())
    assert first == again
    assert other.text != first.text


def test_consecutive_drafts_vary_more_than_the_last_sentence(
    templates: ReplyTemplates, social: Contact
) -> None:
    avoid: set[str] = set()
    first = draft(templates, social, "refer", seed=0, avoid=avoid)
    second = draft(templates, social, "refer", seed=0, avoid=avoid)
    assert first.split(".")[0] != second.split(".")[0]


def test_an_edited_text_is_fingerprinted_without_case_or_spacing() -> None:
    assert fingerprint("Ring  oss\npå 112.") == fingerprint("ring oss på 112.")
    assert fingerprint("Ring oss på 112.") != fingerprint("Ring oss på 114 14.")


@pytest.mark.parametrize("kind", KINDS)
def test_every_draft_gives_the_contacts_phone_for_every_contact(
    templates: ReplyTemplates, contacts: ContactDirectory, kind: ReplyKind
) -> None:
    for contact in contacts.all():
        avoid: set[str] = set()
        for _ in range(10):
            text = draft(templates, contact, kind, seed=99, avoid=avoid)
            assert contact.phone in text
            assert "{" not in text and "}" not in text
            assert len(text) <= MAX_REPLY_CHARS


def test_variants_needing_an_email_are_skipped_for_a_contact_without_one(
    templates: ReplyTemplates, contacts: ContactDirectory
) -> None:
    jour = contacts.get("socialjouren")
    assert jour is not None and jour.email is None and jour.web_form is None
    avoid: set[str] = set()
    for _ in range(200):
        text = draft(templates, jour, "refer", seed=3, avoid=avoid)
        assert "@" not in text and "https://" not in text


def test_insist_drafts_give_the_manager_and_ask_for_email_or_phone(
    templates: ReplyTemplates, social: Contact
) -> None:
    avoid: set[str] = set()
    for _ in range(30):
        text = draft(templates, social, "insist", seed=5, avoid=avoid)
        assert "Maria Ek" in text
        assert "maria.ek@exempelkommun.se" in text
        assert social.phone in text


def test_insist_without_a_manager_is_refused(templates: ReplyTemplates, social: Contact) -> None:
    with pytest.raises(ValueError, match="manager_name"):
        draft_reply(templates, contact=social, kind="insist", seed=1, avoid=())


def test_crisis_drafts_always_give_90101_and_112(
    templates: ReplyTemplates, social: Contact
) -> None:
    avoid: set[str] = set()
    for _ in range(50):
        text = draft(templates, social, "crisis", seed=2, avoid=avoid)
        assert "90101" in text
        assert "112" in text
        assert social.phone in text


def test_a_crisis_draft_to_a_national_line_does_not_repeat_its_number(
    templates: ReplyTemplates, contacts: ContactDirectory
) -> None:
    line = contacts.get("sjalvmordslinjen")
    assert line is not None
    text = draft_reply(templates, contact=line, kind="crisis", seed=4, avoid=()).text
    assert text.count("90101") == 1


def test_a_fully_used_combination_space_raises(tmp_path: Path) -> None:
    templates = load_reply_templates(write(tmp_path, TINY))
    contact = Contact(
        id="kc",
        name="Kontaktcenter",
        phone="0340-69 100",
        kind="municipal",
        review_by=date(2027, 1, 1),
        opening_hours="mån–fre 8–16",
    )
    avoid: set[str] = set()
    texts = [draft(templates, contact, "refer", seed=0, avoid=avoid) for _ in range(2)]
    assert texts == [
        "Hej! Av sekretesskäl kan vi inte svara här. Ring Kontaktcenter på 0340-69 100. "
        "Ta hand om dig.",
        "Tack för att du skriver. Av sekretesskäl kan vi inte svara här. "
        "Ring Kontaktcenter på 0340-69 100. Ta hand om dig.",
    ]
    with pytest.raises(NoFreshReplyError):
        draft_reply(templates, contact=contact, kind="refer", seed=0, avoid=avoid)
    assert draft_reply(templates, contact=contact, kind="crisis", seed=0, avoid=avoid).text


def test_an_unknown_placeholder_names_file_and_line(tmp_path: Path) -> None:
    text = TINY.replace('"Ta hand om dig."]\n\n[insist]', '"Hej {author_name}!"]\n\n[insist]')
    path = write(tmp_path, text)
    with pytest.raises(RepliesError, match=r"okänd platshållare \{author_name\}") as caught:
        load_reply_templates(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, rad {line_of(text, 'author_name')}: refer.closing[0]")


def test_a_manager_placeholder_outside_insist_is_unknown(tmp_path: Path) -> None:
    text = TINY.replace('referral = ["Ring {name}', 'referral = ["Ring {manager_name} eller {name}')
    with pytest.raises(RepliesError, match=r"rad 6: refer\.referral\[0\]: okänd platshållare"):
        load_reply_templates(write(tmp_path, text))


@pytest.mark.parametrize(
    ("old", "new", "needle", "message"),
    [
        ('"Ring {name} på {phone}."', '"Ring {name}."', "Ring {name}.", r"\{phone\}"),
        ("90101, eller", "1177, eller", "1177", "90101"),
        ('"Hej!",', '"Hej {name!r}",', "Hej {name!r}", "skriv platshållaren"),
        ('"Hej!",', '"Hej {",', "Hej {", "trasig platshållare"),
        ('"Hej!",', '"Tack för att  du skriver.",', "Tack för att  du", "samma text"),
        ('"Hej!",', '"",', 'opening = [""', "tom"),
    ],
)
def test_bad_variants_are_reported_at_their_line(
    tmp_path: Path, old: str, new: str, needle: str, message: str
) -> None:
    text = TINY.replace(old, new, 1)
    with pytest.raises(RepliesError, match=message) as caught:
        load_reply_templates(write(tmp_path, text))
    assert f", rad {line_of(text, needle)}: " in str(caught.value)


def test_a_part_needing_an_email_for_every_variant_is_refused(tmp_path: Path) -> None:
    text = TINY.replace(
        '"Ring {name} på {phone}."', '"Ring {name} på {phone} eller mejla {email}."'
    )
    with pytest.raises(RepliesError, match=r"refer\.referral: minst en variant"):
        load_reply_templates(write(tmp_path, text))


def test_a_missing_or_unknown_part_is_reported(tmp_path: Path) -> None:
    missing = TINY.replace('closing = ["Du är inte ensam."]\n', "")
    with pytest.raises(RepliesError, match=r"crisis\.closing: värdet saknas"):
        load_reply_templates(write(tmp_path, missing))
    unknown = TINY.replace("[crisis]\n", '[crisis]\nsignature = ["/Anna"]\n')
    with pytest.raises(RepliesError, match=r"rad 17: crisis\.signature: okänd nyckel"):
        load_reply_templates(write(tmp_path, unknown))


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, TINY.replace('opening = ["Hej!",', 'opening = ["Hej!,'))
    with pytest.raises(RepliesError, match=r"replies\.toml, rad 4: felaktig TOML"):
        load_reply_templates(path)
