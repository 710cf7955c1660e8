"""The contact directory: the shipped file, suggestions, staleness and editor-friendly errors."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from bot.domain.contacts import (
    Contact,
    ContactDirectory,
    ContactsError,
    fold,
    load_contacts,
)

SHIPPED = Path(__file__).resolve().parents[2] / "config" / "contacts.toml"

HEADER = 'version = "test"\nmunicipality = "Testkommun"\n'
ENTRY = """
[[contacts]]
id = "{id}"
name = "{name}"
phone = "{phone}"
opening_hours = "mån–fre 8–16"
kind = "municipal"
review_by = {review_by}
categories = {categories}
keywords = {keywords}
"""


def entry(
    contact_id: str = "kc",
    *,
    name: str = "Kontaktcenter",
    phone: str = "0340-69 100",
    review_by: str = "2027-01-01",
    categories: str = '["individual_case"]',
    keywords: str = "[]",
) -> str:
    return ENTRY.format(
        id=contact_id,
        name=name,
        phone=phone,
        review_by=review_by,
        categories=categories,
        keywords=keywords,
    )


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "contacts.toml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [n for n, line in enumerate(text.splitlines(), start=1) if needle in line]
    return lines[occurrence - 1]


@pytest.fixture(scope="module")
def shipped() -> ContactDirectory:
    return load_contacts(SHIPPED)


def test_the_shipped_directory_loads_with_the_national_numbers(shipped: ContactDirectory) -> None:
    phones = {c.id: c.phone for c in shipped.all()}
    assert phones["sjalvmordslinjen"] == "90101"
    assert phones["1177"] == "1177"
    assert phones["bris"] == "116 111"
    assert phones["polisen"] == "114 14"
    assert phones["112"] == "112"
    assert shipped.municipality == "Exempelkommun"
    assert {c.kind for c in shipped.all()} == {"municipal", "national", "emergency"}


def test_every_shipped_contact_has_hours_and_a_purpose(shipped: ContactDirectory) -> None:
    for contact in shipped.all():
        assert contact.hours_text
        assert contact.categories, contact.id
        assert contact.keywords, contact.id


def test_an_office_hours_table_becomes_short_swedish_text(shipped: ContactDirectory) -> None:
    social = shipped.get("socialtjanst-mottagning")
    assert social is not None
    assert social.office_hours is not None
    assert social.hours_text == "mån–fre 8–16.30"


def test_get_returns_none_for_an_unknown_id(shipped: ContactDirectory) -> None:
    assert shipped.get("finns-inte") is None


@pytest.mark.parametrize(
    ("categories", "text", "expected"),
    [
        (
            ["individual_case"],
            "Varför har ni dragit in mitt försörjningsstöd?",
            "socialtjanst-mottagning",
        ),
        (["individual_case"], "Mitt forsorjningsstod kom inte", "socialtjanst-mottagning"),
        (["individual_case"], "När blir bygglovet för vår altan klart??", "bygglov"),
        (["individual_case"], "Hemtjänsten kom inte till pappa i går", "aldreomsorg-bistand"),
        (["individual_case"], "Grundskolan svarar aldrig på mina mejl", "skola"),
        (["child_at_risk"], "grannens barn far illa", "barn-och-familj"),
        (["crime"], "någon har klottrat på vår vägg", "polisen"),
        (["personal_data"], "ni har lagt ut mina personuppgifter", "dataskydd"),
    ],
)
def test_suggestion_picks_the_right_place(
    shipped: ContactDirectory, categories: list[str], text: str, expected: str
) -> None:
    assert shipped.suggest(categories, text)[0].id == expected


@pytest.mark.parametrize(
    "text",
    ["", "jag orkar inte mer", "mitt försörjningsstöd drogs in och jag vill inte leva längre"],
)
def test_crisis_puts_sjalvmordslinjen_first(shipped: ContactDirectory, text: str) -> None:
    suggested = shipped.suggest(["crisis", "individual_case"], text)
    assert suggested[0].id == "sjalvmordslinjen"


def test_a_crisis_does_not_push_out_the_office_the_person_mentions(
    shipped: ContactDirectory,
) -> None:
    ids = [c.id for c in shipped.suggest(["crisis", "individual_case"], "mitt försörjningsstöd")]
    assert ids[:2] == ["sjalvmordslinjen", "socialtjanst-mottagning"]


def test_suggestion_is_deterministic_and_limited(shipped: ContactDirectory) -> None:
    first = shipped.suggest(["individual_case", "serious_criticism"], "skolan och bygglovet", 4)
    again = shipped.suggest(["individual_case", "serious_criticism"], "skolan och bygglovet", 4)
    assert first == again
    assert len(first) == 4
    assert shipped.suggest(["individual_case"], "bygglov", limit=0) == []


def test_nothing_is_suggested_without_a_keyword_or_category(shipped: ContactDirectory) -> None:
    assert shipped.suggest([], "fin solnedgång i dag") == []


def test_a_stem_matches_at_word_start_and_a_star_inside_compounds(tmp_path: Path) -> None:
    text = HEADER + entry("a", keywords='["skol"]') + entry("b", keywords='["*skol"]')
    directory = load_contacts(write(tmp_path, text))
    assert [c.id for c in directory.suggest([], "grundskolan")] == ["b"]
    assert [c.id for c in directory.suggest([], "skolan")] == ["a", "b"]


def test_fold_removes_the_swedish_letters() -> None:
    assert fold("Försörjningsstöd ÅÄÖ") == "forsorjningsstod aao"


def test_stale_lists_contacts_whose_review_date_has_passed(tmp_path: Path) -> None:
    text = (
        HEADER
        + entry("late", review_by="2026-03-01")
        + entry("today", review_by="2026-06-01")
        + entry("later", review_by="2027-01-01")
        + entry("latest", review_by="2025-12-31")
    )
    directory = load_contacts(write(tmp_path, text))
    assert [c.id for c in directory.stale(date(2026, 6, 1))] == ["latest", "late"]
    assert directory.stale(date(2025, 1, 1)) == []


def test_the_shipped_review_dates_are_in_the_future_of_the_policy(
    shipped: ContactDirectory,
) -> None:
    assert shipped.stale(date(2026, 11, 21)) == []
    assert len(shipped.stale(date(2030, 1, 1))) == len(shipped.all())


def test_broken_toml_names_file_and_line(tmp_path: Path) -> None:
    text = HEADER + entry() + 'phone = "0340\n'
    path = write(tmp_path, text)
    with pytest.raises(ContactsError) as caught:
        load_contacts(path)
    assert str(path) in str(caught.value)
    assert f"rad {len(text.splitlines())}" in str(caught.value)


def test_an_unknown_category_names_file_line_and_category(tmp_path: Path) -> None:
    text = HEADER + entry("a") + entry("b", categories='["individual_case", "gossip"]')
    path = write(tmp_path, text)
    with pytest.raises(ContactsError, match=r"okänd kategori 'gossip'") as caught:
        load_contacts(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert f"rad {line_of(text, 'categories', 2)}:" in message


def test_an_unknown_key_is_reported_in_swedish_at_its_line(tmp_path: Path) -> None:
    text = HEADER + entry("a") + 'fax = "0340-1"\n'
    path = write(tmp_path, text)
    with pytest.raises(ContactsError, match="okänd nyckel") as caught:
        load_contacts(path)
    assert f"rad {line_of(text, 'fax')}:" in str(caught.value)


def test_a_bad_phone_number_is_reported_at_its_line(tmp_path: Path) -> None:
    text = HEADER + entry("a") + entry("b", phone="ring oss")
    path = write(tmp_path, text)
    with pytest.raises(ContactsError, match="ogiltigt telefonnummer") as caught:
        load_contacts(path)
    assert f"rad {line_of(text, 'ring oss')}:" in str(caught.value)


def test_a_duplicate_id_is_reported_at_the_second_entry(tmp_path: Path) -> None:
    text = HEADER + entry("a") + entry("a")
    path = write(tmp_path, text)
    with pytest.raises(ContactsError, match="finns redan") as caught:
        load_contacts(path)
    assert f"rad {line_of(text, 'id = ', 2)}:" in str(caught.value)


def test_a_missing_review_date_is_reported(tmp_path: Path) -> None:
    text = HEADER + re.sub(r"review_by = .*\n", "", entry("a"))
    with pytest.raises(ContactsError, match=r"contacts\.0\.review_by: värdet saknas"):
        load_contacts(write(tmp_path, text))


def test_a_bad_office_hours_table_is_reported_at_its_line(tmp_path: Path) -> None:
    text = HEADER + entry("a") + '[contacts.office_hours]\nstart = "kl åtta"\n'
    path = write(tmp_path, text)
    with pytest.raises(ContactsError, match="ogiltig tid") as caught:
        load_contacts(path)
    assert f"rad {line_of(text, '[contacts.office_hours]')}:" in str(caught.value)


def test_a_missing_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ContactsError, match="kan inte läsas"):
        load_contacts(tmp_path / "saknas.toml")


def test_contacts_are_frozen(shipped: ContactDirectory) -> None:
    contact = shipped.all()[0]
    assert isinstance(contact, Contact)
    with pytest.raises(ValueError, match="frozen"):
        contact.phone = "112"
