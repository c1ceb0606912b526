"""A real editor: headless Neovim with lsp/nvim/tonecheck.lua reads tonecheck's diagnostics back.

Neovim 0.7 (Debian's) or newer. `.ci/run` installs it with apt-get when run as
root; where `nvim` is absent this test is skipped and says so.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SETUP = REPO / "lsp" / "nvim" / "tonecheck.lua"
BASIC = REPO / "tests" / "packs" / "basic.yaml"

pytestmark = pytest.mark.skipif(
    shutil.which("nvim") is None,
    reason="Neovim (nvim) is not installed: `apt-get install neovim` (`.ci/run` does it as root) to run the real-editor test",
)

SCRIPT = textwrap.dedent("""
    local args = vim.fn.json_decode(vim.fn.readfile(vim.env.TONECHECK_TEST_ARGS)[1])
    local tonecheck = dofile(args.setup)
    tonecheck.setup({ cmd = args.cmd, settings = args.settings })
    vim.cmd('edit ' .. vim.fn.fnameescape(args.draft))
    local out = { filetype = vim.bo.filetype, diagnostics = {} }
    out.ready = vim.wait(90000, function() return #vim.diagnostic.get(0) > 0 end, 50)
    for _, d in ipairs(vim.diagnostic.get(0)) do
      local lsp = (d.user_data or {}).lsp or {}
      table.insert(out.diagnostics, {
        lnum = d.lnum, col = d.col, end_lnum = d.end_lnum, end_col = d.end_col,
        severity = d.severity, message = d.message, source = d.source,
        code = d.code or lsp.code,
      })
    end
    local hover = vim.lsp.buf_request_sync(0, 'textDocument/hover', {
      textDocument = { uri = vim.uri_from_bufnr(0) },
      position = { line = 2, character = 9 },
    }, 60000)
    for _, response in pairs(hover or {}) do
      if response.result then out.hover = response.result.contents.value end
    end
    -- A configuration file changed outside Neovim: :TonecheckRestart reads it.
    vim.fn.writefile({ 'severity:', '  basic.only-one: hint' }, args.config)
    vim.cmd('TonecheckRestart')
    out.reloaded = vim.wait(90000, function()
      local now = vim.diagnostic.get(0)
      return #now == 1 and now[1].severity == vim.diagnostic.severity.HINT
    end, 50)
    vim.fn.writefile({ vim.fn.json_encode(out) }, args.output)
    vim.cmd('qall!')
""")


def test_neovim_shows_tonecheck_diagnostics(tmp_path: Path):
    draft = tmp_path / "draft.txt"
    # Line 3 starts with two emoji: 2 code points, 4 UTF-16 units, 8 UTF-8 bytes.
    draft.write_text("Hello Sam,\n\n🎉🎉 You're the only one who asked.\n", encoding="utf-8")
    (tmp_path / ".git").mkdir()  # the project root
    script = tmp_path / "test.lua"
    script.write_text(SCRIPT, encoding="utf-8")
    args = tmp_path / "args.json"
    output = tmp_path / "out.json"
    args.write_text(json.dumps({
        "setup": str(SETUP),
        "cmd": [sys.executable, "-m", "tonecheck.cli", "lsp"],
        "settings": {"builtin": False, "packs": [str(BASIC)], "debounceMs": 50},
        "draft": str(draft),
        "output": str(output),
        "config": str(tmp_path / ".tonecheck.yaml"),
    }), encoding="utf-8")
    env = {**os.environ, "TONECHECK_TEST_ARGS": str(args), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_STATE_HOME": str(tmp_path / "state")}
    proc = subprocess.run(
        ["nvim", "--headless", "--clean", "-c", f"luafile {script}"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )
    assert output.is_file(), f"Neovim wrote no result (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    result = json.loads(output.read_text(encoding="utf-8"))
    assert result["filetype"] == "text"
    assert result["ready"], "no diagnostics arrived"
    # Neovim turns the server's UTF-16 columns into byte columns: 8 bytes of emoji + a space.
    assert result["diagnostics"] == [{
        "lnum": 2, "col": 9, "end_lnum": 2, "end_col": 28, "severity": 1,
        "message": '"You\'re the only one" singles the customer out.', "source": "tonecheck",
        "code": "basic.only-one",
    }]
    assert "Telling a customer they are the only one" in result["hover"]
    assert "I'm sorry you've run into this" in result["hover"]
    assert result["reloaded"], "the new .tonecheck.yaml was not applied after :TonecheckRestart"
