"""The language server, end to end: the real server over stdio, driven by pytest-lsp.

Each test starts `tonecheck lsp` in a subprocess and talks LSP to it. Documents
live in a temporary workspace, so configuration files never leak between tests.
Waiting has a generous deadline but nothing is timed: latency is measured by
bench/lsp_latency.py, not here.

The pure parts (position math, settings, the configuration edit, the debouncer,
paragraph reuse) are also tested directly at the end.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest
import yaml
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.exceptions import JsonRpcException
from pygls.protocol import default_converter
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from tonecheck import Linter
from tonecheck.formatters import DOCS_URL
from tonecheck.lsp.config_edit import apply, ignore_rule
from tonecheck.lsp.convert import PositionMap
from tonecheck.lsp.debounce import Debouncer
from tonecheck.lsp.settings import ServerSettings, parse_settings

REPO = Path(__file__).resolve().parents[1]
BASIC = str(REPO / "tests" / "packs" / "basic.yaml")
SERVER = [sys.executable, "-m", "tonecheck.cli", "lsp"]
CONVERTER = get_converter()
DEADLINE = 120.0  # seconds; a failure deadline for slow shared machines, never an assertion on speed
ONLY_ONE = "You're the only one who asked."
NO_USER_CONFIG = str(REPO / ".no-user-config")  # no such folder: no user-level config file
OPTIONS = {"builtin": False, "packs": [BASIC], "debounceMs": 50}


# -- a client that also records every publishDiagnostics with its version --------

def _make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # type: ignore[attr-defined]

    def publish(c: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        c.diagnostics[params.uri] = params.diagnostics
        c.published.append(params)  # type: ignore[attr-defined]

    def register(c: LanguageClient, params: types.RegistrationParams) -> None:
        c.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    client.registrations = []  # type: ignore[attr-defined]
    register_lsp_features(client, {
        **DEFAULT_CLIENT_FEATURES,
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
        types.CLIENT_REGISTER_CAPABILITY: register,
    })
    return client


def wire(value: Any) -> Any:
    """An lsprotocol object as JSON data: compares lists and tuples alike."""
    return CONVERTER.unstructure(value)


def push_capabilities() -> types.ClientCapabilities:
    """An editor without pull diagnostics that can create files and watch them (VS Code-like)."""
    return types.ClientCapabilities(
        general=types.GeneralClientCapabilities(position_encodings=[types.PositionEncodingKind.Utf16]),
        text_document=types.TextDocumentClientCapabilities(
            synchronization=types.TextDocumentSyncClientCapabilities(did_save=True),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(version_support=True, data_support=True),
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown, types.MarkupKind.PlainText]),
            code_action=types.CodeActionClientCapabilities(data_support=True),
        ),
        workspace=types.WorkspaceClientCapabilities(
            configuration=True,
            did_change_configuration=types.DidChangeConfigurationClientCapabilities(),
            did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
            workspace_edit=types.WorkspaceEditClientCapabilities(
                document_changes=True, resource_operations=[types.ResourceOperationKind.Create]
            ),
        ),
    )


async def start(
    workspace: Path,
    options: Any = OPTIONS,
    capabilities: types.ClientCapabilities | None = None,
) -> LanguageClient:
    """A server with its own settings and capabilities; the caller shuts it down."""
    client = _make_client()
    await client.start_io(*SERVER, env={**os.environ, "XDG_CONFIG_HOME": NO_USER_CONFIG})
    await client.initialize_session(_initialize(workspace, options, capabilities or push_capabilities()))
    return client


def _initialize(workspace: Path, options: Any, capabilities: types.ClientCapabilities) -> types.InitializeParams:
    return types.InitializeParams(
        capabilities=capabilities,
        root_uri=workspace.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=workspace.as_uri(), name="ws")],
        initialization_options=options,
    )


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    (tmp_path / "ws").mkdir()
    return tmp_path / "ws"


@pytest_lsp.fixture(config=ClientServerConfig(
    server_command=SERVER, client_factory=_make_client, server_env={**os.environ, "XDG_CONFIG_HOME": NO_USER_CONFIG},
))
async def client(lsp_client: LanguageClient, workspace: Path):
    """A VS Code-like push client with the test pack, in a fresh workspace."""
    await lsp_client.initialize_session(_initialize(workspace, OPTIONS, push_capabilities()))
    yield
    await lsp_client.shutdown_session()


async def until(predicate, what: str):
    """Wait until ``predicate()`` holds (polling the client's received messages)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + DEADLINE
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"gave up waiting for {what}")
        await asyncio.sleep(0.02)


