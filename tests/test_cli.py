"""The CLI end to end, in subprocesses: exit codes, inputs, errors, commands."""

from __future__ import annotations

import json

from conftest import PACKS, REPO, run_cli

PACK = ["--no-builtin", "--pack", str(PACKS / "basic.yaml")]


def test_model_reply_prints_nothing_and_exits_zero():
    proc = run_cli("check", "-", input="Sorry about the missing items. I'll send them out to you today.")
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")


def test_no_path_reads_stdin():
    proc = run_cli("check", "--format", "json", input="You're the only person who has had this problems this often!")
    assert proc.returncode == 1
    [result] = json.loads(proc.stdout)["results"]
    assert result["path"] == "-"
    assert {f["category"] for f in result["findings"]} == {"isolating"}


def test_done_when_examples_by_category():
    cases = {
        "Calling your allergic reaction to our nuts an emergency is asinine.": "denigrating",
        "If the payment is late we will take legal action.": "inflammatory",
        "this is entirely our fault and we will cover all damages": "liability",
    }
    for text, category in cases.items():
        data = json.loads(run_cli("check", "-", "--format", "json", input=text).stdout)
        assert category in {f["category"] for f in data["results"][0]["findings"]}, text
    clean = run_cli("check", "-", input="You're not the only one, several customers reported it")
    assert (clean.returncode, clean.stdout) == (0, "")


def test_fail_on_levels():
    text = "We apologised."  # one info finding
    assert run_cli("check", "-", *PACK, input=text).returncode == 0
    assert run_cli("check", "-", *PACK, "--fail-on", "info", input=text).returncode == 1
    assert run_cli("check", "-", *PACK, "--fail-on", "never", input="ur the only one").returncode == 0
    assert run_cli("check", "-", *PACK, "--fail-on", "error", input="ur the only one").returncode == 1


def test_select_and_ignore_flags():
    text = "ur the only one, we apologised, so silly"
    def rules(*flags):
        data = json.loads(run_cli("check", "-", "--format", "json", *PACK, *flags, input=text).stdout)
        return [f["rule"] for f in data["results"][0]["findings"]]
    assert rules("--select", "isolating") == ["basic.only-one"]
    assert rules("--select", "basic", "--ignore", "basic.only-one,style") == ["basic.exact"]
    bad = run_cli("check", "-", *PACK, "--select", "isolatng", input=text)
    assert bad.returncode == 2 and "`isolatng` names no rule" in bad.stderr


def test_folders_include_globs_and_project_config(tmp_path):
    (tmp_path / "drafts" / ".hidden").mkdir(parents=True)
    (tmp_path / "drafts" / "a.txt").write_text("ur the only one")
    (tmp_path / "drafts" / "b.md").write_text("All good.")
    (tmp_path / "drafts" / "c.log").write_text("ur the only one")
    (tmp_path / "drafts" / ".hidden" / "d.txt").write_text("ur the only one")
    (tmp_path / ".tonecheck.yaml").write_text(f"builtin: false\npacks: [{PACKS / 'basic.yaml'}]\n")
    proc = run_cli("check", "drafts", "--format", "json", cwd=tmp_path)
    data = json.loads(proc.stdout)
    assert [r["path"] for r in data["results"]] == ["drafts/a.txt", "drafts/b.md"]
    assert proc.returncode == 1
    proc = run_cli("check", "drafts", "--format", "json", "--include", "*.log", cwd=tmp_path)
    assert [r["path"] for r in json.loads(proc.stdout)["results"]] == ["drafts/c.log"]


def test_bad_files_are_reported_by_name_and_the_rest_still_checked(tmp_path):
    (tmp_path / "latin1.txt").write_bytes("caf\xe9 ur the only one".encode("latin-1"))
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "good.txt").write_text("ur the only one")
    proc = run_cli("check", "latin1.txt", "image.txt", "missing.txt", "good.txt", "--format", "json", *PACK, cwd=tmp_path)
    assert proc.returncode == 2
    assert "latin1.txt: not UTF-8 text (byte 0xe9 at offset 3)" in proc.stderr
    assert "image.txt: binary file" in proc.stderr
    assert "missing.txt: no such file or directory" in proc.stderr
    [result] = json.loads(proc.stdout)["results"]
    assert result["path"] == "good.txt" and result["findings"][0]["rule"] == "basic.only-one"


def test_empty_input_gives_no_findings():
    proc = run_cli("check", "-", input="")
    assert (proc.returncode, proc.stdout) == (0, "")


def test_broken_pack_is_a_located_message_without_traceback(tmp_path):
    pack = tmp_path / "team.yaml"
    pack.write_text((PACKS / "basic.yaml").read_text().replace("severity: warning", "severity: loud", 1))
    proc = run_cli("check", "-", "--pack", str(pack), input="hello")
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"tonecheck: error: {pack}:")
    assert "rule `basic.only-one-loud`, field `severity`" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_broken_config_is_a_located_message(tmp_path):
    (tmp_path / ".tonecheck.yaml").write_text("fail_on: sometimes\n")
    proc = run_cli("check", "-", input="hello", cwd=tmp_path)
    assert proc.returncode == 2 and f"{tmp_path / '.tonecheck.yaml'}:1" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_model_is_a_clear_error():
    proc = run_cli("check", "-", "--model", "xx_no_such_pipeline", input="hello")
    assert proc.returncode == 2
    assert "cannot load the spaCy pipeline `xx_no_such_pipeline`" in proc.stderr


