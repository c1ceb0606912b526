"""The draft page and the Zendesk sidebar in real headless Chromium, against the real running service.

Debian's chromium and chromium-driver (`.ci/run` installs them as root); the
tests are skipped only where they are absent. Screenshots are saved under the
pytest temporary folder's `artefacts/` and their paths printed.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tonecheck import Linter
from serving import CHROMEDRIVER, CHROMIUM, REPO, Server

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver): browser tests skipped",
)

ZENDESK = REPO / "integrations" / "zendesk"
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
TOKEN = "sidebar-token-7f3a"

BASIC_PACK = Path(__file__).parent / "packs" / "basic.yaml"

@pytest.fixture(scope="module")
def artefacts(tmp_path_factory) -> Path:
    return tmp_path_factory.getbasetemp() / "artefacts"


def _report(capsys, what: str, path: Path) -> None:
    with capsys.disabled():
        print(f"\n{what}: {path}")


@pytest.fixture(scope="module")
def sidebar_origin():
    """The Zendesk app's files served from another origin, as Zendesk serves an app's iframe."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    files = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(ZENDESK / "assets")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    origin = f"http://127.0.0.1:{port}"
    yield origin
    files.terminate()
    files.wait(10)


@pytest.fixture(scope="module")
def server(sidebar_origin, tmp_path_factory):
    token = tmp_path_factory.mktemp("sidebar") / "token"
    token.write_text(TOKEN)
    plain = Server("--pack", str(BASIC_PACK))
    # The basic test pack adds a rule with a tested replacement, so the sidebar has a rewrite to apply
    # (the built-in rules mostly give advice only).
    guarded = Server("--token-file", str(token), "--cors-origin", sidebar_origin, "--pack", str(BASIC_PACK))
    yield {"plain": plain, "guarded": guarded}
    plain.stop()
    guarded.stop()


@pytest.fixture()
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1000,900"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_script_timeout(30)
    yield driver
    driver.quit()


