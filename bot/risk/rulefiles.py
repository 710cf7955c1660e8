"""Reading rule files: TOML parsing and error messages that name the file and the line."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_LINE = re.compile(r"at line (\d+)")


class RuleFileError(ValueError):
    """A rule file that cannot be used; the message names the file and the line."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        self.path = path
        self.line = line
        self.reason = message
        where = display_path(path) + (f", rad {line}" if line else "")
        super().__init__(f"{where}: {message}")


def display_path(path: Path) -> str:
    """The path as a municipality's editor would recognise it (relative to the working dir)."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True, slots=True)
class RuleFile:
    """One parsed rule file and its source text, for locating entries by line."""

    path: Path
    text: str
    data: dict[str, Any]

    def error(
        self,
        message: str,
        *,
        table: str | None = None,
        index: int | None = None,
        key: str | None = None,
        value: str | None = None,
    ) -> RuleFileError:
        """An error pointing at the line of table[index].key (and the value inside it)."""
        return RuleFileError(self.path, self.locate(table, index, key, value), message)

    def locate(
        self,
        table: str | None,
        index: int | None = None,
        key: str | None = None,
        value: str | None = None,
    ) -> int | None:
        """Line number (1-based) of an entry, best effort; None when it cannot be found."""
        lines = self.text.splitlines()
        start, end = _block(lines, table, index)
        if start is None:
            return None
        if key is None:
            return start + 1 if table is not None else 1
        key_rx = re.compile(
            rf"^\s*(?:\"{re.escape(key)}\"|'{re.escape(key)}'|{re.escape(key)})\s*="
        )
        for i in range(start, end):
            if key_rx.match(lines[i]):
                if value is None:
                    return i + 1
                for j in range(i, end):
                    if value in lines[j] or _quoted(value) in lines[j]:
                        return j + 1
                return i + 1
        return start + 1 if table is not None else None


def _quoted(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _block(lines: list[str], table: str | None, index: int | None) -> tuple[int | None, int]:
    """The [start, end) line range of a table, or of the index-th [[table]]."""
    start: int | None = 0 if table is None else None
    seen = -1
    for i, line in enumerate(lines):
        m = _HEADER.match(line)
        if not m:
            continue
        if start is not None:
            return start, i
        is_array = m.group(1) == "[["
        name = m.group(2).strip()
        if name == table and (index is None) != is_array:
            seen += 1
            if index is None or seen == index:
                start = i
    return start, len(lines)


def read_rule_file(path: Path) -> RuleFile:
    """Parse one TOML rule file; syntax errors name the file and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise RuleFileError(path, None, f"kan inte läsas: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        line = int(m.group(1)) if m else len(text.splitlines()) or None
        reason = str(exc).split(" (at line")[0]
        raise RuleFileError(path, line, f"felaktig TOML: {reason}") from exc
    return RuleFile(path, text, data)
