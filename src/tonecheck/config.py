"""Configuration: where it is found and how the layers merge.

Layers, later ones winning (``merge_layers`` is the one place this happens):

1. defaults (the fields below);
2. the user file, ``config.yaml`` in the user configuration folder
   (``platformdirs``: ``$XDG_CONFIG_HOME/tonecheck`` on Linux,
   ``~/Library/Application Support/tonecheck`` on macOS, ``%APPDATA%\\tonecheck`` on Windows);
3. the nearest project file walking up from the checked file (or the cwd):
   ``.tonecheck.yaml`` / ``.tonecheck.yml``, or ``[tool.tonecheck]`` in ``pyproject.toml``;
4. an explicit ``--config FILE`` (or ``Linter(config=PATH)``);
5. command-line flags, editor settings or ``Linter`` keyword arguments
   (``override_layer``; with ``Linter(config=Config(...), **kwargs)`` the given
   ``Config`` is the layer below them).

A later layer replaces each key it sets, except ``packs`` (every layer's packs
load) and ``severity`` (per-rule overrides merge, later entries winning).
Pack paths are relative to the file that names them, and those of the last
layer to the working directory.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tonecheck.errors import ConfigError, Errors, SourceError, first_problem
from tonecheck.input_formats import InputFormat
from tonecheck.schema import Severity
from tonecheck.yamlsource import load_located

CONFIG_NAMES = (".tonecheck.yaml", ".tonecheck.yml")
PYPROJECT = "pyproject.toml"
# The rules reference every output links to (the `docs_url` setting's default).
DOCS_URL = "https://github.com/tonecheck/tonecheck/blob/main/docs/rules.md"
DEFAULT_INCLUDE = ("*.txt", "*.md", "*.markdown", "*.eml", "*.mbox", "*.html", "*.htm")

FailOn = Literal["error", "warning", "info", "hint", "never"]


class Settings(BaseModel):
    """What a configuration file (or keyword arguments to ``Linter``) may set."""

    model_config = ConfigDict(extra="forbid")

    packs: list[str] = Field(default_factory=list, description="Extra rule pack files or folders.")
    builtin: bool = Field(default=True, description="Load the packs shipped with tonecheck.")
    select: list[str] = Field(default_factory=list, description="Rule ids, prefixes or categories to run (empty: all).")
    ignore: list[str] = Field(default_factory=list, description="Rule ids, prefixes or categories to skip.")
    severity: dict[str, Severity] = Field(default_factory=dict, description="Severity per rule id, prefix or category.")
    fail_on: FailOn = Field(default="warning", description="Lowest severity that makes `check` exit 1.")
    model: str | None = Field(default=None, description="An installed spaCy pipeline name or path (default: rule-based).")
    include: list[str] = Field(default_factory=lambda: list(DEFAULT_INCLUDE), description="File globs checked in directories.")
    exclude: list[str] = Field(default_factory=list, description="Git-style patterns of files and folders skipped in directories.")
    respect_gitignore: bool = Field(default=True, description="Skip what `.gitignore` files ignore when walking directories.")
    installed_packs: bool | list[str] = Field(
        default=True,
        description="Packs installed as Python packages (`tonecheck.packs` entry points): true for all, false for none, or the names to load.",
    )
    input_format: InputFormat = Field(default="auto", description="What to skip: auto, text, email, markdown or html.")
    docs_url: str = Field(
        default=DOCS_URL,
        description="The rules reference; every output links a rule to `<docs_url>#<rule id without dots>`.",
    )


class Config(Settings):
    """Merged, validated settings plus where they came from. Immutable once built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[str, ...] = Field(default=(), description="Files that contributed, in merge order.")
    origins: dict[str, str] = Field(
        default_factory=dict,
        description="The file that set each setting last; absent when flags or keyword arguments set it.",
    )

    def origin(self, setting: str) -> str | None:
        """Where ``setting`` came from: a file, or None for flags, keyword arguments and defaults."""
        return self.origins.get(setting)

    @property
    def pack_paths(self) -> list[Path]:
        return [Path(p) for p in self.packs]


def user_config_path() -> Path:
    # Roaming on Windows (%APPDATA%): a user's settings follow them between machines.
    return platformdirs.user_config_path("tonecheck", appauthor=False, roaming=True) / "config.yaml"


def find_project_config(start: Path) -> Path | None:
    """The nearest `.tonecheck.yaml` or `pyproject.toml` with `[tool.tonecheck]` at or above ``start``.

    ``start`` may be anything a user names (a missing file, a symlink loop, a
    FIFO): only its folder is resolved and nothing is opened but configuration
    files. A `pyproject.toml` that cannot be parsed but mentions tonecheck is a
    ``ConfigError`` naming its line: its settings must never vanish silently.
    """
    start = Path(start)
    directory = start if _is_dir(start) else start.parent
    try:
        directory = directory.resolve()
    except (OSError, RuntimeError):  # a loop above the file: search from the path as written
        directory = Path(os.path.abspath(directory))
    for folder in (directory, *directory.parents):
        for name in CONFIG_NAMES:
            candidate = folder / name
            if _is_file(candidate):
                return candidate
        pyproject = folder / PYPROJECT
        if _is_file(pyproject) and _has_tool_section(pyproject):
            return pyproject
    return None


def _is_dir(path: Path) -> bool:
    try:
        return path.is_dir()
    except OSError:  # e.g. inside a folder we may not search
        return False


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _has_tool_section(path: Path) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False  # an unreadable pyproject.toml beside the draft is someone else's
    if b"tonecheck" not in data:
        return False  # not ours, whatever state it is in
    _read_toml(path)  # raises a located ConfigError when it cannot be parsed
    return "tonecheck" in tomllib.loads(data.decode("utf-8")).get("tool", {})


