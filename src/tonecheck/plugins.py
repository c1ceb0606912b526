"""Rule packs installed as Python packages, found through the `tonecheck.packs` entry points.

A team publishes its packs as an ordinary distribution (a wheel on an internal
index) that declares, in its ``pyproject.toml``::

    [project.entry-points."tonecheck.packs"]
    acme = "acme_tone_pack"

The value names a package; every ``.yaml``/``.yml`` file inside it is a pack,
loaded and validated like a ``--pack`` file. tonecheck only reads those files:
the package is found with ``importlib.util.find_spec`` and none of its code
runs (a top-level package need not even have an ``__init__.py``).

The ``installed_packs`` setting chooses which load: ``true`` (default) every
installed one, ``false`` none, or a list of entry-point names.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from pathlib import Path

from tonecheck.errors import ConfigError, PackError

GROUP = "tonecheck.packs"
PACK_SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class InstalledPack:
    """One `tonecheck.packs` entry point."""

    name: str          # the entry point's name, used by `installed_packs`
    package: str       # the package holding the pack files
    distribution: str  # "acme-tone-pack 1.2.0"


@lru_cache(maxsize=1)
def installed() -> tuple[InstalledPack, ...]:
    """Every installed pack, sorted by name (cached: installing a package needs a new process)."""
    found = {}
    for point in entry_points(group=GROUP):
        dist = f"{point.dist.name} {point.dist.version}" if point.dist is not None else "unknown distribution"
        if point.attr:
            raise PackError(
                None, None,
                f"entry point `{point.name} = {point.value}` of {dist} (group {GROUP}) names an attribute; "
                "give the package that holds the pack files, e.g. `acme_tone_pack`",
            )
        found.setdefault(point.name, InstalledPack(point.name, point.module, dist))
    return tuple(sorted(found.values(), key=lambda p: p.name))


def selected(setting: bool | list[str]) -> list[InstalledPack]:
    """The installed packs the ``installed_packs`` setting turns on."""
    if setting is False:
        return []
    packs = installed()
    if setting is True:
        return list(packs)
    by_name = {p.name: p for p in packs}
    unknown = [name for name in setting if name not in by_name]
    if unknown:
        names = ", ".join(by_name) or "none"
        raise ConfigError(
            None, None,
            f"`{unknown[0]}` is not an installed pack (installed: {names}); "
            f"install its package, or remove it from `installed_packs`",
            field="installed_packs",
        )
    return [by_name[name] for name in setting]


@lru_cache(maxsize=64)
def pack_files(pack: InstalledPack) -> tuple[Path, ...]:
    """The pack files inside an installed pack's package, in a stable order."""
    try:
        spec = importlib.util.find_spec(pack.package)
    except (ImportError, ValueError) as exc:
        spec = None
        reason = str(exc)
    else:
        reason = "no such package" if spec is None else "a module, not a package folder"
    folders = list(spec.submodule_search_locations or []) if spec is not None else []
    if not folders:
        raise PackError(
            None, None,
            f"installed pack `{pack.name}` ({pack.distribution}) points at `{pack.package}`, "
            f"which is not an importable package ({reason}); reinstall it, or leave it out with `installed_packs`",
        )
    files = sorted(p for folder in folders for p in Path(folder).rglob("*") if p.suffix in PACK_SUFFIXES)
    if not files:
        raise PackError(
            Path(folders[0]), None,
            f"installed pack `{pack.name}` ({pack.distribution}) holds no .yaml pack files; "
            "check that the wheel includes them",
        )
    return tuple(files)


def origin(path: Path) -> InstalledPack | None:
    """The installed pack a pack file belongs to, if any (for `tonecheck rules`)."""
    path = path.resolve()
    for pack in installed():
        try:
            if path in {p.resolve() for p in pack_files(pack)}:
                return pack
        except PackError:
            continue
    return None
