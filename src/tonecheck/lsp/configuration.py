"""Configuration reload: editor settings, configuration files and packs.

Settings arrive as ``initializationOptions``, with ``didChangeConfiguration``
and as answers to ``workspace/configuration``. Settings, configuration files
and packs reload on ``didChangeConfiguration``, ``didChangeWatchedFiles`` and
on saving a configuration file or pack; open documents are then linted again.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.uris import to_fs_path

from tonecheck.config import CONFIG_NAMES, PYPROJECT
from tonecheck.lsp.settings import SECTION, ServerSettings, parse_settings, section_of

if TYPE_CHECKING:
    from tonecheck.lsp.server import ToneServer

log = logging.getLogger("tonecheck.lsp.server")

WATCHED = ("**/.tonecheck.yaml", "**/.tonecheck.yml", "**/pyproject.toml", "**/*.yaml", "**/*.yml")


class SettingsLayers:
    """The editor's settings as two layers: ``initializationOptions``, then the client's latest."""

    def __init__(self) -> None:
        self._initial: dict[str, Any] = {}
        self._client: dict[str, Any] = {}

    @staticmethod
    def _layer(value: Any) -> dict[str, Any]:
        # Anything but an object is kept under the section, for parse_settings to report its type.
        return value if isinstance(value, dict) else {SECTION: value}

    def set_initial(self, options: Any) -> None:
        value = section_of(options)
        if value is not None:
            self._initial = self._layer(value)

    def set_client(self, value: Any) -> None:
        if value is not None:
            self._client = self._layer(value)

    def initial(self) -> tuple[ServerSettings, list[str]]:
        return parse_settings(self._initial)

    def merged(self) -> tuple[ServerSettings, list[str]]:
        return parse_settings({**self._initial, **self._client})


def apply_settings(ls: ToneServer) -> None:
    """Parse the settings layers; reload when the settings changed."""
    settings, problems = ls.setting_layers.merged()
    for problem in problems:
        ls.message(f"tonecheck: {problem}", types.MessageType.Warning)
    if settings != ls.settings:
        ls.settings = settings
        reload(ls, "settings changed")


def reload(ls: ToneServer, reason: str) -> None:
    """Forget every linter and cached result (configuration and packs are read again) and re-lint."""
    log.info("reloading: %s", reason)
    ls.new_generation()
    for uri in ls.documents.uris():
        ls.schedule(uri, 0)
    if ls.pull and ls.capability("workspace.diagnostics.refresh_support", False):
        ls.workspace_diagnostic_refresh(None)


def is_config_or_pack(ls: ToneServer, path: Path) -> bool:
    if path.name in CONFIG_NAMES or path.name == PYPROJECT:
        return True
    if path.suffix not in (".yaml", ".yml"):
        return False
    packs = {Path(p) for p in ls.settings.packs}
    for linter in ls.engine.linters():
        packs.update(linter.config.pack_paths)
    resolved = path.resolve()
    return any(resolved == p or p in resolved.parents for p in packs)


async def pull_client_settings(ls: ToneServer) -> None:
    if not ls.capability("workspace.configuration", False):
        return
    try:
        answer = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section=SECTION)])
        )
    except Exception as exc:  # a client that fails this request still gets linted
        log.warning("workspace/configuration failed: %s", exc)
        return
    ls.setting_layers.set_client(section_of(answer[0]) if answer else None)
    apply_settings(ls)


async def _watch_files(ls: ToneServer) -> None:
    if not ls.capability("workspace.did_change_watched_files.dynamic_registration", False):
        return
    options = types.DidChangeWatchedFilesRegistrationOptions(
        watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[
            types.Registration(id="tonecheck-watch", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)
        ]))
    except Exception as exc:
        log.warning("could not register file watchers: %s", exc)


def register(server: ToneServer) -> None:
    """Initialisation, settings, and reloading on configuration and pack changes."""

    @server.feature(types.INITIALIZE)
    def initialize(ls: ToneServer, params: types.InitializeParams) -> None:
        root = ls.workspace.root_path
        if root is None and params.workspace_folders:
            root = to_fs_path(params.workspace_folders[0].uri)
        text_document = params.capabilities.text_document
        ls.setting_layers.set_initial(params.initialization_options)
        settings, problems = ls.setting_layers.initial()
        ls.settings = settings
        ls.start_session(Path(root) if root else None, pull=text_document is not None and text_document.diagnostic is not None)
        for problem in problems:
            ls.message(f"tonecheck: {problem}", types.MessageType.Warning)

    @server.feature(types.INITIALIZED)
    async def initialized(ls: ToneServer, params: types.InitializedParams) -> None:
        await _watch_files(ls)
        await pull_client_settings(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def did_save(ls: ToneServer, params: types.DidSaveTextDocumentParams) -> None:
        path = ls.document_path(params.text_document.uri)
        if path is not None and is_config_or_pack(ls, path):
            reload(ls, f"{path} saved")
        elif ls.documents.is_open(params.text_document.uri):
            ls.schedule(params.text_document.uri, 0, republish=True)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: ToneServer, params: types.DidChangeConfigurationParams) -> None:
        value = section_of(params.settings)
        explicit = isinstance(params.settings, dict) and SECTION in params.settings  # even {} (back to defaults)
        if isinstance(value, dict) and (value or explicit):
            ls.setting_layers.set_client(value)
            apply_settings(ls)
        else:  # the "pull model": the notification only says that something changed
            await pull_client_settings(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: ToneServer, params: types.DidChangeWatchedFilesParams) -> None:
        changed = [ls.document_path(change.uri) for change in params.changes]
        relevant = [p for p in changed if p is not None and is_config_or_pack(ls, p)]
        if relevant:
            reload(ls, ", ".join(str(p) for p in relevant) + " changed")
