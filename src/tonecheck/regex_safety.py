"""Refuse `REGEX` patterns that can backtrack catastrophically, before any text meets them.

spaCy's ``Matcher`` runs a token pattern's ``REGEX`` with Python's ``re``
(``re.compile(value).search(token_text)``), a backtracking engine: ``(a+)+$``
takes seconds on 28 characters and doubles with each more, and the language
server, the CLI and a service would all stall on one draft. spaCy offers no
way to swap the engine, so tonecheck checks each pattern when its pack loads
and refuses, with the reason and what to write instead, every pattern whose
cost can grow faster than the token's length:

1. **A repeat of something that can match in more than one way**: a repeat
   inside a repeat (``(a+)+``, ``(.*a){12}``, ``(a?){20}``), repeated
   alternatives that can start with the same character (``(a|a)*``,
   ``(a|ab)+``) or a repeated group that can match nothing. These are
   exponential.
2. **Two long repeats that can take the same characters** with nothing
   between them that the first cannot take (``\\d+\\d+``, ``.*x.*``,
   ``\\w+\\s*\\w+``): polynomial, squared or worse.
3. **An unanchored long repeat followed by more pattern** (``\\w+ing``,
   ``a.*b``): ``search`` restarts at every character, so a long token costs
   its length squared. Anchor the pattern with ``^``, bound the repeat
   (``{1,50}``), or drop a leading one (under ``search``, ``[a-z]+ing$``
   matches exactly the tokens ``[a-z]ing$`` does).
4. **Backreferences and conditional groups**, which no analysis bounds.

What is left runs in time linear in the token's length. "Long" means more
than ``LONG`` characters; shorter bounded repeats cost a constant per position.
Character classes are compared on a sample of characters plus every
character the pattern names, so ``[a-z]`` and ``\\d`` are disjoint and
``[a-z]`` and ``\\w`` are not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

# Python's own regex parser (what `re.compile` uses); private, but the only way
# to see a pattern's structure exactly as the engine will run it.
from re import _constants as sre
from re import _parser as sre_parse

LONG = 50  # a repeat that may take more characters than this counts as unbounded

_SAMPLE = (
    "".join(map(chr, range(128)))
    + "\u00a0\u00b2\u00b5\u00c0\u00df\u00e9\u00ff\u0130\u0131\u017f\u0300\u0391\u03c9\u0410\u044f"
    + "\u05d0\u0627\u0660\u0669\u0966\u200b\u2028\u212a\u3000\u4e2d\uff10\U0001d7ce\U0001f600"
)

_SINGLE = {sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN, sre.CATEGORY}
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT}
_CATEGORIES = {
    sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_NOT_DIGIT: r"\D",
    sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_NOT_SPACE: r"\S",
    sre.CATEGORY_WORD: r"\w", sre.CATEGORY_NOT_WORD: r"\W",
}
_START_ANCHORS = {sre.AT_BEGINNING, sre.AT_BEGINNING_STRING}


class Unsafe(Exception):
    """Why a pattern is refused, and what to write instead."""


def regex_problems(data: Any) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """(where, why) for each unsafe ``REGEX`` value anywhere in ``data`` (a rule as loaded from YAML).

    ``where`` is the path to the value inside ``data``, e.g. ``("tokens", 0, 2, "TEXT", "REGEX")``.
    """
    for where, value in _regex_values(data, ()):
        problem = regex_problem(value)
        if problem:
            yield where, problem


def regex_problem(regex: str) -> str | None:
    """Why ``regex`` is refused (naming the pattern and the fix), or None when it is safe."""
    try:
        parsed = sre_parse.parse(regex)
    except re.error as exc:
        return f"REGEX {regex!r} is not a valid regular expression: {exc}"
    try:
        _Checker(regex, parsed.state.flags).check(list(parsed))
    except Unsafe as exc:
        return f"REGEX {regex!r} {exc}"
    return None


def _regex_values(node: Any, where: tuple[str | int, ...]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "REGEX" and isinstance(value, str):
                yield where + (key,), value
            else:
                yield from _regex_values(value, where + (key,))
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _regex_values(item, where + (i,))


class _Checker:
    def __init__(self, regex: str, flags: int):
        self.regex = regex
        self.flags = flags
        named = {ch for ch in regex if not ch.isspace()}
        self.alphabet = sorted(set(_SAMPLE) | named | {c.swapcase() for c in named})

    # -- character sets -------------------------------------------------------

    def chars(self, op: Any, av: Any, flags: int) -> frozenset[str]:
        """The sample characters one single-character element can match."""
        rx = re.compile(self._one_char(op, av), flags & (re.IGNORECASE | re.DOTALL | re.ASCII))
        return frozenset(ch for ch in self.alphabet if rx.fullmatch(ch))

    def _one_char(self, op: Any, av: Any) -> str:
        if op is sre.LITERAL:
            return re.escape(chr(av))
        if op is sre.NOT_LITERAL:
            return f"[^{re.escape(chr(av))}]"
        if op is sre.ANY:
            return "."
        if op is sre.CATEGORY:
            return _CATEGORIES.get(av, ".")
        parts = []
        for item_op, item_av in av:  # IN
            if item_op is sre.NEGATE:
                parts.insert(0, "^")
            elif item_op is sre.LITERAL:
                parts.append(re.escape(chr(item_av)))
            elif item_op is sre.RANGE:
                parts.append(f"{re.escape(chr(item_av[0]))}-{re.escape(chr(item_av[1]))}")
            elif item_op is sre.CATEGORY:
                parts.append(_CATEGORIES.get(item_av, r"\s\S"))
            else:
                parts.append(r"\s\S")  # anything we do not model: assume it overlaps everything
        return "[" + "".join(parts) + "]"

    def consumable(self, items: list[Any], flags: int) -> frozenset[str]:
        """Every character a sequence may consume anywhere in it."""
        out: set[str] = set()
        for op, av in items:
            if op in _SINGLE:
                out |= self.chars(op, av, flags)
            elif op in _REPEATS:
                out |= self.consumable(av[2], flags)
            elif op is sre.SUBPATTERN:
                out |= self.consumable(av[3], _with_flags(flags, av))
            elif op is sre.ATOMIC_GROUP:
                out |= self.consumable(av, flags)
            elif op is sre.BRANCH:
                for alternative in av[1]:
                    out |= self.consumable(alternative, flags)
        return frozenset(out)

    def first(self, items: list[Any], flags: int) -> tuple[frozenset[str], bool]:
        """(characters a sequence may start with, whether it may match nothing)."""
        out: set[str] = set()
        for op, av in items:
            if op in _SINGLE:
                return frozenset(out | self.chars(op, av, flags)), False
            if op in _REPEATS:
                chars, empty = self.first(av[2], flags)
                out |= chars
                if av[0] > 0 and not empty:
                    return frozenset(out), False
            elif op in (sre.SUBPATTERN, sre.ATOMIC_GROUP, sre.BRANCH):
                if op is sre.SUBPATTERN:
                    chars, empty = self.first(av[3], _with_flags(flags, av))
                elif op is sre.ATOMIC_GROUP:
                    chars, empty = self.first(av, flags)
                else:
                    results = [self.first(alt, flags) for alt in av[1]]
                    chars = frozenset().union(*(c for c, _ in results))
                    empty = any(e for _, e in results)
                out |= chars
                if not empty:
                    return frozenset(out), False
        return frozenset(out), True

    # -- the checks -------------------------------------------------------------

    def check(self, items: list[Any]) -> None:
        self.structure(items, self.flags, repeated=False)
        self.adjacent(items, self.flags, frozenset())
        for alternative in _top_alternatives(items):
            anchored = bool(alternative) and alternative[0][0] is sre.AT and alternative[0][1] in _START_ANCHORS
            if not anchored:
                self.restarts(alternative, self.flags, tail=True, leading=True)

    def structure(self, items: list[Any], flags: int, repeated: bool) -> None:
        """Rule 1 (and 4): nothing inside a repeat may match in more than one way."""
        for op, av in items:
            if op in (sre.GROUPREF, sre.GROUPREF_EXISTS):
                raise Unsafe(
                    "uses a backreference or a conditional group, whose matching time no check can bound; "
                    "match the repeated word with a second token spec instead"
                )
            if op in _REPEATS:
                low, high, body = av
                if repeated and low != high:
                    raise Unsafe(
                        "repeats a group that itself holds a repeat of varying length, so a long token can be "
                        "split between the repeats in exponentially many ways and matching can take hours; "
                        "repeat once, e.g. `(a+)+` -> `a+`, `(\\w+\\s?)+` -> `[\\w\\s]+`"
                    )
                if high > 1:
                    chars, empty = self.first(body, flags)
                    if empty:
                        raise Unsafe(
                            "repeats a group that can match nothing, so the engine can loop over the same "
                            "position in many ways; make every repeated part match at least one character"
                        )
                self.structure(body, flags, repeated or high > 1)
            elif op is sre.SUBPATTERN:
                self.structure(av[3], _with_flags(flags, av), repeated)
            elif op is sre.ATOMIC_GROUP:
                self.structure(av, flags, repeated)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                self.structure(av[1], flags, repeated)
            elif op is sre.BRANCH:
                alternatives = av[1]
                if repeated:
                    seen: set[str] = set()
                    for alternative in alternatives:
                        chars, empty = self.first(alternative, flags)
                        if empty or chars & seen:
                            raise Unsafe(
                                "repeats alternatives that can start with the same character (or match "
                                "nothing), so a long token can be split between them in exponentially many "
                                "ways; use a character class (`(a|b)+` -> `[ab]+`) or make each "
                                "alternative start with a different character"
                            )
                        seen |= chars
                for alternative in alternatives:
                    self.structure(alternative, flags, repeated)

    def adjacent(self, items: list[Any], flags: int, active: frozenset[str]) -> frozenset[str]:
        """Rule 2: ``active`` holds what earlier long repeats could still take; a new one must not overlap it."""
        for op, av in items:
            if op in _SINGLE:
                if not self.chars(op, av, flags) & active:
                    active = frozenset()  # a character the repeats before cannot take: they stop here
            elif op in _REPEATS:
                low, high, body = av
                if high > LONG:
                    chars = self.consumable(body, flags)
                    if chars & active:
                        raise Unsafe(
                            "has two long repeats that can take the same characters with nothing between "
                            "them that the first cannot take (like `\\d+\\d+` or `.*x.*`), so the engine tries "
                            "every way to share a long token between them; merge them into one repeat or put "
                            "a character between them that the first repeat cannot match"
                        )
                    active = active | chars if low == 0 else chars
                else:
                    once = self.adjacent(body, flags, active)
                    active = once if low > 0 else active | once
            elif op is sre.SUBPATTERN:
                active = self.adjacent(av[3], _with_flags(flags, av), active)
            elif op is sre.ATOMIC_GROUP:
                active = self.adjacent(av, flags, active)
            elif op is sre.BRANCH:
                active = frozenset().union(*(self.adjacent(alt, flags, active) for alt in av[1]))
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                self.adjacent(av[1], flags, frozenset())
        return active

    def restarts(self, items: list[Any], flags: int, *, tail: bool, leading: bool) -> None:
        """Rule 3: in an unanchored pattern a long repeat may only come last."""
        for index, (op, av) in enumerate(items):
            # Only a repeat with nothing after it (not even `$`) never backtracks.
            last = tail and index == len(items) - 1
            first = leading and index == 0
            if op in _REPEATS:
                low, high, body = av
                if high > LONG and not last:
                    if first:
                        fix = "drop the leading repeat (under search, `[a-z]+ing$` matches the same tokens as `[a-z]ing$`)"
                    else:
                        fix = "anchor the pattern at the start with `^`, or bound the repeat, e.g. `{1,%d}`" % LONG
                    raise Unsafe(
                        "has a long repeat followed by more pattern and no `^` anchor: spaCy searches each "
                        "token from every position, so a long token costs its length squared; " + fix
                    )
                self.restarts(body, flags, tail=last, leading=first)
            elif op is sre.SUBPATTERN:
                self.restarts(av[3], _with_flags(flags, av), tail=last, leading=first)
            elif op is sre.ATOMIC_GROUP:
                self.restarts(av, flags, tail=last, leading=first)
            elif op is sre.BRANCH:
                for alternative in av[1]:
                    self.restarts(alternative, flags, tail=last, leading=first)
            elif op in (sre.ASSERT, sre.ASSERT_NOT):
                self.restarts(av[1], flags, tail=True, leading=False)


def _with_flags(flags: int, subpattern: Any) -> int:
    _, add, remove, _ = subpattern
    return (flags | add) & ~remove


def _top_alternatives(items: list[Any]) -> list[list[Any]]:
    """A pattern's top-level alternatives (``a|b`` parses to one BRANCH); itself when it has none."""
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        return list(items[0][1][1])
    return [items]