async def published(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    def find():
        return next((p for p in reversed(client.published) if p.uri == uri and p.version == version), None)

    await until(lambda: find() is not None, f"diagnostics for {uri} v{version}")
    return list(find().diagnostics)


def open_doc(client: LanguageClient, path: Path, text: str, language: str = "plaintext", version: int = 1) -> str:
    uri = path.as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)
    ))
    return uri


def change(client: LanguageClient, uri: str, version: int, rng: types.Range | None, text: str) -> None:
    event = (types.TextDocumentContentChangePartial(range=rng, text=text) if rng is not None
             else types.TextDocumentContentChangeWholeDocument(text=text))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version), content_changes=[event],
    ))


def pos(line: int, character: int) -> types.Position:
    return types.Position(line=line, character=character)


def rng(a: tuple[int, int], b: tuple[int, int]) -> types.Range:
    return types.Range(start=pos(*a), end=pos(*b))


def only_one_diagnostic(range_: types.Range, match: str = "You're the only one") -> types.Diagnostic:
    return types.Diagnostic(
        range=range_,
        severity=types.DiagnosticSeverity.Error,
        code="basic.only-one",
        code_description=types.CodeDescription(href=f"{DOCS_URL}#basiconly-one"),
        source="tonecheck",
        message=f'"{match}" singles the customer out.',
        data={"rule": "basic.only-one", "match": match, "suggestions": ["I'm sorry you've run into this"], "preferred": True},
    )


# -- diagnostics -------------------------------------------------------------------

@pytest.mark.asyncio
async def test_open_publishes_exact_diagnostics(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "draft.txt", "Hello Sam,\n\n" + ONLY_ONE + "\n")
    assert await published(client, uri, 1) == [only_one_diagnostic(rng((2, 0), (2, 19)))]


@pytest.mark.asyncio
async def test_ranges_count_utf16_code_units_after_emoji(client: LanguageClient, workspace: Path):
    # 😀 and 𝒜 are outside the BMP: one code point each, two UTF-16 code units each.
    prefix = "Thanks 😀😀 for 𝒜 the photo. "
    uri = open_doc(client, workspace / "emoji.txt", prefix + ONLY_ONE)
    start = len(prefix) + 3  # three non-BMP characters before the span
    assert await published(client, uri, 1) == [only_one_diagnostic(rng((0, start), (0, start + 19)))]


@pytest.mark.asyncio
async def test_incremental_change_relints_and_moves_ranges(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "edit.txt", "Hi 😀.\nThanks.\n")
    assert await published(client, uri, 1) == []
    change(client, uri, 2, rng((1, 0), (1, 0)), ONLY_ONE + " ")
    assert await published(client, uri, 2) == [only_one_diagnostic(rng((1, 0), (1, 19)))]
    change(client, uri, 3, rng((0, 0), (0, 0)), "🎉 ")  # a line above moves nothing on line 1
    assert await published(client, uri, 3) == [only_one_diagnostic(rng((1, 0), (1, 19)))]
    change(client, uri, 4, rng((1, 0), (1, 0)), "🎉🎉 ")
    assert await published(client, uri, 4) == [only_one_diagnostic(rng((1, 5), (1, 24)))]
    change(client, uri, 5, rng((1, 5), (1, 11)), "You are not")  # "You're" -> "You are not": vetoed
    assert await published(client, uri, 5) == []


