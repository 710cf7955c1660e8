"""Rule files: a broken file gives an error naming the file and the line; versions."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import bot.risk
from bot.risk import DEFAULT_RULES_DIR, RuleFileError, assess, load_engine

MAIN = 'version = "t1"\n[normalize]\nnegators = ["inte"]\n'


def write_rules(tmp_path: Path, body: str, name: str = "crime.toml") -> Path:
    (tmp_path / "ruleset.toml").write_text(MAIN, encoding="utf-8")
    (tmp_path / name).write_text(body, encoding="utf-8")
    return tmp_path


def error_for(tmp_path: Path, body: str) -> RuleFileError:
    with pytest.raises(RuleFileError) as info:
        load_engine(write_rules(tmp_path, body))
    return info.value


def test_rule_file_error_is_a_value_error() -> None:
    assert issubclass(RuleFileError, ValueError)


def test_toml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    err = error_for(tmp_path, 'category = "crime"\n\n[[rule]]\nid = "a"\npatterns = ["x" \n')
    assert err.path.name == "crime.toml"
    assert err.line == 5
    assert "crime.toml, rad 5" in str(err)


def test_unknown_category_points_at_its_line(tmp_path: Path) -> None:
    body = (
        'category = "crime"\n[[rule]]\nid = "a"\npatterns = ["stöld"]\n\n'
        '[[rule]]\nid = "b"\ncategory = "brott"\npatterns = ["x"]\n'
    )
    err = error_for(tmp_path, body)
    assert err.line == 8
    assert "okänd kategori »brott«" in str(err)


def test_bad_regex_points_at_the_pattern_line(tmp_path: Path) -> None:
    body = (
        'category = "crime"\n[[rule]]\nid = "a"\npatterns = [\n  "stöld",\n  \'re:(unclosed\',\n]\n'
    )
    err = error_for(tmp_path, body)
    assert err.line == 6
    assert "reguljärt uttryck" in str(err)


def test_bad_weight_points_at_its_line(tmp_path: Path) -> None:
    body = 'category = "crime"\n[[rule]]\nid = "a"\npatterns = ["stöld"]\nweight = -2\n'
    err = error_for(tmp_path, body)
    assert err.line == 5
    assert "vikt" in str(err)


@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ('category = "crime"\n[[rule]]\nid = "a"\npatern = ["x"]\n', 4, "okänd nyckel"),
        ('category = "crime"\n[[rule]]\nid = "a"\npatterns = ["@saknas stöld"]\n', 4, "ordlista"),
        ('category = "crime"\n[[rule]]\nid = "a"\npatterns = ["(a|b"]\n', 4, "saknar"),
        ('category = "crime"\n[[rule]]\nid = "a"\npatterns = ["re:\\bx"]\n', 4, "styrtecken"),
        # Folded text has runs of a vowel as one and no capitals or å/ä/ö: such a literal in a
        # "re:" regex could never match.
        ("category = \"crime\"\n[[rule]]\nid = \"a\"\npatterns = ['re:\\btook\\b']\n", 4, "»oo«"),
        ("category = \"crime\"\n[[rule]]\nid = \"a\"\npatterns = ['re:\\bgränd\\b']\n", 4, "»ä«"),
        (
            'category = "crime"\n[[benign]]\nid = "a"\nscope = "page"\npatterns = ["x"]\n',
            4,
            "scope",
        ),
        (
            'category = "crime"\n[[rule]]\nid = "a"\npatterns = ["x"]\n'
            '[[rule]]\nid = "a"\npatterns = ["y"]\n',
            6,
            "finns redan",
        ),
        # A file's requires names its own line, not the first rule that inherits it.
        (
            'category = "crime"\nrequires = ["(a|b"]\n[[rule]]\nid = "a"\npatterns = ["x"]\n',
            2,
            "saknar",
        ),
        (
            'category = "crime"\nlearned_requires = "ja"\nrequires = ["barn"]\n',
            2,
            "true eller false",
        ),
        ('category = "crime"\nlearned_requires = true\n', 2, "requires"),
    ],
)
def test_semantic_errors_name_the_line(tmp_path: Path, body: str, line: int, words: str) -> None:
    err = error_for(tmp_path, body)
    assert err.line == line
    assert words in str(err)


def test_missing_main_file(tmp_path: Path) -> None:
    with pytest.raises(RuleFileError, match=r"ruleset\.toml"):
        load_engine(tmp_path)


def test_version_has_declared_part_and_content_hash(tmp_path: Path) -> None:
    rules = write_rules(tmp_path, 'category = "crime"\n[[rule]]\nid = "a"\npatterns = ["stöld"]\n')
    first = load_engine(rules).version
    assert first.startswith("t1+") and len(first) == len("t1+") + 8
    (rules / "crime.toml").write_text(
        'category = "crime"\n[[rule]]\nid = "a"\npatterns = ["stöld", "rån"]\n', encoding="utf-8"
    )
    assert load_engine(rules).version != first
    assert load_engine(rules).assess("en stöld").ruleset_version == load_engine(rules).version


def test_default_rules_load_and_own_numbers_change_the_version() -> None:
    plain = load_engine()
    assert plain.version.startswith("2025.1+")
    assert load_engine(own_numbers=["0500-12 34 56"]).version != plain.version


def test_env_var_selects_the_rules_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rules = tmp_path / "risk"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    (rules / "ruleset.toml").write_text(
        (rules / "ruleset.toml").read_text(encoding="utf-8").replace('"2025.1"', '"lokal-7"'),
        encoding="utf-8",
    )
    monkeypatch.setenv("SOMEVAKTEN_RISK_RULES", str(rules))
    monkeypatch.setattr(bot.risk, "_default", None)
    assert assess("hej").ruleset_version.startswith("lokal-7+")
    monkeypatch.setattr(bot.risk, "_default", None)
