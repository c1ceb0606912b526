"""The audit's HTML report: self-contained, escaped, and rendered by a real headless Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

pytest.importorskip("pandas")
pytest.importorskip("pyarrow")

from audit_data import archive_rows, with_non_text, write_jsonl  # noqa: E402
from conftest import run_cli  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHARTS = ("chart-category", "chart-group-brand", "chart-group-channel", "chart-time", "chart-rules")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report")
    archive = write_jsonl(with_non_text(archive_rows()), folder / "replies.jsonl")
    html = folder / "report.html"
    proc = run_cli("audit", str(archive), "--text-column", "text", "--id-column", "id",
                   "--group-by", "brand,channel", "--time-column", "sent_at", "--html", str(html))
    assert proc.returncode == 0, proc.stderr
    return html


def test_report_is_self_contained_and_escaped(report):
    page = report.read_text(encoding="utf-8")
    for chart in CHARTS:
        assert f'id="{chart}"' in page
    # no script, no stylesheet or image from anywhere: it opens offline
    assert not re.search(r"<script|<link|<img|<iframe|@import|url\(|\bsrc=", page, re.I)
    # the hostile reply and group value are shown as text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "&lt;i&gt;Evil&lt;/i&gt; &amp; Co" in page
    assert "<i>Evil</i>" not in page
    # flagged phrases are highlighted in the example replies
    assert re.search(r'<mark title="[a-z.-]+"[^>]*>[^<]+</mark>', page)


def _chromium(*args: str, profile) -> subprocess.CompletedProcess:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-extensions",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=180)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium): headless render test skipped")
def test_report_renders_in_headless_chromium(report, tmp_path):
    url = report.resolve().as_uri()
    dom = _chromium("--dump-dom", url, profile=tmp_path / "profile-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    page = dom.stdout
    assert "<h1>Tone audit: replies.jsonl</h1>" in page
    for chart in CHARTS:
        assert re.search(rf'<svg[^>]*id="{chart}"', page), f"{chart} missing from the rendered DOM"
    assert len(re.findall(r'<rect class="bar"', page)) >= 20
    assert len(re.findall(r'<polyline class="series"', page)) >= 2
    assert len(re.findall(r"<mark ", page)) >= 10
    assert "<script" not in page  # the reply's <script> stayed text

    shot = tmp_path / "audit-report.png"
    proc = _chromium(f"--screenshot={shot}", "--window-size=900,2400", "--hide-scrollbars", url,
                     profile=tmp_path / "profile-shot")
    assert proc.returncode == 0, proc.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert int.from_bytes(data[16:20], "big") == 900  # width from the IHDR chunk
    assert len(data) > 40_000  # charts and text, not a blank page (a white 900x2400 PNG is ~10 kB)
    print(f"\naudit report screenshot: {shot}")
