"""Safe YAML loading that remembers where every value came from.

Validation errors from pydantic carry a path such as ``("rules", 3, "severity")``;
users need a line number. We compose the YAML node tree once with the *safe*
loader, build plain Python data from it, and keep a map from each path to the
1-based line of its node, so any error can be pointed at the exact line.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from tonecheck.errors import SourceError

PathKey = tuple[str | int, ...]

# libyaml's composer is ~8x faster than the pure-Python one and keeps the same
# line marks; loading the built-in packs is most of a cold start without it.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LocatedData:
    """Plain data from a YAML document plus the line of every node in it."""

    def __init__(
        self,
        data: Any,
        lines: dict[PathKey, int],
        path: Path,
        bare: dict[PathKey, str] | None = None,
        key_lines: dict[PathKey, int] | None = None,
    ):
        self.data = data
        self.lines = lines
        self.path = path
        self.key_lines = key_lines or {}  # the line of each mapping key (a name declared as a key)
        # YAML 1.1 reads a bare `no`, `yes`, `on` or `off` as a boolean; where a
        # word was meant, the error has to say so (and "quote it").
        self.bare = bare or {}

    def bare_word(self, loc: Sequence[str | int]) -> str | None:
        """The source text of a value on ``loc`` that YAML read as a boolean from a word like `no`."""
        return self.bare.get(tuple(loc))

    def line_of(self, loc: Sequence[str | int]) -> int:
        """Line of the deepest node on ``loc`` that exists (a missing key points at its parent)."""
        key = tuple(loc)
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return self.lines.get((), 1)


def load_located(path: Path, text: str | None = None) -> LocatedData:
    """Read ``path`` as YAML with line tracking; raise SourceError on any problem."""
    if text is None:
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise SourceError(path, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
        except OSError as exc:
            raise SourceError(path, None, f"cannot read file: {exc.strerror}") from exc
    try:
        node = yaml.compose(text, Loader=_COMPOSER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        detail = f"invalid YAML: {exc.problem or exc.context}"
        # PyYAML notices a broken flow list where the next token starts, which can
        # be lines later; the start of the enclosing construct is the better lead.
        if exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            detail += f" ({exc.context} that starts on line {exc.context_mark.line + 1})"
        raise SourceError(path, line, detail) from exc
    except yaml.YAMLError as exc:
        raise SourceError(path, None, f"invalid YAML: {exc}") from exc
    if node is None:
        return LocatedData(None, {(): 1}, path)
    lines: dict[PathKey, int] = {}
    builder = _Builder(path, lines)
    data = builder.build(node, ())
    return LocatedData(data, lines, path, builder.bare, builder.key_lines)


# Only YAML's own plain-data tags; anything else (python/object, !custom) is refused.
_PLAIN_TAGS = tuple(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)


_MERGE = "tag:yaml.org,2002:merge"


class _Builder:
    def __init__(self, path: Path, lines: dict[PathKey, int]):
        self.path = path
        self.lines = lines
        # The safe constructor resolves scalar tags (int, bool, null...) and refuses
        # any python/* tag, so a pack can never build an arbitrary object.
        self.constructor = yaml.SafeLoader("")
        self.bare: dict[PathKey, str] = {}
        self.key_lines: dict[PathKey, int] = {}

    def build(self, node: yaml.Node, key: PathKey, *, merged: bool = False) -> Any:
        if not merged:
            self.lines[key] = node.start_mark.line + 1
        if node.tag not in _PLAIN_TAGS:
            raise SourceError(
                self.path, node.start_mark.line + 1,
                f"invalid YAML: the tag `{node.tag}` is not allowed; packs and settings are plain data",
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            inherited: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == _MERGE:
                    inherited.update(self.merge(value_node, key, inherited))
                    continue
                name = self.scalar(key_node)
                if name in out:
                    raise SourceError(self.path, key_node.start_mark.line + 1, f"duplicate key `{name}`")
                out[name] = self.build(value_node, key + (name,))
                self.key_lines[key + (name,)] = key_node.start_mark.line + 1
            # Keys written in the mapping itself win over merged ones, as YAML specifies.
            return {**{k: v for k, v in inherited.items() if k not in out}, **out} if inherited else out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, key + (i,)) for i, item in enumerate(node.value)]
        value = self.scalar(node)
        if isinstance(value, bool) and node.value.lower() not in ("true", "false"):
            self.bare[key] = node.value
        return value

    def merge(self, node: yaml.Node, key: PathKey, earlier: dict[Any, Any]) -> dict[Any, Any]:
        """The entries a `<<: *anchor` (or `<<: [*a, *b]`) brings in; the first source of a key wins."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        found: dict[Any, Any] = {}
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                raise SourceError(
                    self.path, source.start_mark.line + 1,
                    "`<<` merges mappings: give it an alias of a mapping (`<<: *defaults`) or a list of them",
                )
            for name, value in self.build(source, key, merged=True).items():
                if name not in found and name not in earlier:
                    found[name] = value
                    self.lines.setdefault(key + (name,), source.start_mark.line + 1)
        return found

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise SourceError(self.path, node.start_mark.line + 1, "mapping keys must be plain values")
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise SourceError(self.path, node.start_mark.line + 1, f"invalid YAML: {exc.problem}") from exc
