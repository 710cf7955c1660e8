"""Normalisation: folding, leetspeak, masks, spacing, repeats, emojis, broken encodings."""

from __future__ import annotations

import pytest

from bot.risk.normalize import Normalizer, fold_literal

norm = Normalizer(
    emoji_words={"😂": "haha"}, mask_words=["jävla", "fan", "idiot", "kuk", "hora", "fuck"]
).normalize


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jag orkar inte leva LÄNGRE", "jag orkar inte leva langre"),
        ("barnen mår dåligt", "barnen mar daligt"),
        ("ÅSA ÄR ÖVER, café, müsli", "asa ar over, cafe, musli"),
        ("f4n", "fan"),
        ("h0ra", "hora"),
        ("1d10t", "idiot"),
        ("j*vla", "javla"),
        ("k*k", "kuk"),
        ("f**k", "fuck"),
        ("du är en i d i o t", "du ar en idiot"),
        ("k-u-k", "kuk"),
        ("hjäääälp", "hjalp"),
        ("snällllla", "snalla"),
        ("JAG DÖÖÖR", "jag dor"),
        ("Kvarngatan 3B", "kvarngatan 3b"),
        ("10st och 5kr", "10st och 5kr"),
        ("sj\u00adälv\u00admord", "sjalvmord"),
        ("sj\\u00e4lvmord", "sjalvmord"),
        ("sjÃ¤lvmord", "sjalvmord"),
        ("K&ouml;p", "kop"),
        ("ｆａｎ", "fan"),
        ("a\u0308ngest", "angest"),
    ],
)
def test_normalised_text(text: str, expected: str) -> None:
    assert norm(text).text == expected


def test_emoji_becomes_a_word() -> None:
    assert norm("dog 😂").text.split() == ["dog", "haha"]


@pytest.mark.parametrize(
    "text",
    ["j*vla i d i o t 😂 hjäääälp", "sj\u00adälvmord &amp; ÅÄÖ", "İstanbul f4n", "plain text"],
)
def test_every_normalised_span_maps_inside_the_original(text: str) -> None:
    result = norm(text)
    start, end = result.span(0, len(result.text))
    assert 0 <= start <= end <= len(text)
    for i in range(len(result.text)):
        s, e = result.span(i, i + 1)
        assert 0 <= s < e <= len(text)


def test_span_of_a_deobfuscated_word_covers_the_written_word() -> None:
    text = "ni är j*vla pucko"
    result = norm(text)
    i = result.text.index("javla")
    start, end = result.span(i, i + len("javla"))
    assert text[start:end] == "j*vla"


def test_fold_literal_matches_text_folding() -> None:
    assert fold_literal("Hjälp") == norm("HJÄÄÄLP").text
    assert fold_literal("alltså") == "alltsa"
