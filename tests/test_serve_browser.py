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
from serving import CHROMEDRIVER, CHROMIUM, REPO, Server

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="chromium and chromedriver are not installed (apt-get install chromium chromium-driver): browser tests skipped",
)

ZENDESK = REPO / "integrations" / "zendesk"
ZAF_SDK = "https://static.zdassets.com/zendesk_app_framework_sdk/2.0/zaf_sdk.min.js"
TOKEN = "sidebar-token-7f3a"


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
    plain = Server()
    guarded = Server("--token-file", str(token), "--cors-origin", sidebar_origin)
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


def test_draft_page_marks_as_you_type_and_applies_a_suggestion(server, browser, artefacts, capsys):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    browser.get(server["plain"].url + "/")
    draft = browser.find_element(By.ID, "draft")
    # An emoji before the flagged words: two UTF-16 units but one code point in the service's offsets.
    draft.send_keys("Hi Sam 🎉 thanks for writing in.\nYou're the only person who has had this problem. "
                    "Calm down, we will fix it today.")
    expected = [("isolating.only-one", "You're the only person"), ("inflammatory.calm-down", "Calm down")]
    wait_for(browser, lambda d: marks(d) == expected, f"the marks {expected}")
    status = browser.find_element(By.ID, "status").text
    assert status == "2 findings: 2 errors."

    # Hover: the card explains the finding and offers the rewrite.
    first = browser.find_element(By.CSS_SELECTOR, "#highlights mark")
    ActionChains(browser).move_to_element(first).perform()
    card = browser.find_element(By.ID, "card")
    wait_for(browser, lambda d: card.is_displayed(), "the card on hover")
    assert "singles the customer out" in card.text
    assert "implies the fault is theirs" in card.text
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "draft-page.png"
    browser.save_screenshot(str(shot))
    _report(capsys, "draft page screenshot", shot)

    # One click applies it, in place; the rest of the draft (emoji included) is untouched.
    button = card.find_element(By.CSS_SELECTOR, "button.apply")
    assert button.text == "Replace with “I'm sorry you've run into this”"
    button.click()
    wait_for(browser, lambda d: marks(d) == [("inflammatory.calm-down", "Calm down")], "the mark to go")
    assert draft.get_attribute("value") == (
        "Hi Sam 🎉 thanks for writing in.\nI'm sorry you've run into this who has had this problem. "
        "Calm down, we will fix it today."
    )

    # Keyboard only: Alt+Down selects the next finding, Tab reaches its rewrite, Enter applies it.
    draft.click()
    ActionChains(browser).key_down("\ue00a").send_keys("\ue015").key_up("\ue00a").perform()  # Alt+ArrowDown
    wait_for(browser, lambda d: card.is_displayed() and "calm down" in card.text.lower(), "the card from the keyboard")
    selected = browser.execute_script("const t = document.getElementById('draft'); return t.value.slice(t.selectionStart, t.selectionEnd)")
    assert selected == "Calm down"
    ActionChains(browser).send_keys("\ue004").perform()  # Tab
    focused = browser.switch_to.active_element
    assert focused.text == "Replace with “I understand why you're upset”"
    focused.send_keys("\ue007")  # Enter
    wait_for(browser, lambda d: marks(d) == [] and "No findings" in d.find_element(By.ID, "status").text, "a clean draft")
    assert "I understand why you're upset, we will fix it today." in draft.get_attribute("value")
    shot = artefacts / "draft-page-fixed.png"
    browser.save_screenshot(str(shot))
    _report(capsys, "draft page after both rewrites", shot)


def test_draft_page_keeps_up_with_fast_typing(server, browser):
    """Answers for older text are dropped: after a burst of typing the marks match the final text."""
    from selenium.webdriver.common.by import By

    browser.get(server["plain"].url + "/")
    draft = browser.find_element(By.ID, "draft")
    for word in ("Please ", "calm ", "down. ", "Nobody ", "else ", "has ", "reported ", "this."):
        draft.send_keys(word)
        time.sleep(0.05)
    wait_for(browser, lambda d: [r for r, _ in marks(d)] == ["inflammatory.calm-down", "isolating.no-one-else"],
             "marks for the final text")
    assert [t for _, t in marks(browser)] == ["calm down", "Nobody else has reported"]


def test_zendesk_sidebar_lists_findings_and_applies_one(server, sidebar_origin, browser, artefacts, capsys):
    from selenium.webdriver.common.by import By

    draft = "<p>Hi Maria,</p><p>Honestly you&rsquo;re the only customer who has complained about this.</p>"
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
    assert [i.get_attribute("data-rule") for i in items] == ["isolating.only-one"]
    assert "“you’re the only customer”" in items[0].text
    assert browser.find_element(By.ID, "status").text == "1 thing to reconsider:"
    artefacts.mkdir(parents=True, exist_ok=True)
    shot = artefacts / "zendesk-sidebar.png"
    browser.set_window_size(360, 500)
    browser.save_screenshot(str(shot))
    _report(capsys, "Zendesk sidebar screenshot", shot)

    items[0].find_element(By.TAG_NAME, "button").click()
    wait_for(browser, lambda d: d.find_element(By.ID, "status").text.startswith("Nothing here"), "the fixed draft checked")
    calls = browser.execute_script("return window.zafCalls")
    sets = [c for c in calls if c[0] == "set"]
    assert sets == [["set", "comment.text",
                     "<p>Hi Maria,</p><p>Honestly I'm sorry you've run into this who has complained about this.</p>"]]
    assert ["invoke", "resize"] in calls


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
