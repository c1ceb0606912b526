// tonecheck in the Zendesk ticket sidebar: sends the reply being written to the
// tonecheck service and lists what a customer could take badly, each with its
// better wordings; a click puts one into the reply.
//
// Everything Zendesk-specific goes through the ZAF client (the draft, the
// app's settings, resizing); the check itself is a plain HTTP call from the
// agent's browser to the service, which must allow this app's origin
// (`tonecheck serve --cors-origin ORIGIN`).
"use strict";

(() => {
  const DEBOUNCE_MS = 400;
  const client = ZAFClient.init();
  const status = document.getElementById("status");
  const list = document.getElementById("findings");
  let settings = null;
  let sequence = 0;
  let timer = null;

  function setStatus(text, failed = false) {
    status.textContent = text;
    status.classList.toggle("failed", failed);
  }

  // The service counts code points; JavaScript strings count UTF-16 units.
  function units(text, codePoints) {
    let count = 0;
    let i = 0;
    for (const ch of text) {
      if (i++ === codePoints) break;
      count += ch.length;
    }
    return count;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  }

  async function draft() {
    const data = await client.get("comment.text");
    return data["comment.text"] || "";
  }

  async function check() {
    const mine = ++sequence;
    const text = await draft();
    if (!text.trim()) {
      list.replaceChildren();
      setStatus("Nothing to check yet.");
      return;
    }
    setStatus("Checking…");
    const headers = { "Content-Type": "application/json" };
    if (settings.token) headers.Authorization = `Bearer ${settings.token}`;
    let response;
    let body;
    try {
      response = await fetch(`${settings.serviceUrl.replace(/\/+$/, "")}/v1/check`, {
        method: "POST",
        headers,
        body: JSON.stringify({ text }),
      });
      body = await response.json();
    } catch (err) {
      if (mine === sequence) setStatus(`tonecheck did not answer (${err.message}); is the service URL right?`, true);
      return;
    }
    if (mine !== sequence) return; // a newer check is on its way
    if (!response.ok) {
      setStatus(`tonecheck could not check: ${body && body.error ? body.error.message : `HTTP ${response.status}`}`, true);
      return;
    }
    show(text, body.results[0].findings);
  }

  // In a rich-text reply the match is a slice of HTML: show it as the agent sees it.
  function readable(match, html) {
    return html ? new DOMParser().parseFromString(match, "text/html").documentElement.textContent : match;
  }

  function isHtml(text) {
    return /<[a-z][^>]*>/i.test(text);
  }

  function show(text, findings) {
    const html = isHtml(text);
    list.replaceChildren();
    setStatus(findings.length ? `${findings.length} thing${findings.length > 1 ? "s" : ""} to reconsider:` : "Nothing here a customer is likely to take badly.");
    for (const f of findings) {
      const item = document.createElement("li");
      item.dataset.rule = f.rule;
      const head = document.createElement("div");
      const severity = document.createElement("span");
      severity.className = `severity ${f.severity}`;
      severity.textContent = f.severity;
      const match = document.createElement("span");
      match.className = "match";
      match.textContent = ` “${readable(f.match, html)}”`;
      head.append(severity, match);
      const message = document.createElement("div");
      message.textContent = f.message;
      const explanation = document.createElement("div");
      explanation.className = "explanation";
      explanation.textContent = f.advice || f.explanation;
      item.append(head, message, explanation);
      for (const suggestion of f.suggestions) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = suggestion ? `Use “${suggestion}”` : "Delete it";
        button.addEventListener("click", () => apply(text, f, suggestion));
        item.append(button);
      }
      list.append(item);
    }
    client.invoke("resize", { width: "100%", height: `${Math.min(600, document.body.scrollHeight + 16)}px` });
  }

  async function apply(checked, f, suggestion) {
    const text = await draft();
    if (text !== checked) return check(); // the agent kept typing: check again first
    const [start, end] = [units(text, f.start), units(text, f.end)];
    // A rich-text reply is HTML: the replacement must not become markup.
    const replaced = text.slice(0, start) + (isHtml(text) ? escapeHtml(suggestion) : suggestion) + text.slice(end);
    await client.set("comment.text", replaced);
    check();
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, DEBOUNCE_MS);
  }

  client.metadata().then((metadata) => {
    settings = metadata.settings;
    if (!settings.serviceUrl) {
      setStatus("Set the tonecheck service URL in the app's settings.", true);
      return;
    }
    client.on("comment.text.changed", schedule);
    check();
  });
})();
