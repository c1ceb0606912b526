"""The server's settings: typed, with defaults, and forgiving of mistakes.

Settings arrive as ``initializationOptions`` and with
``workspace/didChangeConfiguration``, either flat or under a ``tonecheck`` key.
A setting with a wrong value or an unknown name is reported and falls back to its
default; the others still apply (a typo never stops the server).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tonecheck.config import DOCS_URL
from tonecheck.errors import first_problem
from tonecheck.input_formats import InputFormat
from tonecheck.schema import Severity

SECTION = "tonecheck"

# LSP languageId -> tonecheck input format; anything else is `auto`.
LANGUAGE_FORMATS: dict[str, str] = {
    "markdown": "markdown",
    "html": "html",
    "plaintext": "auto",
    "text": "auto",
    "mail": "email",
    "email": "email",
}


class ServerSettings(BaseModel):
    """Everything an editor may set. Field aliases are the names on the wire."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    debounce_ms: int = Field(
        default=150, ge=0, le=10_000, alias="debounceMs",
        description="Milliseconds to wait after the last change before linting a document.",
    )
    docs_url: str = Field(
        default=DOCS_URL, alias="docsUrl",
        description="Rule documentation page; each diagnostic links to `<docsUrl>#<rule id without dots>`.",
    )
    config: str | None = Field(
        default=None,
        description="A configuration file to use on top of the nearest one (like `--config`), relative to the workspace root.",
    )
    input_format: InputFormat | None = Field(
        default=None, alias="inputFormat",
        description="Force one input format; null chooses by the document's languageId.",
    )
    select: list[str] | None = Field(default=None, description="Rule ids, prefixes or categories to run (null: from the config files).")
    ignore: list[str] | None = Field(default=None, description="Rule ids, prefixes or categories to skip (null: from the config files).")
    severity: dict[str, Severity] | None = Field(default=None, description="Severity overrides per id, prefix or category.")
    packs: list[str] = Field(default_factory=list, description="Extra pack files or folders, relative to the workspace root.")
    builtin: bool | None = Field(default=None, description="Load the built-in packs (null: from the config files, default true).")
    model: str | None = Field(default=None, description="An installed spaCy pipeline instead of the rule-based one.")
    large_document_chars: int = Field(
        default=100_000, ge=1_000, le=1_000_000_000, alias="largeDocumentChars",
        description=(
            "Documents longer than this many characters are linted paragraph by paragraph in the background, "
            "never holding up other documents, and after that only where an edit changed them; one that can "
            "only be linted whole (HTML, tonecheck-disable comments, a trained model) is then not linted, "
            "and the server says why."
        ),
    )

    def engine_overrides(self, root: Path | None) -> dict[str, Any]:
        """The settings that override the configuration files' (the `Linter` keyword layer)."""
        base = root or Path.cwd()
        overrides: dict[str, Any] = {
            "select": self.select,
            "ignore": self.ignore,
            "severity": {k: v.value for k, v in self.severity.items()} if self.severity is not None else None,
            "packs": [str((base / p).resolve()) for p in self.packs] or None,
            "builtin": self.builtin,
            "model": self.model,
        }
        return {k: v for k, v in overrides.items() if v is not None}

    def config_file(self, root: Path | None) -> Path | None:
        if self.config is None:
            return None
        return ((root or Path.cwd()) / self.config).resolve()

    def format_for(self, language_id: str | None) -> str:
        if self.input_format is not None:
            return self.input_format
        return LANGUAGE_FORMATS.get((language_id or "").lower(), "auto")


_BY_NAME = {name: name for name in ServerSettings.model_fields} | {
    field.alias: name for name, field in ServerSettings.model_fields.items() if field.alias
}


def section_of(raw: Any) -> Any:
    """The tonecheck settings inside a payload that may wrap them in ``{"tonecheck": ...}``."""
    if isinstance(raw, dict) and isinstance(raw.get(SECTION), dict):
        return raw[SECTION]
    return raw


def parse_settings(raw: Any) -> tuple[ServerSettings, list[str]]:
    """Validate editor settings one by one: (settings, problems). Bad ones keep their default."""
    raw = section_of(raw)
    if raw is None:
        return ServerSettings(), []
    if not isinstance(raw, dict):
        return ServerSettings(), [f"tonecheck settings must be an object, got {type(raw).__name__}; using the defaults"]
    good: dict[str, Any] = {}
    problems: list[str] = []
    for key, value in raw.items():
        name = _BY_NAME.get(key)
        if name is None:
            known = ", ".join(f.alias or n for n, f in ServerSettings.model_fields.items())
            problems.append(f"unknown setting `{key}` ignored; known settings: {known}")
            continue
        try:
            ServerSettings.model_validate({name: value})
        except ValidationError as exc:
            problem = first_problem(exc)
            default = ServerSettings.model_fields[name].get_default(call_default_factory=True)
            problems.append(f"setting `{key}`: {problem.message} (got {value!r}); using the default {default!r}")
            continue
        good[name] = value
    return ServerSettings.model_validate(good), problems