def read_layer(path: Path) -> dict[str, Any]:
    """One configuration file as a validated partial dict (only the keys it sets)."""
    path = Path(path)
    if path.name == PYPROJECT or path.suffix == ".toml":
        data, line_of = _read_toml(path)
    else:
        try:
            doc = load_located(path)
        except SourceError as exc:
            raise ConfigError(exc.path, exc.line, exc.detail, code=exc.code) from None
        data = doc.data if doc.data is not None else {}
        line_of = doc.line_of
    if not isinstance(data, dict):
        raise ConfigError(path, line_of(()), Errors.T102)
    data = {k.replace("-", "_") if isinstance(k, str) else k: v for k, v in data.items()}
    _validate(data, path, line_of)
    base = path.resolve().parent
    if "packs" in data:
        data["packs"] = [str((base / p).resolve()) for p in data["packs"]]
    data["sources"] = (str(path),)
    return data


def _validate(data: dict[str, Any], path: Path | None, line_of: Any) -> None:
    """Check a partial layer against ``Settings``; the first problem becomes a located ConfigError."""
    try:
        Settings.model_validate(data)
    except ValidationError as exc:
        problem = first_problem(exc)
        loc = list(problem.loc)
        if problem.type == "extra_forbidden":
            message = Errors.T101.format(name=loc[-1], known=", ".join(Settings.model_fields))
        else:
            message = Errors.T110.format(message=problem.message, got=problem.got())
        raise ConfigError(path, line_of(loc), message, field=problem.field) from None


def override_layer(settings: Mapping[str, Any], *, base: Path | None = None) -> dict[str, Any]:
    """Flags, editor settings or ``Linter`` keyword arguments as the last layer.

    ``None`` means "not given". Validated like a file (an unknown name or a wrong
    value is a ConfigError naming the setting); pack paths resolve against
    ``base``, by default the working directory.
    """
    layer = {key: value for key, value in settings.items() if value is not None}
    if isinstance(layer.get("packs"), (list, tuple)):
        layer["packs"] = [os.fspath(p) if isinstance(p, os.PathLike) else p for p in layer["packs"]]
    _validate(layer, None, lambda loc: None)
    if "packs" in layer:
        root = base or Path.cwd()
        layer["packs"] = [str((root / p).resolve()) for p in layer["packs"]]
    return layer


def with_overrides(config: Config, settings: Mapping[str, Any]) -> Config:
    """``config`` with ``settings`` merged on top as one more layer (packs add, severities merge)."""
    return merge_layers(config.model_dump(), override_layer(settings))


def _read_toml(path: Path) -> tuple[dict[str, Any], Any]:
    try:
        text = path.read_text(encoding="utf-8")
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # Python 3.11's tomllib keeps the position only in the message: "(at line 3, column 1)".
        at = re.search(r"\(at line (\d+), column \d+\)$", str(exc))
        line = getattr(exc, "lineno", None) or (int(at.group(1)) if at else None)
        raise ConfigError(path, line, Errors.T103.format(detail=exc)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(path, None, Errors.T104.format(detail=exc)) from None
    data = table.get("tool", {}).get("tonecheck", {})
    lines = text.splitlines()

    def line_of(loc: Any) -> int | None:
        # tomllib keeps no positions: find the key inside the [tool.tonecheck] table.
        in_section = False
        key = str(loc[0]) if loc else None
        for number, line in enumerate(lines, 1):
            stripped = line.strip()
            if stripped.startswith("["):
                in_section = stripped.startswith("[tool.tonecheck")
                if in_section and key is None:
                    return number
                continue
            if in_section and key and re.match(rf"{re.escape(key).replace('_', '[-_]')}\s*=", stripped):
                return number
        return None

    return data, line_of


def merge_layers(*layers: dict[str, Any]) -> Config:
    """Merge partial settings dicts, later layers winning, and validate once."""
    merged: dict[str, Any] = {}
    origins: dict[str, str] = {}
    for layer in layers:
        if "origins" in layer:  # a whole Config, dumped: it knows where each setting came from
            origins = dict(layer["origins"])
        else:  # a file's layer names that file; flags and keyword arguments name none
            source = (layer.get("sources") or (None,))[-1]
            for key in layer:
                if key != "sources":
                    if source is None:
                        origins.pop(key, None)
                    else:
                        origins[key] = source
        for key, value in layer.items():
            if key == "origins":
                continue
            if key == "packs":
                merged["packs"] = merged.get("packs", []) + list(value)
            elif key == "severity":
                merged["severity"] = {**merged.get("severity", {}), **value}
            elif key == "sources":
                merged["sources"] = tuple(merged.get("sources", ())) + tuple(value)
            else:
                merged[key] = value
    merged["origins"] = origins
    try:
        return Config.model_validate(merged)
    except ValidationError as exc:
        problem = first_problem(exc)
        message = Errors.T110.format(message=problem.message, got=f" (got {problem.input!r})")
        raise ConfigError(None, None, message, field=problem.field) from None


def resolve_config(
    start: Path | None = None,
    *,
    config_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
    use_user: bool = True,
) -> Config:
    """Build the effective configuration for a file or folder (default: the cwd)."""
    layers: list[dict[str, Any]] = []
    user = user_config_path()
    if use_user and user.is_file():
        layers.append(read_layer(user))
    project = find_project_config(start or Path.cwd())
    if project is not None and (config_file is None or project.resolve() != Path(config_file).resolve()):
        layers.append(read_layer(project))
    if config_file is not None:
        if not Path(config_file).is_file():
            raise ConfigError(config_file, None, Errors.T105)
        layers.append(read_layer(Path(config_file)))
    if overrides:
        layers.append(override_layer(overrides))
    return merge_layers(*layers)