def test_rules_explain_and_test_rules_commands():
    listing = run_cli("rules").stdout.splitlines()
    assert listing[0].split() == ["RULE", "CATEGORY", "SEVERITY", "PACK"]
    categories = {line.split()[1] for line in listing[1:] if line.strip() and not line.startswith(("@", "LEXICON", "`"))}
    assert {"denigrating", "isolating", "liability", "inflammatory"} <= categories
    data = json.loads(run_cli("rules", "--format", "json").stdout)
    assert len(data) >= 12 and {"id", "category", "severity", "pack", "lexicons"} <= set(data[0])

    explain = run_cli("explain", "--no-builtin", "--pack", str(PACKS / "basic.yaml"), "basic.only-one")
    assert explain.returncode == 0 and "Try instead:" in explain.stdout and "Flagged:" in explain.stdout
    unknown = run_cli("explain", "isolating")
    assert unknown.returncode == 2 and "rules under it: isolating." in unknown.stderr

    tested = run_cli("test-rules")
    assert tested.returncode == 0, tested.stdout
    assert tested.stdout.strip().endswith("0 failed")


def test_test_rules_reports_a_failing_example(tmp_path):
    pack = tmp_path / "team.yaml"
    pack.write_text((PACKS / "basic.yaml").read_text().replace('flag: ["We apologized twice.", ', 'flag: ["All fine here.", '))
    proc = run_cli("test-rules", str(pack))
    assert proc.returncode == 1
    assert "rule `basic.apologise`: flag example produced no finding" in proc.stdout
    assert "'All fine here.'" in proc.stdout


def test_shipped_examples_are_flagged_and_the_model_reply_is_clean():
    proc = run_cli("check", "examples", "--format", "json", cwd=REPO)
    by_path = {r["path"]: r["findings"] for r in json.loads(proc.stdout)["results"]}
    assert by_path["examples/model-reply.txt"] == []
    assert all(by_path[p] for p in by_path if p != "examples/model-reply.txt")
    assert proc.returncode == 1


# -- tonecheck.unused-suppression is a rule like the others ------------------------

STALE = "<!-- tonecheck-disable isolating -->\nAll fixed, thanks for waiting.\n"


def test_unused_suppression_follows_select_ignore_and_severity(tmp_path):
    draft = tmp_path / "macro.md"
    draft.write_text(STALE)
    def run(*flags, cwd=tmp_path):
        proc = run_cli("check", "macro.md", "--format", "json", *flags, cwd=cwd)
        return proc.returncode, [(f["rule"], f["severity"]) for f in json.loads(proc.stdout)["results"][0]["findings"]]
    assert run() == (1, [("tonecheck.unused-suppression", "warning")])
    # --select isolating runs isolating rules only: the stale directive is not reported, exit 0.
    assert run("--select", "isolating") == (0, [])
    assert run("--ignore", "tonecheck") == (0, [])
    assert run("--select", "tonecheck.unused-suppression") == (1, [("tonecheck.unused-suppression", "warning")])
    (tmp_path / ".tonecheck.yaml").write_text("severity:\n  tonecheck.unused-suppression: info\n")
    assert run() == (0, [("tonecheck.unused-suppression", "info")])
    (tmp_path / ".tonecheck.yaml").write_text("severity:\n  tonecheck: error\nfail_on: error\n")
    assert run() == (1, [("tonecheck.unused-suppression", "error")])


def test_unused_suppression_is_listed_and_explained():
    listing = run_cli("rules").stdout.splitlines()
    assert any(line.split() == ["tonecheck.unused-suppression", "tonecheck", "warning", "tonecheck"] for line in listing)
    explain = run_cli("explain", "tonecheck.unused-suppression")
    assert explain.returncode == 0 and "A stale suppression hides the next real problem" in explain.stdout
    sarif = json.loads(run_cli("check", "-", "--format", "sarif", input=STALE).stdout)
    [rule] = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "tonecheck.unused-suppression"]
    assert rule["properties"] == {"category": "tonecheck", "pack": "tonecheck"}


def test_eval_select_scores_only_what_it_ran_and_shows_undefined_as_a_dash(tmp_path):
    labeled = tmp_path / "labeled.jsonl"
    rows = [
        {"id": "1", "text": "You're the only customer who has complained.", "labels": ["isolating"]},
        {"id": "2", "text": "This is entirely our fault.", "labels": ["liability"]},
        {"id": "3", "text": "Thanks for waiting, the refund is on its way.", "labels": []},
    ]
    labeled.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    proc = run_cli("eval", str(labeled), "--select", "isolating")
    assert proc.returncode == 0, proc.stderr
    table = proc.stdout.splitlines()
    assert table[1].split() == ["isolating", "1", "0", "0", "1.000", "1.000", "1.000"]
    assert not any(line.startswith(("liability", "denigrating", "inflammatory")) for line in table)
    data = json.loads(run_cli("eval", str(labeled), "--select", "isolating", "--format", "json").stdout)
    assert list(data["categories"]) == ["isolating"]
    # Nothing predicted: precision is undefined, not 1.000; nothing labeled: recall too.
    proc = run_cli("eval", str(labeled), "--select", "liability.guarantee,denigrating")
    lines = {line.split()[0]: line.split()[1:] for line in proc.stdout.splitlines()[1:3]}
    assert lines["liability"] == ["0", "0", "1", "–", "0.000", "–"]
    assert lines["denigrating"] == ["0", "0", "0", "–", "–", "–"]
    assert proc.stdout.rstrip().endswith("denigrating –/–  liability –/0.00")
    data = json.loads(run_cli("eval", str(labeled), "--select", "liability.guarantee,denigrating", "--format", "json").stdout)
    assert data["categories"]["liability"] == {"tp": 0, "fp": 0, "fn": 1, "precision": None, "recall": 0.0, "f1": None}