@pytest.mark.asyncio
async def test_save_lints_and_close_clears(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "close.txt", ONLY_ONE)
    assert len(await published(client, uri, 1)) == 1
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await until(lambda: len([p for p in client.published if p.uri == uri]) == 2, "diagnostics on save")
    assert wire(client.published[-1].diagnostics) == wire([only_one_diagnostic(rng((0, 0), (0, 19)))])
    client.text_document_did_close(types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    await until(lambda: client.published[-1].uri == uri and not client.published[-1].diagnostics, "cleared diagnostics")


@pytest.mark.asyncio
async def test_markdown_and_email_documents_skip_what_the_agent_did_not_write(client: LanguageClient, workspace: Path):
    markdown = "Here is the log:\n\n```\nYou're the only one with this problem.\n```\n\n" + ONLY_ONE + "\n"
    md = open_doc(client, workspace / "reply.md", markdown, language="markdown")
    assert [d.range.start.line for d in await published(client, md, 1)] == [6]
    mail = ONLY_ONE + "\n\nOn Mon, 3 Jun 2024, Sam wrote:\n> You're the only one with this problem.\n"
    eml = open_doc(client, workspace / "reply.eml", mail, language="mail")
    assert [d.range.start.line for d in await published(client, eml, 1)] == [0]
    html = "<p>" + ONLY_ONE + "</p>\n<blockquote>You're the only one with this problem.</blockquote>\n"
    page = open_doc(client, workspace / "reply.html", html, language="html")
    assert await published(client, page, 1) == [only_one_diagnostic(rng((0, 3), (0, 22)))]


@pytest.mark.asyncio
async def test_results_for_older_versions_are_never_published(workspace: Path):
    """Rapid edits with no debounce: each publication belongs to its own version's text, in order."""
    client = await start(workspace, {**OPTIONS, "debounceMs": 0})
    try:
        texts = {1: "Hello."}
        uri = open_doc(client, workspace / "rapid.txt", texts[1])
        for version in range(2, 42):
            addition = ONLY_ONE + " " if version % 3 == 0 else "Thanks. "
            texts[version] = texts[version - 1] + addition
            end = len(texts[version - 1])
            change(client, uri, version, rng((0, end), (0, end)), addition)
        final = await published(client, uri, 41)
        assert len(final) == texts[41].count(ONLY_ONE)
        versions = [p.version for p in client.published if p.uri == uri]
        assert versions == sorted(set(versions)), "a publication went back to an older version"
        linter = Linter(builtin=False, packs=[BASIC])
        for p in client.published:
            expected = [(0, f.start) for f in linter.check(texts[p.version]).findings]
            assert [(d.range.start.line, d.range.start.character) for d in p.diagnostics] == expected
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_debounce_skips_intermediate_versions(workspace: Path):
    """A burst of edits inside the debounce window is linted once, at its last version."""
    client = await start(workspace, {**OPTIONS, "debounceMs": 800})
    try:
        uri = open_doc(client, workspace / "burst.txt", "")
        await published(client, uri, 1)
        text = ""
        for version, ch in enumerate(ONLY_ONE, start=2):
            change(client, uri, version, rng((0, len(text)), (0, len(text))), ch)
            text += ch
        last = len(ONLY_ONE) + 1
        assert await published(client, uri, last) == [only_one_diagnostic(rng((0, 0), (0, 19)))]
        assert [p.version for p in client.published if p.uri == uri] == [1, last]
    finally:
        await client.shutdown_session()
        await client.stop()


# -- pull diagnostics (a client that advertises textDocument/diagnostic) --------------

@pytest.mark.asyncio
async def test_pull_diagnostics_in_the_negotiated_encoding(workspace: Path):
    # Neovim 0.11 pulls diagnostics and prefers UTF-8 positions: 😀 is four bytes there.
    client = await start(workspace, OPTIONS, client_capabilities("neovim@v0.11.0"))
    try:
        uri = open_doc(client, workspace / "pull.txt", "😀 " + ONLY_ONE)
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri)
        ))
        assert wire(report.items) == wire([only_one_diagnostic(rng((0, 5), (0, 24)))])
        assert report.result_id
        same = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id,
        ))
        assert same == types.RelatedUnchangedDocumentDiagnosticReport(result_id=report.result_id)
        change(client, uri, 2, rng((0, 0), (0, 5)), "")
        report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(
            text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=report.result_id,
        ))
        assert wire(report.items) == wire([only_one_diagnostic(rng((0, 0), (0, 19)))])
        assert not [p for p in client.published if p.diagnostics], "a pull client also got pushed diagnostics"
    finally:
        await client.shutdown_session()
        await client.stop()


# -- code actions and hover ----------------------------------------------------------

@pytest.mark.asyncio
async def test_quick_fix_replaces_the_span(client: LanguageClient, workspace: Path):
    path = workspace / "fix.txt"
    uri = open_doc(client, path, "🙂 " + ONLY_ONE)
    [diagnostic] = await published(client, uri, 1)
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))
    fix = found[0]
    assert fix.title == "Replace with “I'm sorry you've run into this”"
    assert fix.kind == types.CodeActionKind.QuickFix and fix.is_preferred
    assert wire(fix.edit) == wire(types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
        text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=1),
        edits=[types.TextEdit(range=rng((0, 3), (0, 22)), new_text="I'm sorry you've run into this")],
    )]))
    assert [a.title for a in found[1:]] == ["Ignore `basic.only-one` in this workspace (new .tonecheck.yaml)"]


@pytest.mark.asyncio
async def test_an_untested_replacement_is_offered_but_not_preferred(client: LanguageClient, workspace: Path):
    """basic.exact's replacement has no `fixed:` examples, so one key must not apply it."""
    uri = open_doc(client, workspace / "untested.txt", "That is SILLY.")
    [diagnostic] = await published(client, uri, 1)
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))
    fix = found[0]
    assert fix.title == "Replace with “Unexpected”"  # capitalised like "SILLY"
    assert not fix.is_preferred


