"""The catalogue: every rule and word class the configured packs bring, before and after selection.

One place loads it for every user: the ``Linter``, the spaCy component
(``tonecheck.component``), `tonecheck explain` and the service's rule list.
"""

from __future__ import annotations

from collections.abc import Sequence

from tonecheck.config import Config
from tonecheck.errors import ConfigError, Errors
from tonecheck.gcpause import collector_paused
from tonecheck.lexicons import Lexicons
from tonecheck.packs import LoadedRule, builtin_lexicon_paths, builtin_pack_paths, load_pack_file, pack_files
from tonecheck.plugins import pack_files as installed_pack_files
from tonecheck.plugins import selected as installed_packs
from tonecheck.selection import is_enabled, unknown_entries
from tonecheck.suppressions import UNUSED


def load_rules(config: Config) -> list[LoadedRule]:
    """Every rule, before selection: tonecheck's own, then the built-in, installed and configured packs' in that order."""
    return load_catalogue(config)[0]


@collector_paused()  # parsed packs and pattern trees: many small acyclic objects (gcpause.py)
def load_catalogue(config: Config) -> tuple[list[LoadedRule], Lexicons]:
    """The configured packs' rules, before selection, and the word classes they may use.

    The shipped shared lexicons are always there, also with ``builtin: false``:
    they are vocabulary for any pack, not rules. Every ``@name`` is checked here.
    """
    paths = builtin_pack_paths() if config.builtin else builtin_lexicon_paths()
    installed = [path for pack in installed_packs(config.installed_packs) for path in installed_pack_files(pack)]
    paths += [p for p in [*installed, *pack_files(config.pack_paths)] if p not in paths]
    rules: list[LoadedRule] = [UNUSED]
    shared = []
    where: dict[str, LoadedRule] = {UNUSED.id: UNUSED}
    for path in paths:
        loaded_file = load_pack_file(path)
        if loaded_file.shared:
            shared.extend(loaded_file.lexicons)
        for rule in loaded_file.rules:
            if rule.id in where:
                first = where[rule.id]
                raise ConfigError(
                    rule.path, rule.line, Errors.T211.format(rule=rule.id, where=f"{first.path}:{first.line}"), rule=rule.id,
                )
            where[rule.id] = rule
            rules.append(rule)
    lexicons = Lexicons(shared)
    lexicons.check_rules(rules)
    return rules, lexicons


def check_selection(config: Config, rules: Sequence[LoadedRule]) -> None:
    for setting, entries in (("select", config.select), ("ignore", config.ignore), ("severity", config.severity)):
        unknown = unknown_entries(entries, rules)
        if unknown:
            raise ConfigError(config.origin(setting), None, Errors.T106.format(entry=unknown[0]), field=setting)


def enabled_rules(config: Config) -> tuple[list[LoadedRule], list[LoadedRule], Lexicons]:
    """(every rule, the enabled ones, the word classes), the selection checked for names of no rule."""
    rules, lexicons = load_catalogue(config)
    check_selection(config, rules)
    return rules, [r for r in rules if is_enabled(r, config.select, config.ignore)], lexicons
