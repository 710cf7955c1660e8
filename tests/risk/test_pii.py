"""Personal data detectors: personnummer, samordningsnummer, phones, e-mail, addresses."""

from __future__ import annotations

from datetime import date

import pytest

from bot.risk.pii import PiiConfig, PiiDetector, luhn_ok, national_digits, personnummer_kind
from bot.risk.repair import clean_for_detectors

CONFIG = PiiConfig(
    own_numbers=frozenset({national_digits("0340-88 000")}),
    public_numbers=frozenset(
        national_digits(n) for n in ("112", "114 14", "90101", "020-50 50 50")
    ),
    nonpersonal_localparts=frozenset({"info", "kontakt"}),
    street_suffixes=("gatan", "vägen", "stigen", "gränd"),
    address_cues=("bor", "adress*"),
    venue_cues=("bibliotek*", "box"),
    order_cues=("order", "ordernr", "ocr", "faktura*", "kundnummer"),
)
detector = PiiDetector(CONFIG, today=date(2026, 1, 1))


def kinds(text: str) -> list[tuple[str, str]]:
    return [(m.kind, m.text) for m in detector.find(text)]


def test_luhn_worked_examples() -> None:
    assert luhn_ok("8112189876")
    assert luhn_ok("6408233234")
    assert not luhn_ok("8112189875")


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("811218-9876", "personnummer"),
        ("8112189876", "personnummer"),
        ("19811218-9876", "personnummer"),
        ("198112189876", "personnummer"),
        ("640823-3234", "personnummer"),
        ("19121212-1212", "personnummer"),
        ("121212+1212", "personnummer"),
        ("811278-9873", "samordningsnummer"),
    ],
)
def test_valid_personnummer_forms(text: str, kind: str) -> None:
    assert kinds(f"Mitt nummer är {text} tack") == [(kind, text)]


@pytest.mark.parametrize(
    "text",
    [
        "811218-9875",  # Luhn fails
        "811318-9870",  # month 13
        "2024-05-12",  # a date
        "Stämman hålls 2024-05-12 kl 18.00",
        "ordernr 8112189876",  # an order number, even when Luhn and date pass
        "OCR 7712345678901",
        "Beloppet är 1 250 kr",
        "20991212-1212",  # born in the future
    ],
)
def test_not_personnummer(text: str) -> None:
    assert not [k for k, _ in kinds(text) if k in ("personnummer", "samordningsnummer")]


def test_plus_sign_means_a_hundred_years_old() -> None:
    assert personnummer_kind("", "121212", "+", "1212", date(2026, 1, 1)) == "personnummer"


@pytest.mark.parametrize(
    "number",
    [
        "070-123 45 67",
        "0701234567",
        "+46 70 123 45 67",
        "+46701234567",
        "08-123 456 78",
        "031-12 34 56",
        "073-123 45 67",
        "0046 70 123 45 67",
    ],
)
def test_phone_formats(number: str) -> None:
    assert kinds(f"ring {number} ikväll") == [("phone", number)]


@pytest.mark.parametrize(
    "text",
    [
        "Ring kontaktcenter 0340-88 000",
        "ring 112",
        "Ring 114 14",
        "Självmordslinjen 90101",
        "Kvinnofridslinjen 020-50 50 50",
        "kl 08.00-17.00",
        "ordernr 0123456789",
    ],
)
def test_not_personal_phone(text: str) -> None:
    assert not [k for k, _ in kinds(text) if k == "phone"]


def test_own_number_in_another_format_is_still_allowlisted() -> None:
    assert kinds("ring +46 340 88 000") == []


def test_spelled_out_phone_number() -> None:
    assert kinds("ring noll sju noll, 174 06 12 om ni sett hunden")[0][0] == "phone"


def test_email() -> None:
    assert kinds("maila anna.svensson@example.se") == [("email", "anna.svensson@example.se")]
    assert kinds("skriv till kontakt@kommun.example") == []


def test_street_addresses() -> None:
    found = detector.find("Jag bor på Kvarngatan 3B sedan i fjol")
    assert [(m.kind, m.text, m.cued) for m in found] == [("address", "Kvarngatan 3B", True)]
    assert [(m.kind, m.text) for m in detector.find("Storgatan 12")] == [
        ("address", "Storgatan 12")
    ]


def test_public_place_address_is_not_a_home() -> None:
    found = detector.find("Biblioteket på Storgatan 12 har öppet")
    assert [m.cued for m in found] == [False]


def test_street_without_number_and_box_address_are_not_addresses() -> None:
    assert kinds("Det körs för fort på Storgatan efter kl 22") == []
    assert kinds("Skicka till Box 123, 434 81 Kungsbacka") == []


def test_a_street_followed_by_a_date_is_not_an_address() -> None:
    assert kinds("Boten jag fick på Kyrkogatan 12/3 bestrider jag") == []
    assert kinds("Jag bor på Kyrkogatan 12 sedan 3/4") == [("address", "Kyrkogatan 12")]


def test_offsets_survive_odd_whitespace_and_decomposed_letters() -> None:
    text = "Pnr\u00a0811218-9876 och a\u0308r 070\u00a0123 45 67"
    for m in detector.find(text):
        assert text[m.start : m.end] == m.text
    assert [k for k, _ in kinds(text)] == ["personnummer", "phone"]


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("Ga\u0308rdsva\u0308gen 3 \u2764\ufe0f", "Gärdsvägen 3 \u2764"),
        ("\u0301070-123 45 67", "070-123 45 67"),  # an accent on nothing is dropped
        ("rad\n\u0308ett", "rad\nett"),
        ("070\u200b-123\ufe0f 45 67 \U0001d7ce", "070-123 45 67 0"),
    ],
)
def test_cleaning_composes_accents_and_drops_invisible_marks(text: str, cleaned: str) -> None:
    """What the detectors read: accents composed with their letter, invisible marks (an
    emoji's variation selector, zero-width spaces, an accent on no letter) gone, look-alike
    digits plain; each character still maps back into the text."""
    clean = clean_for_detectors(text)
    assert clean.text == cleaned
    for i in range(len(clean.text)):
        start, end = clean.span(i, i + 1)
        assert 0 <= start < end <= len(text)
