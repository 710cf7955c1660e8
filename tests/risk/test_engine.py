"""The engine on single comments: categories, acute, negation, idioms, evidence and advice."""

from __future__ import annotations

import pytest

from bot.risk import Category, HybridEngine, RiskEngine, assess, reasons

C = Category


def cats(engine: RiskEngine, text: str) -> set[Category]:
    return set(engine.assess(text).categories)


@pytest.mark.parametrize(
    ("text", "expected", "acute"),
    [
        ("jag orkar inte leva längre", {C.CRISIS}, True),
        ("JAG ORKAR INTE LEVA LANGRE", {C.CRISIS}, True),
        ("ja vill ba dö asså", {C.CRISIS}, True),
        ("Jag har börjat skära mig igen", {C.CRISIS}, False),
        ("grannens barn blir slagen varje kväll", {C.CHILD_AT_RISK, C.CRIME}, False),
        (
            "Det står en liten tjej ensam utanför affären, kanske 3 år, i över en timme nu",
            {C.CHILD_AT_RISK},
            True,
        ),
        ("Någon har brutit sig in i förrådet JUST NU", {C.CRIME}, True),
        ("Någon har stulit min cykel vid stationen", {C.CRIME}, False),
        (
            "Min ansökan om bygglov har legat hos er i fyra månader utan svar",
            {C.INDIVIDUAL_CASE},
            False,
        ),
        ("Ni är ett gäng j*vla idioter", {C.PROHIBITED}, False),
        ("f4n vad ni suger, i d i o t e r", {C.PROHIBITED}, False),
        ("Det är vanvård på äldreboendet, de boende har liggsår", {C.SERIOUS_CRITICISM}, False),
        ("I want to kill myself tonight", {C.CRISIS}, True),
    ],
)
def test_categories_and_acute(
    engine: RiskEngine, text: str, expected: set[Category], acute: bool
) -> None:
    result = engine.assess(text)
    assert set(result.categories) == expected
    assert result.acute is acute


@pytest.mark.parametrize(
    "text",
    [
        "Jag dör av skratt 😂",
        "Mördande bra konsert igår!",
        "Sjukt bra lekplats",
        "Hur anmäler man sig till simskolan?",
        "Hur ansöker man om försörjningsstöd?",
        "Stort tack till polisen och räddningstjänsten för snabb insats",
        "Lite tråkigt att biblioteket stänger tidigt på fredagar",
        "Jävligt bra jobb med cykelbanan!",
        "Jag vill inte dö, jag vill bara ha sommar",
        "Jag är inte självmordsbenägen, bara trött på regnet",
        "Skjut upp mötet till nästa vecka",
        "Den här backen tar livet av mig varje morgon 😂",
        "Ring Självmordslinjen 90101 om du mår dåligt",
        "Vi frös ihjäl på nationaldagen men det var värt det",
        "Kan man lämna gamla tabletter på apoteket?",
    ],
)
def test_benign_and_negated_comments_are_not_flagged(engine: RiskEngine, text: str) -> None:
    assert engine.assess(text).categories == ()


def test_several_categories_at_once(engine: RiskEngine) -> None:
    text = "Min handläggare är en jävla idiot, ring mig på 070-123 45 67 om mitt ärende"
    assert cats(engine, text) == {C.INDIVIDUAL_CASE, C.PROHIBITED, C.PERSONAL_DATA}


def test_evidence_spans_are_offsets_into_the_original(engine: RiskEngine) -> None:
    text = "Hej!!! JAG ORKAR INTE LEVA LÄÄÄNGRE 😭 snälla, mitt pnr är 811218-9876"
    result = engine.assess(text)
    assert result.evidence
    for ev in result.evidence:
        assert text[ev.start : ev.end] == ev.text
    assert any(
        ev.text == "811218-9876" and ev.rule == "personal_data.personnummer"
        for ev in result.evidence
    )


def test_evidence_of_an_obfuscated_word_is_the_written_form(engine: RiskEngine) -> None:
    result = engine.assess("ni är j*vla pucko")
    assert {ev.text for ev in result.evidence} >= {"j*vla"}


def test_advice_follows_the_routines(engine: RiskEngine) -> None:
    crisis = engine.assess("jag vill dö ikväll")
    assert any("90101" in a for a in crisis.advice)
    assert any("112" in a for a in crisis.advice)
    crime = engine.assess("Någon har stulit min cykel")
    assert any("114 14" in a for a in crime.advice)
    assert not any(a.startswith("Pågående") for a in crime.advice)
    child = engine.assess("Pappan slår sina barn, de är 5 och 7")
    assert any("orosanmälan" in a.lower() for a in child.advice)


def test_reasons_for_the_card(engine: RiskEngine) -> None:
    lines = reasons(engine.assess("jag orkar inte leva längre"), engine)
    assert lines == ("»orkar inte leva längre« → person i kris",)


def test_assessment_carries_the_rule_set_version(engine: RiskEngine) -> None:
    assert engine.assess("hej").ruleset_version == engine.version


def test_module_level_assess_uses_the_default_engine() -> None:
    assert assess("jag orkar inte leva längre").categories == (C.CRISIS,)


def test_non_string_is_rejected(engine: RiskEngine) -> None:
    with pytest.raises(TypeError):
        engine.assess(None)  # type: ignore[arg-type]


def test_empty_and_emoji_only_comments(engine: RiskEngine) -> None:
    assert engine.assess("").categories == ()
    assert engine.assess("😂😂😂").categories == ()


@pytest.mark.parametrize("end", [".", "!", "?", ",", ";", ":", "\n"])
def test_a_negation_reaches_back_only_to_the_end_of_its_clause(
    engine: HybridEngine, end: str
) -> None:
    """'aldrig jag vill ta livet av mig' is negated; with any clause end after 'aldrig' the
    negator belongs to another clause and the wish stands."""
    negated, _, vetoes = engine.rules.assess_with_vetoes("aldrig jag vill ta livet av mig")
    assert Category.CRISIS not in negated.categories and Category.CRISIS in vetoes
    found = engine.assess(f"Aldrig{end} jag vill ta livet av mig")
    assert Category.CRISIS in found.categories
