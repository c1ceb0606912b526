"""The per-configuration ``Linter`` cache every front end keeps.

Files in different folders may use different configurations; building a
``Linter`` loads and compiles packs, so each front end (the command line, the
language server, an audit worker) keeps one per distinct configuration.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tonecheck.config import Config
    from tonecheck.linter import Linter


class LinterCache:
    """One ``Linter`` per distinct configuration, built on first use.

    ``wrap_error`` turns a ``ConfigError`` raised while building one into the
    error the front end reports (the CLI names the flag that set the value).
    """

    def __init__(self, wrap_error: Callable[[Exception], Exception] | None = None):
        self._by_config: dict[str, Linter] = {}
        self._wrap_error = wrap_error

    def get(self, config: Config) -> Linter:
        from tonecheck.errors import ConfigError
        from tonecheck.linter import Linter

        key = config.model_dump_json()
        linter = self._by_config.get(key)
        if linter is None:
            try:
                linter = self._by_config[key] = Linter(config=config)
            except ConfigError as exc:
                if self._wrap_error is None:
                    raise
                raise self._wrap_error(exc) from None
        return linter

    def __iter__(self) -> Iterator[Linter]:
        return iter(list(self._by_config.values()))

    def __len__(self) -> int:
        return len(self._by_config)