def wait_for(driver, condition, what: str, timeout: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(condition, message=f"waited {timeout} s for {what}")


def marks(driver) -> list[tuple[str, str]]:
    from selenium.webdriver.common.by import By

    return [(m.get_attribute("data-rule"), m.get_attribute("textContent")) for m in driver.find_elements(By.CSS_SELECTOR, "#highlights mark")]


def mark_for(driver, rule: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, f'#highlights mark[data-rule="{rule}"]')


def test_draft_page_marks_as_you_type_and_applies_a_suggestion(server, browser, linter, artefacts, capsys):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    # An emoji before the flagged words: two UTF-16 units but one code point in the service's offsets.
    text = "Hi Sam 🎉 thanks for writing in.\nYou're the only one with this and we apologised twice. Please relax, we will fix it today."
    linter = Linter(packs=[str(BASIC_PACK)])  # what the services run
    findings = linter.check(text).findings  # what the page must show, from the engine itself
    fixable = [f for f in findings if f.suggestions]
    assert len(fixable) >= 2, f"this draft no longer has two findings with a rewrite: {findings}"

    browser.get(server["plain"].url + "/")
    draft = browser.find_element(By.ID, "draft")
    # ChromeDriver types only the Basic Multilingual Plane: the emoji line goes in as the page's
    # own input event, the rest is typed.
    head, rest = text.split("\n", 1)
    browser.execute_script("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input'));", draft, head + "\n")
    draft.send_keys(rest)
    expected = [(f.rule, f.match) for f in findings]
    wait_for(browser, lambda d: marks(d) == expected, f"the marks {expected}")
    assert browser.find_element(By.ID, "status").text.startswith(f"{len(findings)} findings: ")

    # Hover: the card explains the finding and offers the rewrite.
    first = fixable[0]
    ActionChains(browser).move_to_element(mark_for(browser, first.rule)).perform()
    card = browser.find_element(By.ID, "card")
    wait_for(browser, lambda d: card.is_displayed(), "the card on hover")
    assert first.message in card.text and first.explanation in card.text.replace("\n", " ")
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "draft-page.png"
    browser.save_screenshot(str(shot))
    _report(capsys, "draft page screenshot", shot)

    # One click applies it, in place; the rest of the draft (emoji included) is untouched.
    button = card.find_element(By.CSS_SELECTOR, "button.apply")
    assert button.text == f"Replace with “{first.suggestions[0]}”"
    button.click()
    fixed = text[: first.start] + first.suggestions[0] + text[first.end :]
    wait_for(browser, lambda d: draft.get_attribute("value") == fixed, "the rewrite in the draft")
    after = linter.check(fixed).findings
    wait_for(browser, lambda d: marks(d) == [(f.rule, f.match) for f in after], "the marks of the fixed draft")
    assert first.rule not in [f.rule for f in after]

    # Keyboard only: Alt+Down selects the next finding, Tab reaches its rewrite, Enter applies it.
    second = next(f for f in after if f.suggestions and f.start >= first.start)
    draft.click()
    browser.execute_script("const t = document.getElementById('draft'); t.setSelectionRange(0, 0);")
    for _ in after:  # from the start, Alt+Down visits the findings in order
        ActionChains(browser).key_down("\ue00a").send_keys("\ue015").key_up("\ue00a").perform()  # Alt+ArrowDown
        selected = browser.execute_script(
            "const t = document.getElementById('draft'); return t.value.slice(t.selectionStart, t.selectionEnd)")
        if selected == second.match:
            break
    assert selected == second.match
    wait_for(browser, lambda d: card.is_displayed() and second.message in card.text, "the card from the keyboard")
    ActionChains(browser).send_keys("\ue004").perform()  # Tab
    focused = browser.switch_to.active_element
    assert focused.text == f"Replace with “{second.suggestions[0]}”"
    focused.send_keys("\ue007")  # Enter
    final = fixed[: second.start] + second.suggestions[0] + fixed[second.end :]
    wait_for(browser, lambda d: draft.get_attribute("value") == final, "the second rewrite")
    remaining = [(f.rule, f.match) for f in linter.check(final).findings]
    wait_for(browser, lambda d: marks(d) == remaining, f"the marks {remaining}")
    shot = artefacts / "draft-page-fixed.png"
    browser.save_screenshot(str(shot))
    _report(capsys, "draft page after both rewrites", shot)


def test_draft_page_keeps_up_with_fast_typing(server, browser, linter):
    """Answers for older text are dropped: after a burst of typing the marks match the final text."""
    from selenium.webdriver.common.by import By

    browser.get(server["plain"].url + "/")
    draft = browser.find_element(By.ID, "draft")
    words = ("Please ", "relax. ", "Nobody ", "else ", "has ", "reported ", "this.")
    for word in words:
        draft.send_keys(word)
        time.sleep(0.05)
    expected = [(f.rule, f.match) for f in Linter(packs=[str(BASIC_PACK)]).check("".join(words)).findings]
    assert len(expected) >= 2
    wait_for(browser, lambda d: marks(d) == expected, f"marks for the final text {expected}")


def test_zendesk_sidebar_lists_findings_and_applies_one(server, sidebar_origin, browser, linter, artefacts, capsys):
    import html

    from selenium.webdriver.common.by import By

    linter = Linter(packs=[str(BASIC_PACK)])  # what the guarded service runs
    # A rich-text reply, as Zendesk gives it: HTML with entities.
    draft = "<p>Hi Maria,</p><p>Honestly, you&rsquo;re the only one &amp; nobody else has ever had that problem.</p>"
    findings = linter.check(draft).findings
    assert findings and findings[0].suggestions, findings
    # The stand-in for Zendesk's ZAFClient: the draft, the app's settings, and a record of what the app sets.
    stand_in = f"""
      window.zafCalls = [];
      const handlers = {{}};
      let comment = {json.dumps(draft)};
      const client = {{
        metadata: () => Promise.resolve({{settings: {{serviceUrl: {json.dumps(server["guarded"].url + "/")}, token: {json.dumps(TOKEN)}}}}}),
        get: (path) => Promise.resolve({{[path]: comment}}),
        set: (path, value) => {{ window.zafCalls.push(["set", path, value]); comment = value;
                                 (handlers["comment.text.changed"] || (() => {{}}))(); return Promise.resolve({{}}); }},
        on: (event, handler) => {{ handlers[event] = handler; }},
        invoke: (name, ...args) => {{ window.zafCalls.push(["invoke", name]); return Promise.resolve({{}}); }},
      }};
      window.ZAFClient = {{ init: () => client }};
    """
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [ZAF_SDK]})  # the real SDK would replace the stand-in
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": stand_in})
    browser.get(f"{sidebar_origin}/iframe.html")

    items = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#findings li"), "the sidebar's findings")
    assert [i.get_attribute("data-rule") for i in items] == [f.rule for f in findings]
    assert f"“{html.unescape(findings[0].match)}”" in items[0].text  # as the agent sees it, not the markup
    assert findings[0].message in items[0].text
    count = len(findings)
    assert browser.find_element(By.ID, "status").text == f"{count} thing{'s' if count > 1 else ''} to reconsider:"
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "zendesk-sidebar.png"
    browser.set_window_size(360, 500)
    browser.save_screenshot(str(shot))
    _report(capsys, "Zendesk sidebar screenshot", shot)

    items[0].find_element(By.TAG_NAME, "button").click()
    first = findings[0]
    fixed = draft[: first.start] + html.escape(first.suggestions[0], quote=False) + draft[first.end :]
    wait_for(browser, lambda d: [c for c in d.execute_script("return window.zafCalls") if c[0] == "set"],
             "the rewrite written back")
    calls = browser.execute_script("return window.zafCalls")
    assert [c for c in calls if c[0] == "set"] == [["set", "comment.text", fixed]]
    assert ["invoke", "resize"] in calls
    left = [f.rule for f in linter.check(fixed).findings]
    wait_for(browser, lambda d: [i.get_attribute("data-rule") for i in d.find_elements(By.CSS_SELECTOR, "#findings li")] == left
             and not d.find_element(By.ID, "status").text.startswith("Checking"), "the fixed draft checked")


def test_zendesk_sidebar_says_why_when_the_service_refuses(server, sidebar_origin, browser):
    from selenium.webdriver.common.by import By

    stand_in = f"""
      const client = {{
        metadata: () => Promise.resolve({{settings: {{serviceUrl: {json.dumps(server["guarded"].url)}, token: "wrong"}}}}),
        get: (path) => Promise.resolve({{[path]: "Calm down."}}),
        on: () => {{}}, set: () => Promise.resolve({{}}), invoke: () => Promise.resolve({{}}),
      }};
      window.ZAFClient = {{ init: () => client }};
    """
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setBlockedURLs", {"urls": [ZAF_SDK]})
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": stand_in})
    browser.get(f"{sidebar_origin}/iframe.html")
    wait_for(browser, lambda d: "could not check" in d.find_element(By.ID, "status").text, "the refusal")
    assert "bearer token is not the one" in browser.find_element(By.ID, "status").text
