"""`tonecheck serve` over real HTTP: the real service started as a subprocess, as a helpdesk app would call it."""

from __future__ import annotations

import json
import re
import time

import httpx
import psutil
import pytest
from conftest import run_cli
from serving import Server

DRAFTS = [
    "Hi Sam 🎉 You're the only person who has had this problem. Calm down!!!",
    "<p>Honestly, this is <b>entirely our fault</b> &amp; we&rsquo;ll cover all damages.</p>",
    "Thanks for your patience, the parcel ships today.\n\nOn Mon, 3 Jun 2024, Ann wrote:\n> you're the only one",
]


@pytest.fixture(scope="module")
def server():
    server = Server()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def http(server):
    with httpx.Client(base_url=server.url, timeout=60) as client:
        yield client


def post(http: httpx.Client, path: str, body) -> httpx.Response:
    return http.post(path, json=body)


def assert_error(answer: httpx.Response, status: int, field: str | None, *words: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    assert "Traceback" not in answer.text
    error = answer.json()["error"]
    assert error["status"] == status and error["field"] == field, error
    for word in words:
        assert word in error["message"], error
    return error


@pytest.mark.parametrize("draft", DRAFTS)
def test_check_answers_exactly_what_the_cli_prints(http, draft):
    cli = run_cli("check", "-", "--format", "json", input=draft)
    expected = json.loads(cli.stdout)
    answer = post(http, "/v1/check", {"text": draft})
    assert answer.status_code == 200, answer.text
    got = answer.json()
    # The one difference: the CLI read stdin (`-`), the service was sent a text.
    assert expected["results"][0].pop("path") == "-" and got["results"][0].pop("path") is None
    assert got == expected
    for finding in got["results"][0]["findings"]:
        assert draft[finding["start"]:finding["end"]] == finding["match"]


def test_options_select_ignore_input_format_and_suppressions(http, linter):
    draft = "You're the only person who has had this problem. Calm down!"
    selected = post(http, "/v1/check", {"text": draft, "select": ["isolating"]}).json()
    assert [f["rule"] for f in selected["results"][0]["findings"]] == ["isolating.you-alone"]
    cli = json.loads(run_cli("check", "-", "--format", "json", "--select", "isolating", input=draft).stdout)
    assert selected["results"][0]["findings"] == cli["results"][0]["findings"]

    ignored = post(http, "/v1/check", {"text": draft, "ignore": ["inflammatory"]}).json()
    assert [f["rule"] for f in ignored["results"][0]["findings"]] == ["isolating.you-alone"]
    suppressed = post(http, "/v1/check", {"text": draft, "suppressions": ["isolating.you-alone"]}).json()
    assert [f["category"] for f in suppressed["results"][0]["findings"]] == ["inflammatory"]
    # As text, the markup itself is linted; as HTML only what the reader sees.
    html = "<p>calm down</p><!-- calm down -->"
    as_html = post(http, "/v1/check", {"text": html, "input_format": "html"}).json()["results"][0]["findings"]
    assert [(f["start"], f["match"]) for f in as_html] == [(3, "calm down")]


def test_batch_gives_one_report_per_text_in_order(http, linter):
    texts = [DRAFTS[i % 3] if i % 4 else f"Thanks, all sorted {i}." for i in range(40)]
    answer = post(http, "/v1/check-batch", {"texts": texts})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert len(results) == len(texts)
    for text, result in zip(texts, results):
        assert result["findings"] == [f.model_dump(mode="json") for f in linter.check(text).findings]
    assert sum(bool(r["findings"]) for r in results) == 20  # the third draft's flagged words are in the quote


def test_concurrent_requests_each_get_their_own_answer(http, linter):
    import concurrent.futures

    texts = [f"{DRAFTS[i % 3]} Ticket {i}." for i in range(48)]
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda t: post(http, "/v1/check", {"text": t}), texts))
    for text, answer in zip(texts, answers):
        assert answer.json()["results"][0]["findings"] == [f.model_dump(mode="json") for f in linter.check(text).findings]


def test_rules_are_what_the_cli_lists_and_explains(http):
    listed = http.get("/v1/rules").json()
    assert listed == json.loads(run_cli("rules", "--format", "json").stdout)
    rule = http.get("/v1/rules/isolating.you-alone").json()
    explained = run_cli("explain", "isolating.you-alone").stdout
    for text in (rule["explanation"], *rule["suggestions"], *rule["examples"]["flag"], *rule["examples"]["pass"], rule["advice"]):
        assert text in explained
    assert rule["url"].endswith("#isolatingyou-alone") and rule["runs"] is True and rule["category"] == "isolating"


