"""The readable pattern language: ``"@company @be @intensifier{0,3} (to|at) (blame|fault)"``.

A pattern string is parsed here into a small tree, without spaCy; compile.py
turns the tree into spaCy Matcher token patterns once the pipeline and the
word classes (lexicons) are known. Grammar (README, "Pattern strings"):

    pattern  := choice
    choice   := sequence ("|" sequence)*
    sequence := item+
    item     := atom quantifier?
    atom     := WORD | "~" WORD | "@" NAME | "_" | QUOTED | "(" choice ")"
    quantifier := "?" | "{" N "}" | "{" N? "," N "}"

Gaps and repetitions are always bounded (at most ``MAX_REPEAT``), so every
pattern matches in time linear in the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_REPEAT = 12


class PatternSyntaxError(ValueError):
    """A pattern string that cannot be read; ``position`` is a 0-based character offset."""

    def __init__(self, message: str, pattern: str, position: int, length: int = 1):
        self.message = message
        self.pattern = pattern
        self.position = position
        self.length = max(1, length)
        super().__init__(self.render())

    @property
    def fragment(self) -> str:
        return self.pattern[self.position : self.position + self.length] or "end of the pattern"

    def render(self) -> str:
        where = (
            f"at `{self.fragment}` (character {self.position + 1})"
            if self.position < len(self.pattern)
            else "at the end"
        )
        return f"in pattern `{self.pattern}` {where}: {self.message}"


@dataclass(frozen=True)
class Word:
    """A literal word (or quoted phrase), matched on its normalised form."""

    text: str
    lemma: bool = False  # "~word": any inflection of the word
    position: int = 0


@dataclass(frozen=True)
class Ref:
    """``@name``: any entry of the word class ``name``."""

    name: str
    position: int = 0


@dataclass(frozen=True)
class AnyWord:
    """``_``: any one token."""

    position: int = 0


@dataclass(frozen=True)
class Choice:
    """Alternatives, each a sequence of items."""

    options: tuple[tuple[Item, ...], ...]
    position: int = 0


@dataclass(frozen=True)
class Item:
    atom: Word | Ref | AnyWord | Choice
    least: int = 1
    most: int = 1
    position: int = 0
    source: str = ""  # the item's text in the pattern, for error messages


Atom = Word | Ref | AnyWord | Choice

NAME = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# A bare word runs until whitespace or an operator character.
# Double quotes make a literal; an apostrophe is part of a word ("don't", "'ve").
_TOKEN = re.compile(r"""\s+|"[^"]*"|\{[^}]*\}?|[()|?@~]|[^\s()|?{}@~"]+""")


@dataclass(frozen=True)
class _Tok:
    kind: str  # word, quoted, op, quant
    text: str
    position: int


def _lex(pattern: str) -> list[_Tok]:
    tokens: list[_Tok] = []
    pos = 0
    while pos < len(pattern):
        found = _TOKEN.match(pattern, pos)
        if found is None:  # an unbalanced quote
            raise PatternSyntaxError(
                "this quote is never closed; close it, or drop it to match a plain word", pattern, pos
            )
        text = found.group()
        if text[0] == '"':
            tokens.append(_Tok("quoted", text, pos))
        elif text[0] == "{":
            tokens.append(_Tok("quant", text, pos))
        elif text.isspace():
            tokens.append(_Tok("space", text, pos))
        elif text in ("(", ")", "|", "?", "@", "~"):
            tokens.append(_Tok("op", text, pos))
        else:
            tokens.append(_Tok("word", text, pos))
        pos = found.end()
    return tokens


class _Parser:
    def __init__(self, pattern: str):
        self.pattern = pattern
        self.tokens = _lex(pattern)
        self.i = 0

    def fail(self, message: str, tok: _Tok | None = None) -> PatternSyntaxError:
        if tok is None:
            return PatternSyntaxError(message, self.pattern, len(self.pattern))
        return PatternSyntaxError(message, self.pattern, tok.position, len(tok.text))

    def peek(self, skip_space: bool = True) -> _Tok | None:
        while skip_space and self.i < len(self.tokens) and self.tokens[self.i].kind == "space":
            self.i += 1
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Choice:
        if not self.pattern.strip():
            raise PatternSyntaxError("the pattern is empty; write at least one word or `@lexicon`", self.pattern, 0)
        choice = self.choice(depth=0)
        tok = self.peek()
        if tok is not None:  # only a stray `)` can stop a top-level choice early
            raise self.fail("this `)` closes nothing; remove it or add the `(` it belongs to", tok)
        return choice

    def choice(self, depth: int, opener: _Tok | None = None) -> Choice:
        start = self.peek()
        options = [self.sequence(depth, opener)]
        while (tok := self.peek()) is not None and tok.text == "|" and tok.kind == "op":
            self.take()
            options.append(self.sequence(depth, opener))
        return Choice(tuple(options), start.position if start else 0)

    def sequence(self, depth: int, opener: _Tok | None) -> tuple[Item, ...]:
        items: list[Item] = []
        while (tok := self.peek()) is not None and not (tok.kind == "op" and tok.text in ("|", ")")):
            items.append(self.item(depth))
        if not items:
            where = self.peek()
            if where is None and opener is not None:
                raise self.fail("this `(` is never closed; add a `)`", opener)
            if where is not None and where.text == ")" and opener is not None and not self._after_bar():
                raise self.fail("empty parentheses match nothing; put alternatives inside them", opener)
            raise self.fail("an alternative is empty; write a word on each side of `|`", where)
        return tuple(items)

    def _after_bar(self) -> bool:
        back = self.i - 1
        while back >= 0 and self.tokens[back].kind == "space":
            back -= 1
        return back >= 0 and self.tokens[back].text == "|"

    def item(self, depth: int) -> Item:
        tok = self.take()
        start = tok.position
        atom: Atom
        if tok.kind == "word":
            atom = self._word(tok)
        elif tok.kind == "quoted":
            inner = tok.text[1:-1]
            if not inner.strip():
                raise self.fail("empty quotes match nothing; put the words to match inside them", tok)
            atom = Word(inner, position=start)
        elif tok.kind == "quant":
            raise self.fail("a repetition needs something before it, e.g. `_{0,3}` or `@intensifier{0,2}`", tok)
        elif tok.text == "@":
            name = self.tokens[self.i] if self.i < len(self.tokens) else None
            if name is None or name.kind != "word" or not NAME.fullmatch(name.text):
                raise self.fail(
                    "`@` is followed by a lexicon name: lower-case words joined by `-`, e.g. `@company-self`",
                    name or tok,
                )
            self.take()
            atom = Ref(name.text, start)
        elif tok.text == "~":
            word = self.tokens[self.i] if self.i < len(self.tokens) else None
            if word is None or word.kind != "word" or word.text == "_":
                raise self.fail("`~` is followed by a word, e.g. `~complain` for complain/complained/complaining", word or tok)
            self.take()
            atom = Word(word.text, lemma=True, position=start)
        elif tok.text == "(":
            atom = self.choice(depth + 1, tok)
            close = self.peek()
            if close is None or close.text != ")":
                raise self.fail("this `(` is never closed; add a `)`", tok)
            self.take()
        elif tok.text == ")":
            raise self.fail("this `)` closes nothing; remove it or add the `(` it belongs to", tok)
        elif tok.text == "?":
            raise self.fail("`?` makes the word before it optional, but nothing comes before it", tok)
        else:  # `|` where an item should start
            raise self.fail("an alternative is empty; write a word on each side of `|`", tok)
        least, most = self._quantifier()
        source = self.pattern[start : self.tokens[self.i - 1].position + len(self.tokens[self.i - 1].text)]
        return Item(atom, least, most, start, source)

    def _word(self, tok: _Tok) -> Atom:
        if tok.text == "_":
            return AnyWord(tok.position)
        if tok.text.endswith(("*", "+")):
            raise self.fail(
                "unbounded repetition is not allowed; give a bound instead, e.g. `_{0,5}` for a gap of up to "
                "five words (to match `*` or `+` itself, quote it)",
                tok,
            )
        if "_" in tok.text and tok.text.strip("_") == "":
            raise self.fail("write `_` for any one word, or `_{0,3}` for a gap", tok)
        return Word(tok.text, position=tok.position)

    def _quantifier(self) -> tuple[int, int]:
        tok = self.peek(skip_space=False)
        if tok is None:
            return 1, 1
        if tok.kind == "op" and tok.text == "?":
            self.take()
            return 0, 1
        if tok.kind != "quant":
            return 1, 1
        self.take()
        found = re.fullmatch(r"\{\s*(\d*)\s*(,?)\s*(\d*)\s*\}", tok.text)
        if not found or not (found[1] or found[3]):
            raise self.fail("a repetition is `{N}`, `{M,N}` or `{,N}` with whole numbers, e.g. `{0,3}`", tok)
        if found[2] and not found[3]:
            raise self.fail(
                f"unbounded repetition is not allowed; give an upper bound, e.g. `{{{found[1] or 0},{MAX_REPEAT}}}`", tok
            )
        least = int(found[1] or 0)
        most = int(found[3]) if found[2] else least
        if most < least:
            raise self.fail(f"the lower bound {least} is above the upper bound {most}", tok)
        if most == 0:
            raise self.fail("`{0}` matches nothing; remove the item", tok)
        if most > MAX_REPEAT:
            raise self.fail(f"a repetition is at most {MAX_REPEAT}; a longer gap would join unrelated words", tok)
        return least, most


def parse(pattern: str) -> Choice:
    """Parse a pattern string; raise PatternSyntaxError naming the offending part."""
    if not isinstance(pattern, str):
        raise PatternSyntaxError(f"a pattern is a string, not {type(pattern).__name__}; quote it", str(pattern), 0)
    return _parse(pattern)


# Validation, the lexicon check and the compiler each parse every pattern: three
# parses per pattern were 1 s of a cold start (measured). The trees are immutable.
@lru_cache(maxsize=8192)
def _parse(pattern: str) -> Choice:
    return _Parser(pattern).parse()


def references(node: Choice | Item | Atom) -> list[Ref]:
    """Every ``@name`` in a parsed pattern, in order."""
    if isinstance(node, Ref):
        return [node]
    if isinstance(node, Item):
        return references(node.atom)
    if isinstance(node, Choice):
        return [ref for option in node.options for item in option for ref in references(item)]
    return []
