"""The text edit that adds a rule to a configuration file's ``ignore`` list.

Pure functions on the file's text, so comments and layout survive: a flow list
(``ignore: [a, b]``) gets ``, rule`` before its bracket, a block list gets one
more ``- rule`` line, a missing key gets a new line. Every edit is checked by
parsing the result; an edit that would not parse to the intended list raises
``ValueError`` instead of breaking the user's file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml

NEW_FILE = ".tonecheck.yaml"


@dataclass(frozen=True)
class ConfigEdit:
    """Replace ``text[start:end]`` of ``path`` by ``new_text``; ``create`` when the file does not exist yet."""

    path: Path
    start: int
    end: int
    new_text: str
    create: bool = False


def ignore_rule(path: Path, text: str | None, rule: str) -> ConfigEdit | None:
    """The edit adding ``rule`` to ``ignore`` in ``path`` (its current ``text``, None if new); None if already there."""
    if text is None:
        return ConfigEdit(path, 0, 0, f"ignore: [{rule}]\n", create=True)
    read, write = (_toml_ignore, _toml_text_edit) if path.suffix == ".toml" else (_yaml_ignore, _yaml_text_edit)
    before = read(text)
    if rule in before:
        return None
    start, end, new_text = write(text, rule)
    # Read the edited file back: the edit must add the rule and change nothing else `ignore` holds.
    if read(text[:start] + new_text + text[end:]) != [*before, rule]:
        raise ValueError("could not add the rule to `ignore` without changing the rest of the file")
    return ConfigEdit(path, start, end, new_text)


def apply(text: str, edit: ConfigEdit) -> str:
    return text[: edit.start] + edit.new_text + text[edit.end :]


# -- YAML ------------------------------------------------------------------------

_YAML_KEY = re.compile(r"""^(?:ignore|"ignore"|'ignore')[ \t]*:(?P<rest>[^\n]*)""", re.M)
_YAML_ITEM = re.compile(r"^(?P<indent>[ \t]*)-[ \t]")


def _yaml_ignore(text: str) -> list[object]:
    data = yaml.safe_load(text)
    if data is None:
        return []
    if not isinstance(data, dict):
        raise ValueError("the configuration file is not a mapping")
    value = data.get("ignore")
    return list(value) if isinstance(value, list) else []


def _yaml_text_edit(text: str, rule: str) -> tuple[int, int, str]:
    key = _YAML_KEY.search(text)
    if key is None:
        at = len(text)
        return at, at, ("" if not text or text.endswith("\n") else "\n") + f"ignore: [{rule}]\n"
    rest_start = key.start("rest")
    rest = key.group("rest").split("#", 1)[0].strip()
    if rest.startswith("["):
        close = text.index("]", rest_start)
        inside = text[text.index("[", rest_start) + 1 : close].strip()
        return close, close, (", " if inside else "") + rule
    if rest in ("", "null", "~"):
        # A block list below the key, or nothing (null).
        last_item_end = None
        indent = "  "
        pos = key.end() + 1
        while pos <= len(text):
            line_end = text.find("\n", pos)
            line_end = len(text) if line_end == -1 else line_end
            line = text[pos:line_end]
            item = _YAML_ITEM.match(line)
            if item:
                indent = item.group("indent")
                last_item_end = line_end
            elif line.strip() and not line.lstrip().startswith("#"):
                if not line[:1].isspace():
                    break
            pos = line_end + 1
        if last_item_end is None:
            end = key.end()
            return rest_start, end, f" [{rule}]"
        if last_item_end == len(text):
            return last_item_end, last_item_end, f"\n{indent}- {rule}"
        return last_item_end + 1, last_item_end + 1, f"{indent}- {rule}\n"
    raise ValueError("`ignore` is not a list")


# -- TOML (pyproject.toml [tool.tonecheck]) --------------------------------------

_TOML_HEADER = re.compile(r"^[ \t]*\[[ \t]*tool[ \t]*\.[ \t]*tonecheck[ \t]*\][ \t]*(?:#[^\n]*)?$", re.M)
_TOML_TABLE = re.compile(r"^[ \t]*\[", re.M)
_TOML_IGNORE = re.compile(r"^[ \t]*(?:ignore|\"ignore\"|'ignore')[ \t]*=[ \t]*", re.M)


def _toml_ignore(text: str) -> list[object]:
    section = tomllib.loads(text).get("tool", {}).get("tonecheck", {})
    value = section.get("ignore", [])
    return list(value) if isinstance(value, list) else []


def _toml_text_edit(text: str, rule: str) -> tuple[int, int, str]:
    quoted = '"' + rule + '"'
    header = _TOML_HEADER.search(text)
    if header is None:
        at = len(text)
        return at, at, ("" if not text or text.endswith("\n") else "\n") + f"\n[tool.tonecheck]\nignore = [{quoted}]\n"
    next_table = _TOML_TABLE.search(text, header.end())
    section_end = next_table.start() if next_table else len(text)
    key = _TOML_IGNORE.search(text, header.end(), section_end)
    if key is None:
        at = header.end()
        if at < len(text) and text[at] == "\n":
            return at + 1, at + 1, f"ignore = [{quoted}]\n"
        return at, at, f"\nignore = [{quoted}]"
    if text[key.end() : key.end() + 1] != "[":
        raise ValueError("`ignore` is not an inline array")
    close, last = _toml_array_end(text, key.end())
    if last is None:
        return close, close, quoted
    if text[last] == ",":
        return last + 1, last + 1, " " + quoted
    return last + 1, last + 1, ", " + quoted


def _toml_array_end(text: str, open_at: int) -> tuple[int, int | None]:
    """Offset of the array's closing bracket and of its last non-blank, non-comment character."""
    i = open_at + 1
    last: int | None = None
    depth = 1
    while i < len(text):
        ch = text[i]
        if ch in "\"'":
            quote = ch
            i += 1
            while i < len(text) and text[i] != quote:
                i += 2 if quote == '"' and text[i] == "\\" else 1
            last = i
        elif ch == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        elif ch == "[":
            depth += 1
            last = i
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i, last
            last = i
        elif not ch.isspace():
            last = i
        i += 1
    raise ValueError("unterminated `ignore` array")
