"""spaCy's complaints about token and dependency patterns, in the pack's own terms.

spaCy validates a token pattern against its pydantic schema and reports
``[pattern -> 0 -> LOWR] Extra inputs are not permitted`` once per type it
tried; a dependency pattern fails with ``[E100]``-style errors about nodes.
A pack author wrote ``tokens:`` lists and ``dependency:`` nodes, so they get
one line per problem that names the token or node, the attribute, and the fix.
"""

from __future__ import annotations

import re
from typing import Any

# Where the problem is: the token index and the path below it.
_LOCATION = re.compile(r"^\[pattern -> (?P<token>\d+)(?: -> (?P<rest>.*?))?\] (?P<message>.*)$")
# pydantic's own type names in a location, not keys the author wrote.
_TYPE_NAMES = re.compile(r"^(?:TokenPattern\w*|str|int|float|bool|constrained-str|str-enum\[\w+\]|list\[\w+\])$")

ATTRIBUTES = "ORTH, TEXT, LOWER, NORM, LEMMA, POS, TAG, DEP, SHAPE, LENGTH, IS_PUNCT, IS_DIGIT, LIKE_NUM, OP"
OPERATORS = "IN, NOT_IN, REGEX, FUZZY, INTERSECTS, IS_SUBSET, IS_SUPERSET, ==, !=, >=, <=, >, <"
REL_OPS = "<, >, <<, >>, ., .*, ;, ;*, $+, $-, $++, $--"


def _token_problem(token: int, keys: list[str], message: str) -> str:
    where = f"token {token + 1}"
    if not keys:
        return f"{where}: {message}"
    attribute = keys[0]
    if "Extra inputs are not permitted" in message:
        if len(keys) == 1:
            return f"{where}: unknown attribute `{attribute}`; use one of {ATTRIBUTES}"
        return f"{where}, `{attribute}`: unknown operator `{keys[-1]}`; use one of {OPERATORS}"
    if attribute == "OP":
        return f"{where}: `OP` is one of `+`, `*`, `?`, `!` or a count such as `{{0,3}}`"
    if "TokenPatternString" in message or "valid string" in message:
        return f"{where}, `{attribute}`: give a word (a string) or a mapping such as `{{IN: [a, b]}}`"
    if "TokenPatternNumber" in message or "valid integer" in message or "valid number" in message:
        return f"{where}, `{attribute}`: give a number or a mapping such as `{{\">=\": 3}}`"
    return f"{where}, `{attribute}`: {message[:1].lower()}{message[1:]}"


def token_problems(problems: list[str]) -> str:
    """spaCy's ``validate_token_pattern`` problems as one line, one clause per token and attribute."""
    found: dict[tuple[int, str], str] = {}
    for problem in problems:
        located = _LOCATION.match(problem)
        if located is None:
            found.setdefault((-1, problem), problem)
            continue
        token = int(located.group("token"))
        keys = [k for k in (located.group("rest") or "").split(" -> ") if k and not _TYPE_NAMES.match(k)]
        # One clause per token and attribute: spaCy says it once per type it tried.
        found.setdefault((token, keys[0] if keys else ""), _token_problem(token, keys, located.group("message")))
    return "; ".join(found.values())


def dependency_problem(exc: Exception, pattern: list[dict[str, Any]]) -> str:
    """A ``DependencyMatcher`` error about ``pattern`` as the node and key to fix."""
    text = " ".join(str(exc).split())
    if isinstance(exc, KeyError):
        return f"every node needs `RIGHT_ID` and `RIGHT_ATTRS`; one lacks `{text.strip(chr(39))}`"
    if text.startswith("[E100]"):
        missing = text.rsplit("missing:", 1)[-1].strip()
        return f"every node after the first needs LEFT_ID, REL_OP, RIGHT_ID and RIGHT_ATTRS; one lacks {missing}"
    if text.startswith("[E101]"):
        return "each node's `LEFT_ID` must name a node given before it, and its `RIGHT_ID` a new name"
    operator = re.search(r"operator '([^']*)'", text)
    if operator is not None:
        return f"unknown `REL_OP` `{operator.group(1)}`; use one of {REL_OPS}"
    return text
