"""The small pattern language of the rule files, compiled to regexes over normalised text.

A pattern is a sequence of words separated by spaces, matched against consecutive words:

    word        exactly that word            stem*     a word starting with stem
    *head       a word ending with head      *part*    a word containing part (compounds)
    (a b|c)     any of the alternatives      @list     any entry of a named word list
    word?       the word may be missing      ...  ...5 up to 3 (or 5) other words in between

Alternatives may hold several words and nest: "(ta (mitt|sitt) liv|avsluta allt)".
Literals are folded like the text (lowercase, å/ä/ö → a/o, repeated letters collapsed), so
"dö*" also matches "DÖÖÖR" and "dor". A pattern starting with "re:" is a raw Python regular
expression over the normalised text; "orig:" one over the original text (case and all).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.risk.normalize import fold_literal

# Words of one pattern may be separated by anything but the end of a sentence (". ", "!", "?",
# a line break); an ellipsis ("orkar inte... leva") does not end one. A separator always runs
# up to the next word, so it never needs to give characters back (possessive: fails fast).
SEP = r"(?:\.{2,}|[^\w\n.!?]|[.!?](?!\s|$))++"
GAP_SEP = SEP
MAX_GAP = 12
_ALT_OK = re.compile(r"\*?[\w'\-.:]+\*?")
NONWORD = re.compile(r"[^\w]+")


Trie = dict[str, "Trie"]


class PatternError(ValueError):
    """A pattern that cannot be compiled; the message says why, in Swedish."""


@dataclass(frozen=True, slots=True)
class Alt:
    """One word form: a literal with optional wildcards before and after."""

    literal: str
    head: bool = False
    tail: bool = False

    @property
    def runs(self) -> list[str]:
        """The literal's runs of letters: the words a match of this form spans at most."""
        return [r for r in NONWORD.split(self.literal) if r]

    @property
    def anchor(self) -> str:
        """The longest run of letters: it must occur in the text for the word form to match."""
        runs = self.runs
        return max(runs, key=len) if runs else ""

    @property
    def anchor_starts_word(self) -> bool:
        """True when the anchor is a prefix of the word (so the gate may require a word start)."""
        runs = self.runs
        return not self.head and bool(runs) and self.anchor == runs[0]

    @property
    def first_run(self) -> str:
        """The first run of letters: where a match of this word form begins."""
        runs = self.runs
        return runs[0] if runs else ""

    def body(self) -> str:
        """Regex source for this word form, without word boundaries."""
        body = r"\W*".join(re.escape(r) for r in self.runs)
        return (r"\w*" if self.head else "") + body + (r"\w*" if self.tail else "")

    def regex(self) -> str:
        """Regex source for this word form, bounded by word boundaries."""
        return r"\b" + self.body() + r"\b"


@lru_cache(maxsize=4096)
def _word_alternation(alts: tuple[Alt, ...]) -> str:
    """Alternatives of single words as prefix trees: "barn|barnen|barn*" shares "barn", and
    all "*head" forms share one leading \\w*. Cached: a list such as @barn is spelled out in
    many patterns, and building its tree is most of the rules' load time."""
    trie: Trie = {}
    heads: Trie = {}
    other: list[str] = []
    for alt in alts:
        if NONWORD.search(alt.literal):
            other.append(alt.body())
            continue
        node = heads if alt.head else trie
        for ch in alt.literal:
            node = node.setdefault(ch, {})
        node["*" if alt.tail else "$"] = {}

    def build(node: Trie) -> str:
        if "*" in node:
            return r"\w*"
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch != "$"]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "$" in node:
            return f"(?:{body})?"
        return body

    parts = ([build(trie)] if trie else []) + ([r"\w*" + build(heads)] if heads else []) + other
    return r"\b(?:" + "|".join(parts) + r")\b"


@dataclass(frozen=True, slots=True)
class Node:
    """A word form, a group of alternative sequences, or a gap of up to `gap` words."""

    word: Alt | None = None
    options: tuple[tuple[Node, ...], ...] = ()
    optional: bool = False
    gap: int = 0


Seq = tuple[Node, ...]


@lru_cache(maxsize=1 << 16)
def parse_alt(text: str) -> Alt:
    """Parse one word form such as "dö*", "*personal*" or "orkar"."""
    if not _ALT_OK.fullmatch(text) or text.strip("*") == "":
        raise PatternError(f"ogiltigt ord »{text}«")
    head, tail = text.startswith("*"), text.endswith("*")
    literal = fold_literal(text.strip("*"))
    if not NONWORD.sub("", literal):
        raise PatternError(f"ogiltigt ord »{text}«")
    return Alt(literal, head, tail)


