"""The configuration and the Linter each input gets, from its folder's files and the flags.

A setting given on the command line and refused is reported by its flag
(`--select`), not by the setting's name, since no file set it.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.linter import Linter


def split_list(values: list[str] | None) -> list[str] | None:
    """`--select a,b --select c` -> [a, b, c]; None when the flag was not given."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _overrides(args: argparse.Namespace) -> dict[str, Any]:
    flags: dict[str, Any] = {
        "select": split_list(args.select),
        "ignore": split_list(args.ignore),
        "packs": [str(p) for p in args.pack] if args.pack else None,
        "builtin": False if args.no_builtin else None,
        "model": args.model,
    }
    if getattr(args, "fail_on", None):
        flags["fail_on"] = args.fail_on
    if getattr(args, "include", None):
        flags["include"] = split_list(args.include)
    if getattr(args, "exclude", None):
        flags["exclude"] = split_list(args.exclude)
    if getattr(args, "input_format", None):
        flags["input_format"] = args.input_format
    return {k: v for k, v in flags.items() if v is not None}


class Linters:
    """One Linter per distinct configuration (files in different folders may differ)."""

    def __init__(self, args: argparse.Namespace):
        from tonecheck.linter_cache import LinterCache

        self.args = args
        self.cache = LinterCache(wrap_error=_name_the_flag)

    def config_for(self, start: Path | None) -> Config:
        from tonecheck.config import resolve_config
        from tonecheck.errors import ConfigError

        try:
            return resolve_config(start, config_file=self.args.config, overrides=_overrides(self.args))
        except ConfigError as exc:
            raise _name_the_flag(exc) from None

    def linter_for(self, config: Config) -> Linter:
        return self.cache.get(config)


# The flag that sets each setting, for errors in values that came from the command line.
_FLAGS = {
    "select": "--select", "ignore": "--ignore", "packs": "--pack", "builtin": "--no-builtin",
    "model": "--model", "fail_on": "--fail-on", "include": "--include", "input_format": "--input-format",
}


def _name_the_flag(exc: Any) -> Any:
    """A ConfigError about a setting no file set came from a flag: name the flag."""
    from tonecheck.errors import ConfigError

    setting = (exc.field or "").split(".")[0]
    if exc.path is None and setting in _FLAGS:
        return ConfigError(_FLAGS[setting], None, exc.detail, code=exc.code)
    return exc
