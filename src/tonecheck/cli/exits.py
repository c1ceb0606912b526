"""The exit codes of every command, in one enum (as proselint keeps them)."""

from __future__ import annotations

from enum import IntEnum


class Exit(IntEnum):
    OK = 0
    FINDINGS = 1
    ERROR = 2
