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

    def __init__(self, data: Any, lines: dict[PathKey, int], path: Path):
        self.data = data
        self.lines = lines
        self.path = path

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
    data = _Builder(path, lines).build(node, ())
    return LocatedData(data, lines, path)


# Only YAML's own plain-data tags; anything else (python/object, !custom) is refused.
_PLAIN_TAGS = tuple(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")
)


class _Builder:
    def __init__(self, path: Path, lines: dict[PathKey, int]):
        self.path = path
        self.lines = lines
        # The safe constructor resolves scalar tags (int, bool, null...) and refuses
        # any python/* tag, so a pack can never build an arbitrary object.
        self.constructor = yaml.SafeLoader("")

    def build(self, node: yaml.Node, key: PathKey) -> Any:
        self.lines[key] = node.start_mark.line + 1
        if node.tag not in _PLAIN_TAGS:
            raise SourceError(
                self.path, node.start_mark.line + 1,
                f"invalid YAML: the tag `{node.tag}` is not allowed; packs and settings are plain data",
            )
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                name = self.scalar(key_node)
                if name in out:
                    raise SourceError(self.path, key_node.start_mark.line + 1, f"duplicate key `{name}`")
                out[name] = self.build(value_node, key + (name,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, key + (i,)) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            raise SourceError(self.path, node.start_mark.line + 1, "mapping keys must be plain values")
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            raise SourceError(self.path, node.start_mark.line + 1, f"invalid YAML: {exc.problem}") from exc