def test_health_openapi_and_the_page(server, http):
    health = http.get("/healthz").json()
    assert health["status"] == "ready" and health["workers_ready"] == 1
    schema = http.get("/openapi.json").json()
    assert {"/v1/check", "/v1/check-batch", "/v1/rules", "/v1/rules/{rule_id}", "/healthz"} <= set(schema["paths"])
    body = schema["paths"]["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["$ref"].endswith("/CheckRequest")
    page = http.get("/")
    assert page.status_code == 200 and "<textarea" in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    # Self-contained: everything the page loads comes from the service itself.
    assert all(link.startswith("/static/") for link in re.findall(r'(?:src|href)="([^"]+)"', page.text))
    assert http.get("/static/draft.js").status_code == 200
    # The default is this machine only.
    assert server.url.startswith("http://127.0.0.1:")


def test_bad_requests_get_an_error_naming_the_field(http):
    assert_error(http.post("/v1/check", content=b'{"text": "x",}', headers={"content-type": "application/json"}),
                 400, "body", "not valid JSON")
    assert_error(http.post("/v1/check", content=b'{"text": "x"}', headers={"content-type": "text/plain"}),
                 415, "Content-Type", "application/json")
    assert_error(post(http, "/v1/check", {"text": 5}), 422, "text", "valid string")
    assert_error(post(http, "/v1/check", {}), 422, "text", "missing")
    assert_error(post(http, "/v1/check", ["x"]), 422, "body")
    assert_error(http.post("/v1/check", headers={"content-type": "application/json"}), 422, "body", "missing")
    assert_error(post(http, "/v1/check", {"text": "x", "suppression": ["a"]}), 422, "suppression", "not a field")
    assert_error(post(http, "/v1/check", {"text": "x", "input_format": "pdf"}), 422, "input_format", "'html'", "'pdf'")
    assert_error(post(http, "/v1/check", {"text": "x", "select": "isolating"}), 422, "select", "valid array")
    assert_error(post(http, "/v1/check", {"text": "x", "select": ["isolating", "isolatin"]}), 422, "select[1]", "`isolatin`")
    assert_error(post(http, "/v1/check", {"text": "x", "ignore": ["nope.rule"]}), 422, "ignore[0]", "`nope.rule`")
    assert_error(post(http, "/v1/check", {"text": "x", "suppressions": ["typo"]}), 422, "suppressions[0]", "`typo`")
    assert_error(post(http, "/v1/check-batch", {"texts": ["fine", 3]}), 422, "texts[1]", "valid string")
    assert_error(post(http, "/v1/check-batch", {"texts": ["x"] * 101}), 422, "texts", "at most 100", "got 101")
    assert_error(http.get("/v1/rules/isolating"), 404, "rule_id", "isolating.you-alone")
    assert_error(http.get("/v1/rules/nothing-like-it"), 404, "rule_id", "GET /v1/rules")
    assert_error(http.get("/v2/check"), 404, None, "/openapi.json")
    assert_error(http.put("/v1/check"), 405, None, "PUT")
    # The service still answers normally after all of that.
    assert post(http, "/v1/check", {"text": "Calm down"}).json()["results"][0]["findings"][0]["rule"] == "inflammatory.command"


def test_a_body_over_the_limit_gets_413(http):
    big = json.dumps({"text": "a" * (1 << 20)}).encode()
    assert_error(http.post("/v1/check", content=big, headers={"content-type": "application/json"}), 413, "body", "1,048,576")

    def chunks():  # no Content-Length: refused once the limit is passed
        for _ in range(20):
            yield b"a" * 65536

    chunked = http.post("/v1/check", content=chunks(), headers={"content-type": "application/json"})
    assert_error(chunked, 413, "body")


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    token = tmp_path_factory.mktemp("token") / "token"
    token.write_text("s3cret-token-value\n")
    server = Server("--token-file", str(token), "--cors-origin", "https://acme.zendesk.test", "https://other.test")
    yield server
    server.stop()


def test_with_a_token_every_request_but_healthz_needs_it(guarded):
    url = guarded.url
    assert httpx.get(f"{url}/healthz").status_code == 200
    for path in ("/v1/rules", "/", "/openapi.json"):
        missing = httpx.get(f"{url}{path}")
        assert_error(missing, 401, "Authorization", "Bearer")
        assert missing.headers["www-authenticate"].startswith("Bearer")
    wrong = httpx.post(f"{url}/v1/check", json={"text": "x"}, headers={"Authorization": "Bearer s3cret-token-valuE"})
    assert_error(wrong, 401, "Authorization", "not the one")
    assert_error(httpx.get(f"{url}/v1/rules", headers={"Authorization": "Basic czNjcmV0"}), 401, "Authorization")
    good = httpx.post(f"{url}/v1/check", json={"text": "calm down"}, headers={"Authorization": "Bearer s3cret-token-value"})
    assert good.status_code == 200 and good.json()["results"][0]["findings"]


def test_cors_allows_only_the_named_origins(guarded):
    url = f"{guarded.url}/v1/check"
    preflight = {"Origin": "https://acme.zendesk.test", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization, content-type"}
    allowed = httpx.options(url, headers=preflight)  # no token: browsers never send one in a preflight
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://acme.zendesk.test"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    refused = httpx.options(url, headers={**preflight, "Origin": "https://evil.test"})
    assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers
    # The answers themselves carry the header, the 401s too (so the app can show why).
    headers = {"Origin": "https://other.test", "Authorization": "Bearer s3cret-token-value"}
    assert httpx.post(url, json={"text": "x"}, headers=headers).headers["access-control-allow-origin"] == "https://other.test"
    unauthorized = httpx.post(url, json={"text": "x"}, headers={"Origin": "https://other.test"})
    assert unauthorized.status_code == 401 and unauthorized.headers["access-control-allow-origin"] == "https://other.test"


def test_a_check_that_takes_too_long_gets_503_and_the_service_recovers(linter):
    # Long real replies take seconds to lint; the limit here is a fifth of a second.
    rows = [json.loads(line)["text"] for line in open("tests/data/agent-replies-sample.jsonl", encoding="utf-8")]
    long_text = "\n\n".join(rows * 4)
    server = Server("--timeout", "0.2", "--workers", "2")
    try:
        slow = httpx.post(f"{server.url}/v1/check", json={"text": long_text}, timeout=60)
        assert_error(slow, 503, None, "longer than", "0.2 s")
        assert slow.headers["retry-after"] == "1"
        # The other worker answers at once while the stopped one is replaced.
        started = time.monotonic()
        quick = httpx.post(f"{server.url}/v1/check", json={"text": "Calm down"}, timeout=60)
        assert quick.status_code == 200 and time.monotonic() - started < 5
        deadline = time.monotonic() + 240
        while httpx.get(f"{server.url}/healthz").json()["workers_ready"] < 2:
            assert time.monotonic() < deadline, server.log
            time.sleep(0.2)
        assert httpx.get(f"{server.url}/healthz").json()["restarts"] == 1
        assert "took longer than 0.2 s" in server.log and "stopped worker" in server.log

        # A worker killed from outside (out of memory, a crash) is replaced too.
        workers = [p for p in psutil.Process(server.process.pid).children() if "tonecheck.serve.worker" in " ".join(p.cmdline())]
        assert len(workers) == 2
        for worker in workers:
            worker.kill()
        # A request meanwhile waits for a replacement, or is told to retry if its worker died under it.
        meanwhile = httpx.post(f"{server.url}/v1/check", json={"text": "you are the only one"}, timeout=60)
        assert meanwhile.status_code == 200 or "retry" in assert_error(meanwhile, 503, None)["message"], server.log
        while (health := httpx.get(f"{server.url}/healthz").json())["workers_ready"] < 2 or health["restarts"] < 3:
            assert time.monotonic() < deadline, server.log
            time.sleep(0.2)
        answer = httpx.post(f"{server.url}/v1/check", json={"text": "you are the only one"}, timeout=60)
        assert answer.status_code == 200, answer.text + server.log
        assert answer.json()["results"][0]["findings"][0]["rule"] == "isolating.you-alone"
        assert "exited with code -9; starting another" in server.log
        workers = [p for p in psutil.Process(server.process.pid).children() if "tonecheck.serve.worker" in " ".join(p.cmdline())]
    finally:
        server.stop()
    # uvicorn ends by re-raising the SIGTERM it handled, after a clean shutdown that stopped the workers.
    assert server.process.returncode == -15 and "Application shutdown complete" in server.log
    assert not [w for w in workers if w.is_running() and w.status() != psutil.STATUS_ZOMBIE]


def test_startup_errors_exit_2_with_the_reason(tmp_path):
    bad = tmp_path / ".tonecheck.yaml"
    bad.write_text("select: [isolatin]\n")
    proc = run_cli("serve", "--port", "0", cwd=tmp_path)
    assert proc.returncode == 2 and "`isolatin` names no rule" in proc.stderr and "listening" not in proc.stderr
    proc = run_cli("serve", "--port", "0", "--token-file", str(tmp_path / "missing"))
    assert proc.returncode == 2 and "cannot read the token file" in proc.stderr
    (tmp_path / "empty").write_text("\n")
    proc = run_cli("serve", "--port", "0", "--token-file", str(tmp_path / "empty"))
    assert proc.returncode == 2 and "token file is empty" in proc.stderr
    proc = run_cli("serve", "--port", "0", "--workers", "0")
    assert proc.returncode == 2 and "--workers needs a number of at least 1" in proc.stderr


def test_requests_queued_behind_a_busy_worker_go_together_and_fail_alone(linter):
    """The pool itself, with one real worker: what queues up while it is busy is sent in one message,
    and one overrun or bad request in that message costs the others nothing."""
    import asyncio

    from tonecheck.serve.pool import CheckFailed, WorkerPool

    rows = [json.loads(line)["text"] for line in open("tests/data/agent-replies-sample.jsonl", encoding="utf-8")]
    long_text = "\n\n".join(rows * 16)  # over a second to lint; the limit here is half of one
    sent: list[int] = []

    class Recorded(WorkerPool):
        def _dispatch(self) -> None:
            before = {w: len(w.jobs) for w in self._workers}
            super()._dispatch()
            sent.extend(len(w.jobs) - before.get(w, 0) for w in self._workers if len(w.jobs) > before.get(w, 0))

    async def run() -> list:
        pool = Recorded(linter.config, 1, timeout=0.5)
        pool.start()
        try:
            while not pool.ready:
                await asyncio.sleep(0.05)
            requests = [
                {"text": "Thanks, all sorted."},  # sent at once, alone: the others queue behind it
                {"text": "You're the only one. Calm down!"},
                {"text": long_text},  # overruns: its worker is stopped
                {"text": "Calm down", "select": ["isolatin"]},  # a 422 from the worker
                {"texts": ["you are the only one", "Thanks!"]},
                {"text": "Calm down"},
            ]
            bodies = [json.dumps(r).encode() for r in requests]
            return await asyncio.gather(*(pool.check(b, len(b)) for b in bodies), return_exceptions=True)
        finally:
            await pool.close()

    first, second, slow, bad, batch, last = asyncio.run(run())
    assert sent[:2] == [1, 5], sent  # the five that queued went in one message
    assert isinstance(slow, CheckFailed) and slow.status == 503 and "longer than" in slow.message
    for answer, text in ((first, "Thanks, all sorted."), (second, "You're the only one. Calm down!"), (last, "Calm down")):
        assert answer[0] == 200
        assert json.loads(answer[1])["results"][0]["findings"] == [f.model_dump(mode="json") for f in linter.check(text).findings]
    # Checked before the overrun (second) or after it by the replacement worker (the rest).
    assert bad[0] == 422 and json.loads(bad[1])["error"]["field"] == "select[0]"
    assert batch[0] == 200 and [bool(r["findings"]) for r in json.loads(batch[1])["results"]] == [True, False]


def test_a_chunked_body_gets_the_same_answer(http):
    # Without a Content-Length the check goes through FastAPI's route, not the hot path (app.py).
    body = json.dumps({"text": DRAFTS[0]}).encode()
    plain = http.post("/v1/check", content=body, headers={"content-type": "application/json"})
    chunked = http.post("/v1/check", content=iter([body[:10], body[10:]]), headers={"content-type": "application/json"})
    assert "content-length" not in chunked.request.headers and chunked.request.headers["transfer-encoding"] == "chunked"
    assert plain.status_code == chunked.status_code == 200 and plain.content == chunked.content
    assert plain.headers["content-type"] == chunked.headers["content-type"] == "application/json"