@pytest.mark.asyncio
async def test_no_quick_fix_for_a_stale_diagnostic(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "stale.txt", ONLY_ONE)
    [diagnostic] = await published(client, uri, 1)
    change(client, uri, 2, rng((0, 0), (0, 6)), "We're")
    await published(client, uri, 2)
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))
    assert not [a for a in found if a.title.startswith("Replace")]


@pytest.mark.asyncio
async def test_hover_explains_and_suggests(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "hover.txt", "Hi.\n" + ONLY_ONE)
    await published(client, uri, 1)
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos(1, 8)
    ))
    assert hover.range == rng((1, 0), (1, 19))
    assert hover.contents.kind == types.MarkupKind.Markdown
    assert hover.contents.value == (
        "**\"You're the only one\" singles the customer out.**\n\n"
        "`basic.only-one` · isolating · error\n\n"
        "Telling a customer they are the only one implies the fault is theirs.\n\n"
        "**Better phrasings:**\n- “I'm sorry you've run into this”\n\n"
        f"[Rule documentation]({DOCS_URL}#basiconly-one)"
    )
    nothing = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri), position=pos(0, 1)
    ))
    assert nothing is None


# -- configuration -------------------------------------------------------------------

def _ignore_action(actions: list[types.CodeAction]) -> types.CodeAction:
    [action] = [a for a in actions if a.title.startswith("Ignore")]
    return action


async def _actions_for(client: LanguageClient, uri: str, version: int) -> list[types.CodeAction]:
    [diagnostic] = await published(client, uri, version)
    return await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostic.range,
        context=types.CodeActionContext(diagnostics=[diagnostic]),
    ))


def _watched(client: LanguageClient, path: Path, kind: types.FileChangeType) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=path.as_uri(), type=kind)]
    ))


@pytest.mark.asyncio
async def test_ignore_rule_creates_config_and_reload_clears(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "ignore.txt", ONLY_ONE)
    action = _ignore_action(await _actions_for(client, uri, 1))
    config = workspace / ".tonecheck.yaml"
    assert wire(action.edit) == wire(types.WorkspaceEdit(document_changes=[
        types.CreateFile(uri=config.as_uri(), options=types.CreateFileOptions(ignore_if_exists=True)),
        types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=config.as_uri(), version=None),
            edits=[types.TextEdit(range=rng((0, 0), (0, 0)), new_text="ignore: [basic.only-one]\n")],
        ),
    ]))
    await until(lambda: client.registrations, "the file-watcher registration")
    [registration] = client.registrations
    assert registration.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
    assert "**/.tonecheck.yaml" in [w["globPattern"] for w in wire(registration)["registerOptions"]["watchers"]]
    # The editor applies the edit and saves; its file watcher reports the new file.
    config.write_text("ignore: [basic.only-one]\n", encoding="utf-8")
    count = len(client.published)
    _watched(client, config, types.FileChangeType.Created)
    await until(lambda: any(p.uri == uri and not p.diagnostics for p in client.published[count:]), "re-lint after reload")


@pytest.mark.asyncio
async def test_ignore_rule_edits_the_nearest_config(client: LanguageClient, workspace: Path):
    config = workspace / ".tonecheck.yaml"
    config.write_text("# team settings\nignore:\n  - basic.apologise\nfail_on: error\n", encoding="utf-8")
    _watched(client, config, types.FileChangeType.Created)
    uri = open_doc(client, workspace / "nearest.txt", ONLY_ONE)
    action = _ignore_action(await _actions_for(client, uri, 1))
    assert wire(action.edit) == wire(types.WorkspaceEdit(changes={config.as_uri(): [
        types.TextEdit(range=rng((3, 0), (3, 0)), new_text="  - basic.only-one\n")
    ]}))
    pyproject_dir = workspace / "team"
    pyproject_dir.mkdir()
    (pyproject_dir / "pyproject.toml").write_text('[tool.tonecheck]\nignore = ["basic.apologise"]\n', encoding="utf-8")
    uri = open_doc(client, pyproject_dir / "draft.txt", ONLY_ONE)
    action = _ignore_action(await _actions_for(client, uri, 1))
    assert wire(action.edit) == wire(types.WorkspaceEdit(changes={(pyproject_dir / "pyproject.toml").as_uri(): [
        types.TextEdit(range=rng((1, 27), (1, 27)), new_text=', "basic.only-one"')
    ]}))