def _split(text: str, sep: str) -> list[str]:
    """Split on `sep` (whitespace when " ") outside parentheses."""
    if "(" not in text and ")" not in text:  # most list entries and words: no nesting
        return text.split() if sep == " " else text.split(sep)
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                raise PatternError("»)« utan »(«")
        at_sep = ch.isspace() if sep == " " else ch == sep
        if at_sep and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(ch)
    if depth:
        raise PatternError("»(« saknar »)«")
    parts.append("".join(current))
    return [p for p in parts if p] if sep == " " else parts


def parse_seq(text: str, lists: Mapping[str, tuple[Seq, ...]] | None = None) -> Seq:
    """Parse a sequence of words, groups, list references and gaps."""
    tokens = _split(text.strip(), " ")
    if not tokens:
        raise PatternError("tomt alternativ")
    return tuple(_parse_node(tok, lists or {}) for tok in tokens)


def _parse_node(token: str, lists: Mapping[str, tuple[Seq, ...]]) -> Node:
    if token.startswith("..."):
        rest = token[3:]
        if rest and not rest.isdigit():
            raise PatternError(f"ogiltig lucka »{token}«, skriv ... eller ...5")
        size = int(rest) if rest else 3
        if not 1 <= size <= MAX_GAP:
            raise PatternError(f"luckan »{token}« får vara 1–{MAX_GAP} ord")
        return Node(gap=size)
    optional = token.endswith("?")
    token = token.removesuffix("?")
    if token.startswith("@"):
        if token[1:] not in lists:
            raise PatternError(f"okänd ordlista »{token}«")
        return Node(options=lists[token[1:]], optional=optional)
    if token.startswith("(") and token.endswith(")"):
        parts = _split(token[1:-1], "|")
        if not all(p.strip() for p in parts):
            raise PatternError(f"tomt alternativ i »{token}«")
        return Node(options=tuple(parse_seq(p, lists) for p in parts), optional=optional)
    if "(" in token or ")" in token or "|" in token:
        raise PatternError(f"alternativ skrivs (a|b): »{token}«")
    return Node(word=parse_alt(token), optional=optional)


def _inner(seq: Seq) -> Seq:
    """The sequence without gaps at either end: they can only match nothing."""
    while seq and seq[0].gap:
        seq = seq[1:]
    while seq and seq[-1].gap:
        seq = seq[:-1]
    return seq


def max_words(seq: Seq) -> int:
    """The most words (\\w+ runs) a match of the sequence can span: separators and gaps hold
    whole words, and a word form spans at most as many words as its literal has runs."""
    total = 0
    for node in _inner(seq):
        if node.gap:
            total += node.gap
        elif node.word is not None:
            total += len(node.word.runs)
        else:
            total += max(max_words(option) for option in node.options)
    return total


def seq_regex(seq: Seq) -> str:
    """Regex source for a sequence of the rule language over normalised text."""
    seq = _inner(seq)
    if not seq or all(n.optional or n.gap for n in seq):
        raise PatternError("varje mönster och alternativ behöver ett ord som inte är valfritt")
    parts: list[str] = []
    leading = True
    pending_gap = 0
    for node in seq:
        if node.gap:
            pending_gap = node.gap
            continue
        rx = _node_regex(node)
        if leading and node.optional:
            parts.append(f"(?:{rx}{SEP})?")
            continue
        if not leading:
            # Gaps are the only capturing groups: a negation inside one ("vill inte dö")
            # negates the match, while a negation the pattern spells out does not.
            gap = f"((?:{GAP_SEP}\\w++){{0,{pending_gap}}})" if pending_gap else ""
            # The gap stays when an optional word after it is missing: "kommer ...4 (att)?
            # brinna" is "kommer fritidsgården brinna" too.
            rx = f"{gap}(?:{SEP}{rx})?" if node.optional else f"(?:{gap}{SEP}{rx})"
        leading = False
        pending_gap = 0
        parts.append(rx)
    return "".join(parts)


def _node_regex(node: Node) -> str:
    if node.word is not None:
        return node.word.regex()
    # A word list is one tuple shared by every pattern that names it: build its regex once.
    cached = _GROUP_REGEX.get(id(node.options))
    if cached is not None and cached[0] is node.options:
        return cached[1]
    single = [s for s in node.options if _is_single(s)]
    multi = [s for s in node.options if not _is_single(s)]
    words = [s[0].word for s in single if s[0].word is not None]
    parts = ([_word_alternation(tuple(words))] if words else []) + [seq_regex(s) for s in multi]
    out = parts[0] if len(parts) == 1 and words else "(?:" + "|".join(parts) + ")"
    if len(_GROUP_REGEX) > 10_000:
        _GROUP_REGEX.clear()
    _GROUP_REGEX[id(node.options)] = (node.options, out)
    return out


def _is_single(option: Seq) -> bool:
    return len(option) == 1 and option[0].word is not None and not option[0].optional


# Regex source per group of options, keyed by identity (the tuple is kept, so its id is not
# reused while it is here).
_GROUP_REGEX: dict[int, tuple[tuple[Seq, ...], str]] = {}
