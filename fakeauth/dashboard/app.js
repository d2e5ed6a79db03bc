// fakeauth dashboard: plain JavaScript, no framework, no build step.
//
// It talks only to the control API, by URLs relative to the page (so under another base path,
// a lane's /_lanes/NAME/_fakeauth/, it works unchanged), and polls it: GET status says what
// changed, then journal and outbox are fetched with ?after= (their sequence numbers). Every
// state change sends X-Fakeauth-Control: 1. Everything shown is set as text (textContent or
// text nodes), never as markup: emails, names and journal bodies are attacker-controlled.
"use strict";

(() => {
  const POLL_MS = 1000; // while connected
  const RETRY_FIRST_MS = 250; // after a failure, doubling up to RETRY_MAX_MS
  const RETRY_MAX_MS = 2000; // so the page is back within about 2 s of the server
  const KEEP = 500; // journal entries and messages kept in the page

  const state = {
    instance: null,
    journalAfter: 0,
    outboxAfter: 0,
    journal: [],
    outbox: [],
    open: new Set(),
    rendered: {},
    retry: 0,
    timer: null,
    clockNow: null,
    leaving: false,
    vendors: null, // GET vendors: each vendor's name, label and account form fields
    hidden: new Set(), // the vendors whose accounts the filter hides
    accounts: [], // every vendor's rows, as last fetched
    editing: null, // the row whose edit form is open
  };

  const $ = (id) => document.getElementById(id);

  /** An element with attributes and children; strings become text nodes, never markup. */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  class ApiError extends Error {}

  async function api(path, options = {}) {
    const init = {
      method: options.method || "GET",
      headers: { "X-Fakeauth-Control": "1" },
      cache: "no-store",
    };
    if (options.body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = options.raw ? options.body : JSON.stringify(options.body);
    }
    Object.assign(init.headers, options.headers || {});
    const response = await fetch(path, init);
    const text = await response.text();
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch (error) {
        throw new ApiError(`${path} answered ${response.status} with a body that is not JSON`);
      }
    }
    if (!response.ok) {
      const message = data && typeof data.error === "string" ? data.error : `${path}: ${response.status}`;
      throw new ApiError(message);
    }
    return { data, headers: response.headers, text };
  }

  // -- lanes -----------------------------------------------------------------------------------

  /** The page's lane and the server's root, from the page's own path (/_lanes/NAME/_fakeauth/). */
  const here = (() => {
    const path = location.pathname;
    const match = /^(.*\/)_lanes\/([^/]+)\/_fakeauth(\/.*)?$/.exec(path);
    if (match) {
      let lane = match[2];
      try {
        lane = decodeURIComponent(lane);
      } catch (error) {
        // a malformed escape: show the name as the path has it
      }
      return { lane, root: match[1] };
    }
    const at = path.lastIndexOf("/_fakeauth");
    return { lane: "default", root: at >= 0 ? path.slice(0, at + 1) : "/" };
  })();

  /** The root's lanes routes (they answer in every lane too, alike): list, reset, delete. */
  function lanesRoute(rest = "") {
    return `${here.root}_fakeauth/lanes${rest}`;
  }

  /** The dashboard of lane ``name`` (the default lane: the root's). */
  function laneUrl(name) {
    return name === "default" ? `${here.root}_fakeauth/` : `${here.root}_lanes/${encodeURIComponent(name)}/_fakeauth/`;
  }

  // -- rendering -----------------------------------------------------------------------------

  /** Replace a container's children, keeping keyboard focus on the control with the same key. */
  function replace(container, children) {
    const active = document.activeElement;
    const key = active && container.contains(active) ? active.dataset.key : undefined;
    container.replaceChildren(...children);
    if (key !== undefined) {
      const again = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (again) again.focus();
    }
  }

  /** Render only when the data changed: no flicker, and focus stays where the user left it. */
  function renderIf(name, data, render) {
    const text = JSON.stringify(data);
    if (state.rendered[name] === text) return;
    state.rendered[name] = text;
    render(data);
  }

  function emptyRow(columns, text) {
    return el("tr", {}, el("td", { colspan: columns, class: "empty" }, text));
  }

  function button(text, attributes, onClick) {
    const node = el("button", { type: "button", ...attributes }, text);
    node.addEventListener("click", onClick);
    return node;
  }

  function labelOf(vendor) {
    const found = (state.vendors || []).find((v) => v.name === vendor);
    return found ? found.label : vendor;
  }

  function renderAccounts(rows) {
    const children = rows.map((a) => {
      const who = `${a.email} (${labelOf(a.vendor)})`;
      const editable = (state.vendors || []).some((v) => v.name === a.vendor && v.edit.length);
      const editing = state.editing && state.editing.vendor === a.vendor && state.editing.id === a.id;
      return el(
        "tr",
        { "data-account": a.id, "data-vendor": a.vendor, class: editing ? "editing" : null },
        el("td", {}, el("span", { class: "vendor-tag" }, labelOf(a.vendor))),
        el("td", {}, a.email),
        el("td", {}, a.name),
        el("td", {}, el("code", {}, a.id)),
        el("td", {}, a.scope),
        el("td", {}, a.roles.length ? a.roles.join(", ") : "none"),
        el("td", {}, a.two_factor || "none"),
        el("td", { class: "sessions" }, String(a.live_sessions)),
        el(
          "td",
          { class: "actions" },
          editable
            ? button("Edit", { class: "quiet", "aria-label": `Edit ${who}`, "aria-expanded": String(Boolean(editing)), "aria-controls": "account-edit", "data-key": `edit-${a.vendor}-${a.id}` }, () => openEdit(a))
            : null,
          button("Sign out all", { class: "quiet", "aria-label": `Sign out all sessions of ${who}`, "data-key": `signout-${a.vendor}-${a.id}` }, () =>
            act(() => api(`accounts/${a.vendor}/sign-out`, { method: "POST", body: { id: a.id } }), `Signed out every session of ${a.email}.`)
          ),
          button("Delete", { class: "danger", "aria-label": `Delete ${who}`, "data-key": `delete-${a.vendor}-${a.id}` }, () =>
            act(() => api(`accounts/${a.vendor}/delete`, { method: "POST", body: { id: a.id } }), `Deleted ${a.email}.`)
          )
        )
      );
    });
    replace($("account-rows"), children.length ? children : [emptyRow(9, "No account matches.")]);
  }

  /** The vendor filter: a checkbox per vendor, with how many accounts it has (of the search). */
  function renderVendorChips() {
    const chips = state.vendors.map((v) => {
      const box = el("input", { type: "checkbox", "data-key": `show-${v.name}`, "data-vendor": v.name });
      box.checked = !state.hidden.has(v.name);
      box.addEventListener("change", () => {
        if (box.checked) state.hidden.delete(v.name);
        else state.hidden.add(v.name);
        showAccounts();
      });
      return el("label", {}, box, ` ${v.label} `, el("span", { class: "count", "data-count": v.name }, ""));
    });
    replace($("account-vendor-chips"), chips);
  }

  function showAccounts() {
    for (const v of state.vendors || []) {
      const count = $("account-vendor-chips").querySelector(`[data-count="${CSS.escape(v.name)}"]`);
      const text = `(${state.accounts.filter((a) => a.vendor === v.name).length})`;
      if (count && count.textContent !== text) count.textContent = text;
    }
    const rows = state.accounts.filter((a) => !state.hidden.has(a.vendor));
    $("accounts-caption").textContent = state.hidden.size ? `Accounts of ${(state.vendors || []).filter((v) => !state.hidden.has(v.name)).map((v) => v.label).join(", ") || "no vendor"}` : "Accounts of every vendor";
    renderIf("accounts", { rows, editing: state.editing && state.editing.id, vendors: state.vendors && state.vendors.map((v) => v.name) }, (d) => renderAccounts(d.rows));
  }

  function secretOf(message) {
    const data = message.data || {};
    for (const name of ["code", "link", "url"]) {
      if (typeof data[name] === "string" || typeof data[name] === "number") return String(data[name]);
    }
    return null;
  }

  function copy(text, node, label) {
    const done = () => {
      node.textContent = "Copied";
      setTimeout(() => { node.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, () => selectText(node.previousSibling));
    } else {
      selectText(node.previousSibling);
    }
  }

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function renderOutbox(messages) {
    const children = [...messages].reverse().map((m) => {
      const secret = secretOf(m);
      let secretLine = null;
      if (secret !== null) {
        const label = "Copy";
        const code = el("code", { class: "secret", "data-secret": "" }, secret);
        const copyButton = button(label, { class: "quiet", "aria-label": `Copy the code sent to ${m.to}`, "data-key": `copy-${m.seq}` }, () =>
          copy(secret, copyButton, label)
        );
        secretLine = el("p", {}, code, copyButton);
      }
      return el(
        "li",
        { "data-seq": m.seq },
        el("p", { class: "meta" }, `${m.vendor} ${m.kind} to ${m.to} · ${m.time}`),
        el("p", {}, el("strong", {}, m.subject)),
        secretLine,
        el("p", { class: "body" }, m.body)
      );
    });
    replace($("outbox-list"), children.length ? children : [el("li", { class: "empty" }, "No message sent yet.")]);
  }

  function statusMatches(filter, status) {
    const wanted = filter.trim().toLowerCase();
    if (!wanted) return true;
    if (/^[1-5]xx$/.test(wanted)) return String(status)[0] === wanted[0];
    return String(status) === wanted;
  }

  function journalFilters() {
    return {
      vendor: $("journal-vendor").value,
      operation: $("journal-operation").value.trim().toLowerCase(),
      status: $("journal-status").value,
    };
  }

  function renderJournal(view) {
    const rows = [];
    for (const e of view.entries) {
      const id = `detail-${e.seq}`;
      const open = state.open.has(e.seq);
      const toggle = button(open ? "Hide" : "Show", { class: "quiet", "aria-expanded": String(open), "aria-controls": id, "aria-label": `${open ? "Hide" : "Show"} details of request ${e.seq}`, "data-key": `details-${e.seq}` }, () => {
        if (state.open.has(e.seq)) state.open.delete(e.seq);
        else state.open.add(e.seq);
        state.rendered.journal = null;
        renderIf("journal", journalView(), renderJournal);
      });
      rows.push(
        el(
          "tr",
          { "data-seq": e.seq },
          el("td", {}, String(e.seq)),
          el("td", {}, e.time),
          el("td", {}, e.vendor || "none"),
          el("td", {}, e.operation || "unserved"),
          el("td", {}, `${e.method} ${e.path}`, refusalNote(e.refusal)),
          el("td", { class: e.status >= 400 || e.status === 0 ? "status-bad" : "" }, e.status === 0 ? "dropped" : String(e.status)),
          el("td", {}, toggle)
        )
      );
      if (open) {
        rows.push(
          el(
            "tr",
            { id, class: "detail" },
            el(
              "td",
              { colspan: 7 },
              el("p", {}, `${e.method} ${e.url}`),
              el("h4", {}, "Request"),
              el("pre", { "data-part": "request" }, JSON.stringify(e.request, null, 2)),
              el("h4", {}, "Response"),
              el("pre", { "data-part": "response" }, JSON.stringify(e.response, null, 2))
            )
          )
        );
      }
    }
    replace($("journal-rows"), rows.length ? rows : [emptyRow(7, "No request matches.")]);
  }

  // -- why a credential was refused (the journal's reasons, and the paste box) ------------------

  /** The reason a refused request's credential was refused, shown under its request line. */
  function refusalNote(refusal) {
    if (!refusal) return null;
    return el("div", { class: "refusal", "data-part": "refusal" }, el("strong", {}, refusal.verdict), `: ${refusal.sentence}`);
  }

  /** An explanation from POST explain: its verdict and sentence, then the parts it knows. */
  function renderExplanation(x) {
    const parts = [["Credential", x.token], ["Vendor", x.vendor], ["Kind", x.kind], ["Account", x.account], ["Issued", x.issued_at], ["Expires", x.expires_at], ["Revoked by", x.revoked_by], ["Revoked at", x.revoked_at], ["Journal entry", x.journal_entry]];
    const rows = parts.filter(([, value]) => value !== null && value !== undefined).map(([name, value]) => el("tr", {}, el("th", { scope: "row" }, name), el("td", {}, String(value))));
    replace($("explain-result"), [
      el("p", { class: x.verdict === "live" ? "verdict" : "verdict status-bad", "data-part": "verdict" }, x.verdict),
      el("p", { "data-part": "sentence" }, x.sentence),
      el("table", {}, el("tbody", {}, ...rows)),
    ]);
  }

  function wireExplain() {
    $("explain-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const body = { token: $("explain-token").value.trim() };
      if ($("explain-vendor").value) body.vendor = $("explain-vendor").value;
      act(async () => renderExplanation((await api("explain", { method: "POST", body })).data), null);
    });
  }

  function journalView() {
    const f = journalFilters();
    const entries = state.journal
      .filter((e) => (!f.vendor || e.vendor === f.vendor) && (!f.operation || (e.operation || "unserved").toLowerCase().includes(f.operation)) && statusMatches(f.status, e.status))
      .reverse();
    return { entries, open: [...state.open] };
  }

  function renderFeatures(flags) {
    const names = Object.keys(flags).sort((a, b) => (a === "account-registration" ? -1 : b === "account-registration" ? 1 : a.localeCompare(b)));
    const children = names.map((name) => {
      const box = el("input", { type: "checkbox", "data-key": `flag-${name}`, "data-flag": name });
      box.checked = flags[name];
      box.addEventListener("change", () => act(() => api("features", { method: "POST", body: { [name]: box.checked } }), `${name} is ${box.checked ? "on" : "off"}.`));
      return el("li", {}, el("label", {}, box, name));
    });
    replace($("feature-list"), children);
  }

  function duration(seconds) {
    if (seconds <= 0) return "expired";
    const parts = [];
    let left = Math.floor(seconds);
    for (const [unit, size] of [["d", 86400], ["h", 3600], ["min", 60]]) {
      if (left >= size) {
        parts.push(`${Math.floor(left / size)} ${unit}`);
        left %= size;
      }
    }
    parts.push(`${left} s`);
    return parts.slice(0, 2).join(" ");
  }

  function renderTokens(rows) {
    const children = rows.map((t) =>
      el("tr", {}, el("td", {}, t.vendor), el("td", {}, t.kind), el("td", {}, t.email || t.account), el("td", {}, t.expires_at), el("td", {}, duration(t.expires_in)))
    );
    replace($("token-rows"), children.length ? children : [emptyRow(5, "No live token.")]);
  }

  function renderFaults(rows) {
    const children = rows.map((f) =>
      el("tr", {}, el("td", {}, f.operation), el("td", {}, f.kind), el("td", {}, f.status === null ? "" : String(f.status)), el("td", {}, String(f.seconds)), el("td", {}, String(f.remaining)))
    );
    replace($("fault-rows"), children.length ? children : [emptyRow(5, "No fault queued.")]);
  }

  function renderLanes(view) {
    if (view === null) {
      $("lanes-here").textContent = "This server serves one fake, without lanes (fakeauth serve has them).";
      replace($("lane-rows"), [emptyRow(7, "No lanes on this server.")]);
      return;
    }
    $("lanes-here").textContent = `This page shows lane ${here.lane}. ${view.lanes.length} of at most ${view.max_lanes} lanes besides the default one; each lane has its own dashboard.`;
    const children = view.lanes.map((lane) => {
      const a = lane.accounts;
      const current = lane.name === here.lane;
      return el(
        "tr",
        { "data-lane": lane.name },
        el("td", {}, el("a", { href: laneUrl(lane.name), "aria-current": current ? "page" : null }, lane.name), current ? " (this page)" : null),
        el("td", {}, String(lane.requests)),
        el("td", {}, lane.idle_seconds < 1 ? "0 s" : duration(lane.idle_seconds)),
        el("td", { class: "counts" }, `${a.ovok}, ${a.b2core}, ${a.waltid}`),
        el("td", {}, String(lane.journal)),
        el("td", {}, String(lane.outbox)),
        el(
          "td",
          { class: "actions" },
          button("Reset", { class: "quiet", "aria-label": `Reset lane ${lane.name}`, "data-key": `lane-reset-${lane.name}` }, () =>
            act(() => api(lanesRoute(`/${encodeURIComponent(lane.name)}/reset`), { method: "POST" }), `Reset lane ${lane.name}.`)
          ),
          button("Delete", { class: "danger", "aria-label": `Delete lane ${lane.name}`, "data-key": `lane-delete-${lane.name}` }, () =>
            act(() => (current ? leaveAndDelete(lane.name) : api(lanesRoute(`/${encodeURIComponent(lane.name)}`), { method: "DELETE" })), `Deleted lane ${lane.name}.`)
          )
        )
      );
    });
    replace($("lane-rows"), children.length ? children : [emptyRow(7, "No lane besides the default one yet.")]);
  }

  /** Delete the page's own lane and go to the default lane's dashboard: the page stops polling
   * first, since any request of this page to its lane would create the lane again. */
  async function leaveAndDelete(name) {
    state.leaving = true;
    clearTimeout(state.timer);
    await chain.catch(() => {});
    try {
      await api(lanesRoute(`/${encodeURIComponent(name)}`), { method: "DELETE" });
    } catch (error) {
      state.leaving = false;
      schedule(0);
      throw error;
    }
    location.assign(laneUrl("default"));
    await new Promise(() => {}); // the page is going: nothing more to load
  }

  /** The lanes route's answer, or null on a server without lanes (it answers 404). */
  async function loadLanes() {
    try {
      return (await api(lanesRoute())).data;
    } catch (error) {
      if (error instanceof ApiError) return null;
      throw error;
    }
  }

  function renderOperations(operations) {
    replace($("operations"), operations.map((op) => el("option", { value: op })));
  }

  // -- loading ---------------------------------------------------------------------------------

  function forget() {
    state.journal = [];
    state.outbox = [];
    state.journalAfter = 0;
    state.outboxAfter = 0;
    state.open.clear();
    state.rendered = {};
    state.vendors = null;
  }

  async function load() {
    if (state.leaving) return;
    const status = (await api("status")).data;
    if (status.instance !== state.instance || status.journal < state.journalAfter || status.outbox < state.outboxAfter) {
      forget(); // another server (a restart) or a reset: start over
      state.instance = status.instance;
    }
    if (status.journal > state.journalAfter) {
      const page = await api(`journal?after=${state.journalAfter}&limit=${KEEP}`);
      state.journal.push(...page.data);
      state.journal.splice(0, Math.max(0, state.journal.length - KEEP));
      state.journalAfter = Number(page.headers.get("X-Fakeauth-Journal-Next")) || status.journal;
    }
    if (status.outbox !== state.outboxAfter) {
      const page = await api(`outbox?after=${state.outboxAfter}&limit=${KEEP}`);
      state.outbox.push(...page.data);
      state.outbox.splice(0, Math.max(0, state.outbox.length - KEEP));
      state.outboxAfter = Number(page.headers.get("X-Fakeauth-Outbox-Next")) || 0;
    }
    if (state.vendors === null) {
      state.vendors = (await api("vendors")).data;
      renderVendorChips();
      renderVendorChoice();
    }
    const search = encodeURIComponent($("account-search").value.trim());
    const [accounts, features, clock, tokens, faults, lanes] = await Promise.all([
      Promise.all(state.vendors.map((v) => api(`accounts/${v.name}?email=${search}`))),
      api("features"),
      api("clock"),
      api("tokens"),
      api("faults"),
      loadLanes(),
    ]);
    renderIf("operations", status.operations, renderOperations);
    state.accounts = accounts.flatMap((answer) => answer.data);
    showAccounts();
    renderIf("outbox", state.outbox.map((m) => m.seq), () => renderOutbox(state.outbox));
    renderIf("journal", journalView(), renderJournal);
    renderIf("features", features.data, renderFeatures);
    state.clockNow = clock.data.now;
    $("clock-now").textContent = clock.data.now;
    $("clock-shifted").textContent = clock.data.shifted ? "(moved from the system time)" : "(the system time)";
    renderIf("tokens", tokens.data, renderTokens);
    renderIf("faults", faults.data, renderFaults);
    renderIf("lanes", lanes && { ...lanes, lanes: lanes.lanes.map((l) => ({ ...l, idle_seconds: Math.floor(l.idle_seconds) })) }, renderLanes);
  }

  let chain = Promise.resolve();
  /** Load once more after whatever load is running: loads never overlap. */
  function refresh() {
    chain = chain.then(load, load);
    return chain;
  }

  function schedule(ms) {
    clearTimeout(state.timer);
    state.timer = setTimeout(poll, ms);
  }

  function connected(ok, error) {
    const node = $("connection");
    node.classList.toggle("down", !ok);
    const text = ok ? "Connected" : `Server unreachable, retrying (${error && error.message ? error.message : "no answer"})`;
    if (node.textContent !== text) node.textContent = text;
  }

  async function poll() {
    if (state.leaving) return;
    try {
      await refresh();
      state.retry = 0;
      connected(true);
      schedule(POLL_MS);
    } catch (error) {
      state.retry = Math.min(state.retry ? state.retry * 2 : RETRY_FIRST_MS, RETRY_MAX_MS);
      connected(false, error);
      schedule(state.retry);
    }
  }

  /** Run one action, show its error sentence if it fails, then show the new state. */
  async function act(action, done) {
    const problem = $("problem");
    try {
      await action();
      problem.hidden = true;
      problem.textContent = "";
      if (done !== null) $("notice").textContent = done || "Done";
    } catch (error) {
      problem.textContent = error instanceof ApiError ? error.message : `The server did not answer: ${error.message}`;
      problem.hidden = false;
    }
    try {
      await refresh();
    } catch (error) {
      schedule(RETRY_FIRST_MS);
    }
  }

  // -- the account forms: their fields are the vendors' own (GET vendors) --------------------

  /** One input of a form, labelled, for a field of GET vendors; ``value`` is its current value. */
  function input(prefix, field, value) {
    const id = `${prefix}-${field.name}`;
    if (field.kind === "choices") {
      const boxes = field.choices.map((choice) => {
        const box = el("input", { type: "checkbox", "data-choice": choice });
        box.checked = Array.isArray(value) && value.includes(choice);
        return el("label", {}, box, ` ${choice}`);
      });
      return el("fieldset", { class: "field", id, "data-field": field.name, "data-kind": field.kind }, el("legend", {}, field.label), ...(boxes.length ? boxes : [el("span", { class: "empty" }, "none added yet")]));
    }
    let node;
    if (field.kind === "choice") {
      node = el("select", { id, "data-field": field.name, "data-kind": field.kind }, ...field.choices.map((v) => el("option", { value: v }, v || "none")));
      node.value = value === null || value === undefined ? "" : String(value);
    } else {
      const type = { password: "password", checkbox: "checkbox", email: "email" }[field.kind] || "text";
      node = el("input", { id, type, "data-field": field.name, "data-kind": field.kind, autocomplete: field.kind === "password" ? "new-password" : "off", required: field.required });
      if (field.kind === "checkbox") node.checked = value === true;
      else if (value !== null && value !== undefined) node.value = String(value);
    }
    const label = el("label", { for: id }, field.label);
    return field.kind === "checkbox" ? el("span", { class: "field check" }, node, label) : el("span", { class: "field" }, label, node);
  }

  /** What a form's inputs say, by field name: a checkbox true or false, a choice "" as null. */
  function formValues(container) {
    const values = {};
    for (const node of container.querySelectorAll("[data-field]")) {
      const name = node.dataset.field;
      if (node.dataset.kind === "choices") values[name] = [...node.querySelectorAll("[data-choice]")].filter((b) => b.checked).map((b) => b.dataset.choice);
      else if (node.type === "checkbox") values[name] = node.checked;
      else if (node.dataset.kind === "choice") values[name] = node.value === "" ? null : node.value;
      else values[name] = node.value;
    }
    return values;
  }

  function renderVendorChoice() {
    const select = $("account-vendor");
    const chosen = select.value;
    replace(select, state.vendors.map((v) => el("option", { value: v.name }, v.label)));
    if (state.vendors.some((v) => v.name === chosen)) select.value = chosen;
    accountFields();
  }

  function accountFields() {
    const vendor = (state.vendors || []).find((v) => v.name === $("account-vendor").value);
    const fields = [
      { name: "email", label: "Email", kind: "email", required: true },
      { name: "password", label: "Password", kind: "password", required: true },
      ...(vendor ? vendor.create : []),
    ];
    replace($("account-fields"), fields.map((f) => input("new", f, f.default)));
  }

  function accountBody() {
    const body = {};
    for (const [name, value] of Object.entries(formValues($("account-fields")))) {
      if (value !== "" && value !== null) body[name] = value; // left empty: the method's default
    }
    return body;
  }

  /** Open the edit form of one account: its vendor's fields (fetched anew: walt.id's roles
   * grow), filled with the account's current values. */
  async function openEdit(row) {
    await act(async () => {
      state.vendors = (await api("vendors")).data;
      const vendor = state.vendors.find((v) => v.name === row.vendor);
      state.editing = { vendor: row.vendor, id: row.id, email: row.email, values: row.edit };
      $("account-edit-title").textContent = `Edit ${row.email} (${vendor.label})`;
      replace($("edit-fields"), vendor.edit.map((f) => input("edit", f, row.edit[f.name])));
      $("account-edit").hidden = false;
      $("edit-fields").querySelector("input, select").focus();
    }, null);
  }

  function closeEdit() {
    const editing = state.editing;
    state.editing = null;
    $("account-edit").hidden = true;
    replace($("edit-fields"), []);
    return editing;
  }

  /** Only what the user changed: a password when one is typed, other fields when they differ. */
  function editBody() {
    const body = {};
    for (const [name, value] of Object.entries(formValues($("edit-fields")))) {
      const before = state.editing.values[name];
      const plain = (v) => JSON.stringify(Array.isArray(v) ? [...v].sort() : v === null || v === undefined ? "" : v);
      const same = plain(value) === plain(before);
      if (name in state.editing.values ? !same : value !== "") body[name] = value;
    }
    return body;
  }

  async function saveEdit() {
    const { vendor, id, email } = state.editing;
    const body = editBody();
    if (Object.keys(body).length === 0) {
      $("notice").textContent = `Nothing changed for ${email}.`;
      return;
    }
    await act(async () => {
      await api(`accounts/${vendor}/${encodeURIComponent(id)}`, { method: "PATCH", body });
      closeEdit();
    }, `Saved ${Object.keys(body).join(", ")} of ${email} (${labelOf(vendor)}).`);
    if (state.editing === null) {
      const again = $("account-rows").querySelector(`[data-key="${CSS.escape(`edit-${vendor}-${id}`)}"]`);
      if (again) again.focus();
    }
  }

  // -- wiring ----------------------------------------------------------------------------------

  function clockAction(body, done) {
    return () => act(() => api("clock", { method: "POST", body }), done);
  }

  function wire() {
    $("account-vendor").addEventListener("change", accountFields);
    $("account-search").addEventListener("input", () => refresh().catch(() => {}));
    $("account-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const body = accountBody();
      act(() => api(`accounts/${$("account-vendor").value}`, { method: "POST", body }), `Created ${body.email}.`);
    });
    $("account-edit").addEventListener("submit", (event) => {
      event.preventDefault();
      saveEdit();
    });
    $("edit-cancel").addEventListener("click", () => {
      const { vendor, id } = closeEdit();
      showAccounts();
      const again = $("account-rows").querySelector(`[data-key="${CSS.escape(`edit-${vendor}-${id}`)}"]`);
      if (again) again.focus();
    });
    for (const id of ["journal-vendor", "journal-operation", "journal-status"]) {
      $(id).addEventListener("input", () => renderIf("journal", journalView(), renderJournal));
    }
    $("clock-hour").addEventListener("click", clockAction({ shift: 3600 }, "Moved the clock by 1 h."));
    $("clock-day").addEventListener("click", clockAction({ shift: 86400 }, "Moved the clock by 1 day."));
    $("clock-shift").addEventListener("click", () => {
      const seconds = Number($("clock-seconds").value);
      clockAction({ shift: seconds }, `Moved the clock by ${seconds} s.`)();
    });
    $("clock-set").addEventListener("click", () =>
      clockAction({ set: $("clock-instant").value.trim(), frozen: $("clock-frozen").checked }, "Set the clock.")()
    );
    $("clock-freeze").addEventListener("click", () => {
      act(async () => {
        const now = (await api("clock")).data.now;
        await api("clock", { method: "POST", body: { set: now, frozen: true } });
      }, "Froze the clock.");
    });
    $("clock-reset").addEventListener("click", clockAction({ reset: true }, "The clock follows the system time."));
    $("fault-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const kind = $("fault-kind").value;
      const body = { operation: $("fault-operation").value.trim(), kind, times: Number($("fault-times").value) };
      if (kind === "fail") body.status = Number($("fault-status").value);
      if (kind !== "drop") body.seconds = Number($("fault-seconds").value);
      act(() => api("faults", { method: "POST", body }), `Queued a ${kind} fault for ${body.operation}.`);
    });
    $("fault-clear").addEventListener("click", () => act(() => api("faults", { method: "DELETE" }), "Cleared the queued faults."));
    $("lane-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const name = $("lane-open-name").value.trim();
      act(async () => {
        // The server checks the name (its 400 sentence, shown as is) and creates the lane.
        await api(`${here.root}_fakeauth/status`, { headers: { "X-Fakeauth-Lane": name } });
        location.assign(laneUrl(name));
      }, `Opening lane ${name}…`);
    });
    $("state-export").addEventListener("click", () =>
      act(async () => {
        const { text } = await api("export", { method: "POST" });
        const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "application/json" })), download: "fakeauth-state.json", hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(link.href), 60000);
      }, "Exported the state to fakeauth-state.json: a fake's keys, never to be used anywhere real.")
    );
    $("import-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const file = $("import-file").files[0];
      if (!file) return;
      act(async () => {
        const { data } = await api("import", { method: "POST", body: await file.text(), raw: true });
        const a = data.accounts;
        $("notice").textContent = `Imported ${file.name}: ${a.ovok} Ovok, ${a.b2core} B2Core and ${a.waltid} walt.id accounts.`;
      }, null);
    });
  }

  function showLane() {
    $("lane-name").textContent = here.lane;
    $("lane-default-link").setAttribute("href", laneUrl("default"));
    if (here.lane !== "default") document.title = `fakeauth dashboard: lane ${here.lane}`;
  }

  showLane();
  wire();
  wireExplain();
  poll();
})();