@pytest.mark.asyncio
async def test_pack_edit_reloads_and_relints(workspace: Path):
    pack = workspace / "team.yaml"
    pack.write_text(Path(BASIC).read_text(encoding="utf-8"), encoding="utf-8")
    client = await start(workspace, {"builtin": False, "packs": ["team.yaml"]})
    try:
        uri = open_doc(client, workspace / "pack.txt", ONLY_ONE)
        assert len(await published(client, uri, 1)) == 1
        pack.write_text(pack.read_text(encoding="utf-8").replace("singles the customer out", "isolates"), encoding="utf-8")
        count = len(client.published)
        _watched(client, pack, types.FileChangeType.Changed)
        await until(lambda: any(p.uri == uri and p.diagnostics and "isolates" in p.diagnostics[0].message
                                for p in client.published[count:]), "diagnostics from the edited pack")
    finally:
        await client.shutdown_session()
        await client.stop()


@pytest.mark.asyncio
async def test_did_change_configuration_applies_settings(client: LanguageClient, workspace: Path):
    uri = open_doc(client, workspace / "settings.txt", ONLY_ONE + " We apologise.")
    assert [d.code for d in await published(client, uri, 1)] == ["basic.only-one", "basic.apologise"]
    count = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
        settings={"tonecheck": {**OPTIONS, "ignore": ["isolating"]}}
    ))
    await until(lambda: any(p.uri == uri and [d.code for d in p.diagnostics] == ["basic.apologise"]
                            for p in client.published[count:]), "re-lint with the new settings")


@pytest.mark.asyncio
async def test_invalid_settings_warn_and_fall_back(workspace: Path):
    client = await start(workspace, {**OPTIONS, "debounceMs": "soon", "colour": "red"})
    try:
        uri = open_doc(client, workspace / "bad.txt", ONLY_ONE)
        assert len(await published(client, uri, 1)) == 1  # the valid settings (the test pack) still apply
        texts = [m.message for m in client.messages if m.type == types.MessageType.Warning]
        assert any("`debounceMs`" in t and "using the default 150" in t for t in texts), texts
        assert any("unknown setting `colour`" in t for t in texts), texts
        # A configuration file that names no rule: reported once, and the defaults lint the document.
        (workspace / "sub").mkdir()
        (workspace / "sub" / ".tonecheck.yaml").write_text("select: [no-such-rule]\n", encoding="utf-8")
        uri = open_doc(client, workspace / "sub" / "draft.txt", "You're the only person who has had this problem.")
        assert [d.code for d in await published(client, uri, 1)] == ["isolating.you-alone"]
        assert any("no-such-rule" in m.message and "using the default configuration" in m.message for m in client.messages)
    finally:
        await client.shutdown_session()
        await client.stop()


# -- robustness ------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_failing_document_is_reported_and_the_server_lives_on(client: LanguageClient, workspace: Path):
    import spacy

    broken = workspace / "broken-model"
    nlp = spacy.blank("en")
    nlp.add_pipe("tagger")  # never initialised: every call fails with E109
    nlp.to_disk(broken)
    (workspace / "team").mkdir()
    (workspace / "team" / ".tonecheck.yaml").write_text(f"model: {broken}\n", encoding="utf-8")
    bad = open_doc(client, workspace / "team" / "draft.txt", ONLY_ONE)
    await until(lambda: any("could not lint draft.txt" in m.message for m in client.messages), "an error message")
    assert [m.type for m in client.messages if "could not lint" in m.message] == [types.MessageType.Error]
    assert not [p for p in client.published if p.uri == bad and p.diagnostics]
    good = open_doc(client, workspace / "fine.txt", ONLY_ONE)
    assert len(await published(client, good, 1)) == 1


