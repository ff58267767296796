// The policy playground of `redline serve --playground` (GET /): one HTML document with its style
// and script inline, no external assets. The Content-Security-Policy (``Playground``) allows only
// this style and this script, by their SHA-256, and requests to this server; the script builds
// the page with DOM calls and `textContent` only (Trusted Types enforced: no HTML from strings).
// It calls POST /v1/redact with the draft and shows the verdict, the findings as their masked
// excerpts in place of the values, the rules' messages and the redacted text. The draft never
// leaves the page except in that call to this server, and is never stored.

enum PlaygroundPage {
    static let style = """
    body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
    main{max-width:60rem;margin:0 auto;padding:1.5rem}
    h1{font-size:1.35rem;margin:0 0 .25rem}
    p.lead{margin:0 0 1rem;color:#4a5263}
    label{display:block;font-weight:600;margin:.75rem 0 .25rem}
    textarea{width:100%;min-height:9rem;box-sizing:border-box;font:14px/1.4 ui-monospace,monospace;padding:.5rem}
    input,select,button{font:inherit;padding:.35rem .5rem}
    .row{display:flex;gap:1rem;align-items:end;flex-wrap:wrap}
    button{background:#1f5fbf;color:#fff;border:0;border-radius:4px;padding:.45rem 1.1rem;cursor:pointer}
    section{background:#fff;border:1px solid #d8dce3;border-radius:6px;padding:1rem;margin-top:1rem}
    h2{font-size:1.05rem;margin:0 0 .5rem}
    .verdict{display:inline-block;font-weight:700;padding:.15rem .6rem;border-radius:4px;text-transform:uppercase}
    .v-allow{background:#d9f2df;color:#14532d}.v-flag{background:#fff1c2;color:#6b4e00}
    .v-redact{background:#ffe0c2;color:#7a3100}.v-block{background:#fbd3d3;color:#7f1010}
    pre{white-space:pre-wrap;word-break:break-word;font:14px/1.45 ui-monospace,monospace;margin:0}
    mark{border-radius:3px;padding:0 .15rem}
    mark.a-allow{background:#e4e7ec}mark.a-flag{background:#ffe48a}mark.a-redact{background:#ffc58f}mark.a-block{background:#f7a1a1}
    table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.2rem .5rem;border-bottom:1px solid #eceef2}
    .error{color:#9b1c1c;font-weight:600}.muted{color:#6b7280}
    """

    static let script = """
    "use strict";
    (function () {
      const $ = (id) => document.getElementById(id);
      const el = (tag, text, cls) => { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; };
      const headers = () => {
        const h = { "Content-Type": "application/json" };
        const token = $("token").value.trim();
        if (token) h["Authorization"] = "Bearer " + token;
        return h;
      };
      const fail = (message) => { $("status").textContent = message; $("status").className = "error"; };
      async function loadChannels() {
        const response = await fetch("/v1/policy", { headers: headers() });
        if (!response.ok) { fail(response.status === 401 ? "Enter an API token to load the policy's channels." : "Cannot load the policy (" + response.status + ")."); return; }
        const policy = await response.json();
        const select = $("channel");
        select.replaceChildren();
        for (const channel of policy.channels) select.append(el("option", channel.name));
        select.value = policy.default_channel;
        $("policy").textContent = policy.name + " (sha256 " + policy.sha256.slice(0, 12) + "…)";
        $("status").textContent = ""; $("status").className = "";
      }
      // The draft with each finding's span replaced by its masked excerpt, highlighted by action.
      // Offsets are Unicode scalars (scalar_start/scalar_end), as Array.from splits a string.
      function highlighted(text, findings) {
        const scalars = Array.from(text);
        const spans = findings.filter((f) => f.part === undefined).slice().sort((a, b) => a.scalar_start - b.scalar_start);
        const out = el("pre"); out.id = "highlighted";
        let at = 0;
        for (const f of spans) {
          if (f.scalar_start < at) continue;
          out.append(document.createTextNode(scalars.slice(at, f.scalar_start).join("")));
          const mark = el("mark", f.excerpt, "a-" + f.action);
          mark.title = f.detector + " → " + f.action + (f.rule ? " (rule " + f.rule + ")" : "");
          out.append(mark);
          at = f.scalar_end;
        }
        out.append(document.createTextNode(scalars.slice(at).join("")));
        return out;
      }
      async function check(event) {
        event.preventDefault();
        const text = $("draft").value;
        $("status").textContent = "Checking…"; $("status").className = "muted";
        let response;
        try {
          response = await fetch("/v1/redact", { method: "POST", headers: headers(), body: JSON.stringify({ text: text, channel: $("channel").value }) });
        } catch (e) { fail("The server cannot be reached."); return; }
        const body = await response.json();
        if (!response.ok) { fail((body.error && body.error.message) || ("HTTP " + response.status)); return; }
        $("status").textContent = ""; $("status").className = "";
        const verdict = $("verdict");
        verdict.textContent = body.verdict; verdict.className = "verdict v-" + body.verdict;
        $("verdict-channel").textContent = " on channel " + body.channel + ", " + body.findings.length + " finding(s)";
        $("highlight-box").replaceChildren(highlighted(text, body.findings));
        const rows = $("findings"); rows.replaceChildren();
        for (const f of body.findings) {
          const tr = el("tr");
          for (const cell of [f.detector, f.excerpt, f.action, f.rule || "—", f.line + ":" + f.column, f.confidence]) tr.append(el("td", String(cell)));
          rows.append(tr);
        }
        const messages = $("messages"); messages.replaceChildren();
        for (const m of body.messages) messages.append(el("li", m));
        if (body.messages.length === 0) messages.append(el("li", "No rule message.", "muted"));
        $("redacted").textContent = body.text !== undefined ? body.text : "Blocked: this draft may not be sent on this channel, not even redacted.";
        $("result").hidden = false;
      }
      document.addEventListener("DOMContentLoaded", () => {
        $("form").addEventListener("submit", check);
        $("token").addEventListener("change", loadChannels);
        loadChannels();
      });
    })();
    """

    static func html() -> String {
        """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>redline policy playground</title>
        <style>\(style)</style>
        </head>
        <body>
        <main>
        <h1>redline policy playground</h1>
        <p class="lead">Paste a draft reply, pick the channel it would go out on, and see what the policy <span id="policy">…</span> decides. \
        Values found are shown masked; the draft is sent only to this server and is not stored.</p>
        <form id="form" autocomplete="off">
        <label for="draft">Draft</label>
        <textarea id="draft" name="draft" spellcheck="false" placeholder="Type or paste a reply…"></textarea>
        <div class="row">
        <div><label for="channel">Channel</label><select id="channel" name="channel"></select></div>
        <div><label for="token">API token (if the server needs one)</label><input id="token" name="token" type="password" size="34"></div>
        <div><button id="check" type="submit">Check draft</button></div>
        </div>
        </form>
        <p id="status" role="status"></p>
        <div id="result" hidden>
        <section><h2>Verdict</h2><span id="verdict" class="verdict"></span><span id="verdict-channel"></span></section>
        <section><h2>Findings in the draft (masked)</h2><div id="highlight-box"></div>
        <table><thead><tr><th>Detector</th><th>Masked value</th><th>Action</th><th>Rule</th><th>Line:col</th><th>Confidence</th></tr></thead>
        <tbody id="findings"></tbody></table></section>
        <section><h2>Messages for the sender</h2><ul id="messages"></ul></section>
        <section><h2>What would be sent</h2><pre id="redacted"></pre></section>
        </div>
        </main>
        <script>\(script)</script>
        </body>
        </html>

        """
    }
}
