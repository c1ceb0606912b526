// The draft page: checks the reply as it is typed and marks what a customer
// could take badly, in place, with one click to a better wording.
//
// The marks live in a backdrop under a transparent textarea that holds the
// same text in the same box, so typing stays an ordinary textarea (undo,
// spelling, paste) while the marks line up under the words. Offsets from the
// service are code points; JavaScript strings count UTF-16 units, so they are
// converted before slicing (an emoji is one code point and two units).
"use strict";

(() => {
  const DEBOUNCE_MS = 250;

  const draft = document.getElementById("draft");
  const backdrop = document.getElementById("backdrop");
  const highlights = document.getElementById("highlights");
  const status = document.getElementById("status");
  const list = document.getElementById("findings");
  const card = document.getElementById("card");
  const cardParts = {
    title: document.getElementById("card-title"),
    message: document.getElementById("card-message"),
    explanation: document.getElementById("card-explanation"),
    advice: document.getElementById("card-advice"),
    suggestions: document.getElementById("card-suggestions"),
  };
  const RANK = { error: 3, warning: 2, info: 1, hint: 0 };

  let findings = []; // the last answer for the current text, with UTF-16 offsets u0/u1
  let sequence = 0; // answers to older requests are dropped
  let timer = null;
  let shown = null; // { index, pinned }
  let hideTimer = null;

  function unitOffsets(text) {
    const map = [0];
    let units = 0;
    for (const ch of text) {
      units += ch.length;
      map.push(units);
    }
    return map;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  }

  function setStatus(text, failed = false) {
    status.textContent = text;
    status.classList.toggle("failed", failed);
  }

  // Findings whose words are still where they were: typing before a mark moves
  // it, and it is dropped until the next answer places it again.
  function live() {
    const text = draft.value;
    return findings.filter((f) => text.slice(f.u0, f.u1) === f.match);
  }

  function render() {
    const text = draft.value;
    const current = live();
    const cuts = new Set([0, text.length]);
    for (const f of current) {
      cuts.add(f.u0);
      cuts.add(f.u1);
    }
    const points = [...cuts].sort((a, b) => a - b);
    let html = "";
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const piece = escapeHtml(text.slice(a, b));
      const covering = current.filter((f) => f.u0 <= a && f.u1 >= b);
      if (!covering.length) {
        html += piece;
        continue;
      }
      const worst = covering.reduce((w, f) => (RANK[f.severity] > RANK[w.severity] ? f : w));
      const ids = covering.map((f) => f.index).join(" ");
      const active = shown && covering.some((f) => f.index === shown.index) ? " active" : "";
      html += `<mark class="${worst.severity}${active}" data-findings="${ids}" data-rule="${escapeHtml(worst.rule)}">${piece}</mark>`;
    }
    // A final newline needs something after it to keep its line in the backdrop.
    highlights.innerHTML = html + (text.endsWith("\n") ? " " : "");
    backdrop.scrollTop = draft.scrollTop;
    renderList(current);
  }

  function describe(count, items) {
    if (!count) return "No findings: nothing here a customer is likely to take badly.";
    const bySeverity = {};
    for (const f of items) bySeverity[f.severity] = (bySeverity[f.severity] || 0) + 1;
    const parts = Object.entries(bySeverity).map(([s, n]) => `${n} ${s}${n > 1 && s !== "info" ? "s" : ""}`);
    return `${count} finding${count > 1 ? "s" : ""}: ${parts.join(", ")}.`;
  }

  function suggestionButton(f, suggestion) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "apply";
    button.dataset.finding = String(f.index);
    button.textContent = suggestion ? `Replace with “${suggestion}”` : "Delete it";
    button.addEventListener("click", () => apply(f.index, suggestion));
    return button;
  }

  function renderList(current) {
    list.replaceChildren();
    for (const f of current) {
      const item = document.createElement("li");
      item.dataset.rule = f.rule;
      const severity = document.createElement("span");
      severity.className = `severity ${f.severity}`;
      severity.textContent = f.severity;
      const what = document.createElement("span");
      what.textContent = ` “${f.match}”: ${f.message} `;
      const rule = document.createElement("span");
      rule.className = "rule";
      rule.textContent = f.rule;
      const go = document.createElement("button");
      go.type = "button";
      go.className = "quiet";
      go.textContent = "Show in draft";
      go.addEventListener("click", () => select(f.index));
      const actions = document.createElement("div");
      actions.append(go, ...f.suggestions.map((s) => suggestionButton(f, s)));
      item.append(severity, what, rule, actions);
      list.append(item);
    }
  }

  async function check() {
    clearTimeout(timer);
    const text = draft.value;
    const mine = ++sequence;
    setStatus("Checking…");
    let response;
    let body;
    try {
      response = await fetch("/v1/check", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text }),
      });
      body = await response.json();
    } catch (err) {
      if (mine === sequence) setStatus(`The service did not answer (${err.message}); keep typing to retry.`, true);
      return;
    }
    if (mine !== sequence || text !== draft.value) return; // the draft has moved on
    if (!response.ok) {
      const why = body && body.error ? body.error.message : `HTTP ${response.status}`;
      setStatus(`Could not check: ${why}`, true);
      return;
    }
    const map = unitOffsets(text);
    findings = body.results[0].findings.map((f, index) => ({ ...f, index, u0: map[f.start], u1: map[f.end] }));
    if (shown && !findings[shown.index]) hideCard();
    render();
    setStatus(describe(findings.length, findings));
    if (shown) showCard(shown.index, shown.pinned);
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  function markFor(index) {
    return [...highlights.querySelectorAll("mark")].find((m) => m.dataset.findings.split(" ").includes(String(index)));
  }

  function showCard(index, pinned) {
    const f = findings[index];
    const mark = markFor(index);
    if (!f || !mark) return hideCard();
    clearTimeout(hideTimer);
    const changed = !shown || shown.index !== index;
    shown = { index, pinned: pinned || (shown && shown.index === index && shown.pinned) };
    if (changed) {
      cardParts.title.textContent = `${f.severity}: ${f.rule}`;
      cardParts.message.textContent = f.message;
      cardParts.explanation.textContent = f.explanation;
      cardParts.advice.textContent = f.advice || "";
      cardParts.suggestions.replaceChildren(...f.suggestions.map((s) => suggestionButton(f, s)));
      for (const m of highlights.querySelectorAll("mark.active")) m.classList.remove("active");
      for (const m of highlights.querySelectorAll("mark")) {
        if (m.dataset.findings.split(" ").includes(String(index))) m.classList.add("active");
      }
    }
    const where = mark.getBoundingClientRect();
    // Relative to <main>, the card's positioned parent (offsetParent is null while it is hidden).
    const origin = card.parentElement.getBoundingClientRect();
    card.style.left = `${Math.max(0, where.left - origin.left)}px`;
    card.style.top = `${where.bottom - origin.top + 6}px`;
    card.hidden = false;
  }

  function hideCard() {
    shown = null;
    card.hidden = true;
    for (const m of highlights.querySelectorAll("mark.active")) m.classList.remove("active");
  }

  function hideSoon() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(() => {
      if (shown && !shown.pinned) hideCard();
    }, 300);
  }

  // The textarea is on top, so the pointer is over it, never over a mark:
  // the marks under the pointer are found by their boxes.
  function findingAt(x, y) {
    for (const mark of highlights.querySelectorAll("mark")) {
      for (const r of mark.getClientRects()) {
        if (x >= r.left && x <= r.right && y >= r.top && y <= r.bottom) return Number(mark.dataset.findings.split(" ")[0]);
      }
    }
    return null;
  }

  function findingAtCaret() {
    const at = draft.selectionStart;
    const hit = live().find((f) => f.u0 <= at && at <= f.u1);
    return hit ? hit.index : null;
  }

  function select(index) {
    const f = findings[index];
    if (!f) return;
    draft.focus();
    draft.setSelectionRange(f.u0, f.u1);
    showCard(index, true);
  }

  function step(direction) {
    const current = live().sort((a, b) => a.u0 - b.u0);
    if (!current.length) return;
    const at = draft.selectionStart;
    const next = direction > 0
      ? current.find((f) => f.u0 > at) || current[0]
      : [...current].reverse().find((f) => f.u1 < at) || current[current.length - 1];
    select(next.index);
  }

  function apply(index, suggestion) {
    const f = findings[index];
    if (!f || draft.value.slice(f.u0, f.u1) !== f.match) return check();
    draft.focus();
    draft.setSelectionRange(f.u0, f.u1);
    // insertText keeps the browser's undo history; setRangeText where it is missing.
    if (!document.execCommand("insertText", false, suggestion)) draft.setRangeText(suggestion, f.u0, f.u1, "end");
    hideCard();
    render();
    check();
  }

  draft.addEventListener("input", () => {
    render();
    schedule();
  });
  draft.addEventListener("scroll", () => {
    backdrop.scrollTop = draft.scrollTop;
    if (shown) showCard(shown.index, shown.pinned);
  });
  draft.addEventListener("mousemove", (event) => {
    const index = findingAt(event.clientX, event.clientY);
    if (index !== null) showCard(index, false);
    else if (shown && !shown.pinned) hideSoon();
  });
  draft.addEventListener("mouseleave", hideSoon);
  card.addEventListener("mouseenter", () => clearTimeout(hideTimer));
  card.addEventListener("mouseleave", hideSoon);
  draft.addEventListener("click", (event) => {
    const index = findingAt(event.clientX, event.clientY) ?? findingAtCaret();
    if (index !== null) showCard(index, true);
    else hideCard();
  });
  draft.addEventListener("keyup", (event) => {
    if (event.key.startsWith("Arrow") || event.key === "Home" || event.key === "End") {
      const index = findingAtCaret();
      if (index !== null) showCard(index, true);
      else if (shown && shown.pinned) hideCard();
    }
  });
  draft.addEventListener("keydown", (event) => {
    if (event.altKey && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
      event.preventDefault();
      step(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Escape" && shown) {
      hideCard();
    }
  });
  card.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      hideCard();
      draft.focus();
    }
  });
  window.addEventListener("resize", () => shown && showCard(shown.index, shown.pinned));

  if (draft.value) check();
})();