async def raw_request(client: LanguageClient, method: str, params: Any) -> Any:
    """Send a request exactly as given: the typed client API would refuse malformed params."""
    msg_id = f"raw-{uuid.uuid4()}"
    future: Future[Any] = Future()
    client.protocol._request_futures[msg_id] = future
    client.protocol._result_types[msg_id] = None
    client.protocol._send_data({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
    return await asyncio.wrap_future(future)


@pytest.mark.asyncio
async def test_malformed_requests_get_json_rpc_errors(client: LanguageClient, workspace: Path):
    with pytest.raises(JsonRpcException) as bad_params:
        await raw_request(client, "textDocument/hover", {"textDocument": 42})
    assert bad_params.value.code == -32602  # InvalidParams
    with pytest.raises(JsonRpcException) as unknown:
        await raw_request(client, "tonecheck/noSuchMethod", {})
    assert unknown.value.code == -32601  # MethodNotFound
    uri = open_doc(client, workspace / "after.txt", ONLY_ONE)
    assert len(await published(client, uri, 1)) == 1


# -- the command line ---------------------------------------------------------------------

def test_engine_modules_never_import_the_server():
    code = textwrap.dedent("""
        import importlib, sys
        from pathlib import Path
        import tonecheck
        root = Path(tonecheck.__file__).parent
        skip = ("tonecheck.lsp", "tonecheck.cli", "tonecheck.audit")
        for path in sorted(root.rglob("*.py")):
            name = ".".join(("tonecheck", *path.relative_to(root).with_suffix("").parts)).removesuffix(".__init__")
            if not name.startswith(skip):
                importlib.import_module(name)
        print(sorted(m for m in sys.modules if m.startswith(("pygls", "lsprotocol", "tonecheck.lsp"))))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


def test_check_does_not_import_the_server():
    code = textwrap.dedent("""
        import sys
        from tonecheck.cli import main
        import tonecheck, tonecheck.linter, tonecheck.formatters
        main(["check", "--no-builtin", "--pack", sys.argv[1], "-"])
    """) + "\nprint(sorted(m for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'tonecheck.lsp'))))"
    proc = subprocess.run([sys.executable, "-c", code.replace("main([", "rc = main(["), BASIC],
                          input="Hello.", capture_output=True, text=True, timeout=300)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr


def test_lsp_rejects_a_bad_tcp_address():
    proc = subprocess.run([*SERVER, "--tcp", "localhost"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr


# -- the pure parts ----------------------------------------------------------------------

@pytest.mark.parametrize(("encoding", "expected"), [("utf-16", 6), ("utf-8", 11), ("utf-32", 4)])
def test_positions_in_each_encoding(encoding: str, expected: int):
    text = "ab\r\nc😀é𝒜xy\rz\n"
    positions = PositionMap(text, encoding)
    offset = text.index("x")
    assert positions.position(offset) == pos(1, expected)
    assert positions.offset(pos(1, expected)) == offset
    assert positions.position(text.index("z")) == pos(2, 0)  # a lone \r ends a line too
    assert positions.position(len(text)) == pos(3, 0)
    assert positions.offset(pos(0, 99)) == 2  # past the end of a line: its end, before \r\n
    assert positions.offset(pos(9, 0)) == len(text)


def test_settings_fall_back_one_by_one():
    settings, problems = parse_settings({"tonecheck": {"debounceMs": -5, "ignore": ["x"], "inputFormat": "pdf", "nope": 1}})
    assert settings == ServerSettings(ignore=["x"])
    assert len(problems) == 3
    assert parse_settings(None) == (ServerSettings(), [])
    assert parse_settings([1])[0] == ServerSettings()
    assert ServerSettings(input_format=None).format_for("markdown") == "markdown"
    assert ServerSettings().format_for("mail") == "email"
    assert ServerSettings().format_for("rust") == "auto"
    assert ServerSettings(inputFormat="text").format_for("markdown") == "text"


@pytest.mark.parametrize(("name", "before", "after"), [
    (".tonecheck.yaml", "", "ignore: [r.x]\n"),
    (".tonecheck.yaml", "builtin: true", "builtin: true\nignore: [r.x]\n"),
    (".tonecheck.yaml", "ignore: [a]  # why\n", "ignore: [a, r.x]  # why\n"),
    (".tonecheck.yaml", "ignore: []\n", "ignore: [r.x]\n"),
    (".tonecheck.yaml", "ignore:\n  - a\nselect: []\n", "ignore:\n  - a\n  - r.x\nselect: []\n"),
    (".tonecheck.yaml", "ignore:\nselect: []\n", "ignore: [r.x]\nselect: []\n"),
    ("pyproject.toml", '[tool.tonecheck]\nselect = ["x"]\n', '[tool.tonecheck]\nignore = ["r.x"]\nselect = ["x"]\n'),
    ("pyproject.toml", '[tool.tonecheck]\nignore = [\n  "a",  # c\n]\n[x]\n', '[tool.tonecheck]\nignore = [\n  "a", "r.x"  # c\n]\n[x]\n'),
    ("pyproject.toml", "[tool.tonecheck]\nignore = []\n", '[tool.tonecheck]\nignore = ["r.x"]\n'),
])
def test_config_edit_keeps_the_rest_of_the_file(name: str, before: str, after: str):
    edit = ignore_rule(Path(name), before, "r.x")
    assert apply(before, edit) == after
    assert ignore_rule(Path(name), after, "r.x") is None  # already ignored: no action


def test_config_edit_refuses_what_it_cannot_edit_safely():
    with pytest.raises(ValueError):
        ignore_rule(Path(".tonecheck.yaml"), "ignore: some-rule\n", "r.x")
    assert yaml.safe_load(ignore_rule(Path("x.yaml"), None, "r.x").new_text) == {"ignore": ["r.x"]}


def test_debouncer_runs_only_the_last_job_per_key():
    async def scenario():
        debouncer = Debouncer()
        ran: list[str] = []

        def job(name):
            async def run():
                ran.append(name)
                return name
            return run

        first = debouncer.schedule("a", 0.05, job("a1"))
        last = debouncer.schedule("a", 0.05, job("a2"))
        other = debouncer.schedule("b", 0.05, job("b1"))
        assert await last == "a2" and await other == "b1"
        assert first.cancelled()
        assert ran == ["a2", "b1"] or ran == ["b1", "a2"]
        assert debouncer.pending("a") is None
        debouncer.schedule("c", 10, job("c1"))
        debouncer.cancel_all()
        await asyncio.sleep(0)
        assert "c1" not in ran

    asyncio.run(scenario())


def _drafts() -> list[str]:
    shared, local = REPO.parent / "shared" / "data", REPO / "tests" / "data"
    replies = shared / "agent-replies.jsonl"
    sources = [replies if replies.is_file() else local / "agent-replies-sample.jsonl", local / "dev-set.jsonl"]
    rows = []
    for path in sources:
        rows += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows += [p.read_text(encoding="utf-8") for p in sorted((REPO / "examples").glob("*")) if p.is_file()]
    return ["\n\n".join(rows[i : i + 15]) for i in range(0, len(rows), 15)]


def test_paragraph_reuse_gives_the_same_findings_as_the_whole_text(linter: Linter):
    import random

    rng_ = random.Random(4)
    checks = linter.incremental()
    compared = 0
    for draft in _drafts():
        for fmt in ("auto", "email", "markdown", "text"):
            assert checks.check(draft, fmt) == linter.check(draft, input_format=fmt).findings
            at = rng_.randrange(len(draft) + 1)
            edited = draft[:at] + rng_.choice([" ", "\n", "x", "You're the only one who complained. "]) + draft[at:]
            assert checks.check(edited, fmt) == linter.check(edited, input_format=fmt).findings
            compared += 2
    assert compared >= 8


def test_crlf_drafts_reuse_paragraphs_with_the_whole_texts_findings(linter: Linter):
    checks = linter.incremental()
    drafts = [draft.replace("\n", "\r\n") for draft in _drafts()[:6]]
    for draft in drafts:
        assert checks.check(draft, "auto") == linter.check(draft, input_format="auto").findings
    # the paragraphs were remembered, so an edit re-lints only its own paragraph
    reused = len(checks.memory.found)
    assert reused > 20
    for draft in drafts:
        at = draft.index("\r\n\r\n") + 4
        edited = draft[:at] + "Calm down, you're the only customer who has complained.\r\n\r\n" + draft[at:]
        found = checks.check(edited, "auto")
        assert found == linter.check(edited, input_format="auto").findings
        assert any(f.match == "Calm down" and edited[f.start:f.end] == "Calm down" for f in found)
    assert len(checks.memory.found) <= reused + len(drafts)


# -- TCP ------------------------------------------------------------------------------------

@pytest.mark.asyncio
async def test_tcp_transport(workspace: Path):
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "XDG_CONFIG_HOME": NO_USER_CONFIG}
    server = await asyncio.create_subprocess_exec(*SERVER, "--tcp", f"127.0.0.1:{port}", env=env)
    client = _make_client()
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + DEADLINE
        while True:  # wait for the server to listen
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                if loop.time() > deadline:
                    raise
                await asyncio.sleep(0.1)
        await client.initialize_session(_initialize(workspace, OPTIONS, push_capabilities()))
        uri = open_doc(client, workspace / "tcp.txt", ONLY_ONE)
        assert await published(client, uri, 1) == [only_one_diagnostic(rng((0, 0), (0, 19)))]
        await client.shutdown_async(None)
        client.exit(None)
    finally:
        # A failed assertion above must fail the test, not hang it in the TCP client's shutdown.
        try:
            await asyncio.wait_for(client.stop(), DEADLINE)
        finally:
            if server.returncode is None:
                server.terminate()
            await server.wait()


# -- editor setups (lsp/) ---------------------------------------------------------------------

SERVER_SETTING_NAMES = sorted(f.alias or n for n, f in ServerSettings.model_fields.items())


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not installed (`.ci/run` installs nodejs and npm as root)")
def test_vscode_extension_builds(tmp_path: Path):
    source = REPO / "lsp" / "vscode"
    build = tmp_path / "vscode"
    shutil.copytree(source, build, ignore=shutil.ignore_patterns("node_modules", "out"))
    for command in (["npm", "ci", "--prefer-offline", "--no-audit", "--no-fund"], ["npm", "run", "compile"]):
        proc = subprocess.run(command, cwd=build, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, f"{' '.join(command)} failed:\n{proc.stdout}\n{proc.stderr}"
    assert (build / "out" / "extension.js").is_file()
    manifest = json.loads((source / "package.json").read_text(encoding="utf-8"))
    properties = manifest["contributes"]["configuration"]["properties"]
    assert sorted(k.removeprefix("tonecheck.") for k in properties) == sorted([*SERVER_SETTING_NAMES, "command"])
    defaults = ServerSettings().model_dump(by_alias=True)
    for name in SERVER_SETTING_NAMES:
        assert properties[f"tonecheck.{name}"]["default"] == defaults[name], name
    extension = (source / "src" / "extension.ts").read_text(encoding="utf-8")
    # The extension reads the setting names from its package.json, checked against ServerSettings below.
    assert "packageJSON.contributes.configuration.properties" in extension


def _field_bounds(field) -> dict:
    bounds = {}
    for item in field.metadata:
        for attr, key in (("ge", "minimum"), ("le", "maximum")):
            if getattr(item, attr, None) is not None:
                bounds[key] = getattr(item, attr)
    return bounds


def test_vscode_settings_are_the_server_settings():
    """lsp/vscode/package.json offers exactly ServerSettings: names, defaults, bounds, choices, version."""
    import tomllib

    from tonecheck.input_formats import INPUT_FORMATS

    manifest = json.loads((REPO / "lsp" / "vscode" / "package.json").read_text(encoding="utf-8"))
    properties = manifest["contributes"]["configuration"]["properties"]
    assert sorted(k.removeprefix("tonecheck.") for k in properties) == sorted([*SERVER_SETTING_NAMES, "command"])
    defaults = ServerSettings().model_dump(by_alias=True)
    for name, field in ServerSettings.model_fields.items():
        entry = properties[f"tonecheck.{field.alias or name}"]
        assert entry["default"] == defaults[field.alias or name], name
        assert {k: entry[k] for k in ("minimum", "maximum") if k in entry} == _field_bounds(field), name
        assert entry.get("description"), name
    assert properties["tonecheck.inputFormat"]["enum"] == [*INPUT_FORMATS, None]
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert manifest["version"] == pyproject["project"]["version"], "the extension's version is the package's"


def test_helix_and_sublime_setups_start_the_server():
    import re
    import tomllib

    helix = tomllib.loads((REPO / "lsp" / "helix" / "languages.toml").read_text(encoding="utf-8"))
    server = helix["language-server"]["tonecheck"]
    assert [server["command"], *server["args"]] == ["tonecheck", "lsp"]
    assert parse_settings(server["config"])[1] == []
    assert {lang["name"] for lang in helix["language"] if "tonecheck" in lang["language-servers"]} >= {"markdown", "html"}
    text = (REPO / "lsp" / "sublime" / "LSP.sublime-settings").read_text(encoding="utf-8")
    sublime = json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))  # Sublime allows // comments
    client = sublime["clients"]["tonecheck"]
    assert client["command"] == ["tonecheck", "lsp"] and client["enabled"]
    assert parse_settings(client["initializationOptions"])[1] == [] and parse_settings(client["settings"])[1] == []


@pytest.mark.skipif(shutil.which("emacs") is None, reason="Emacs is not installed (optional: `apt-get install emacs-nox elpa-eglot`)")
def test_emacs_eglot_setup_finds_the_server(tmp_path: Path):
    setup = REPO / "lsp" / "emacs" / "tonecheck-eglot.el"
    draft = tmp_path / "draft.txt"
    draft.write_text(ONLY_ONE, encoding="utf-8")
    script = f"""
      (progn
        (package-initialize)
        (load "{setup}")
        (find-file "{draft}")
        (let ((contact (eglot--guess-contact)))
          (princ (format "MODE=%s\\nCONTACT=%S\\nLANGUAGE=%s\\n" major-mode (nth 3 contact) (nth 4 contact)))))
    """
    proc = subprocess.run(["emacs", "--batch", "-q", "--eval", script], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "MODE=text-mode" in proc.stdout and "LANGUAGE=plaintext" in proc.stdout, proc.stdout
    assert '"tonecheck" "lsp" :initializationOptions (:debounceMs 150)' in proc.stdout, proc.stdout + proc.stderr
