// Setup page, Streams section: a connection's ThousandEyes streams into Splunk's HTTP Event
// Collector (ta_thousandeyes/streams). Plain DOM through te_common.js; every server text via
// textContent. HEC tokens never reach this page: the server answers "set"/"not set".
(function () {
  "use strict";

  var ROOT_ID = "te-streams";
  var SIGNALS = [
    { key: "metric", label: "Metrics (cisco:thousandeyes:metric)" },
    { key: "trace", label: "Traces (cisco:thousandeyes:trace)" },
    { key: "log", label: "Activity log (cisco:thousandeyes:activity)" },
  ];
  var te, el, field, select, clear, api;
  var ui = {};
  var connections = [];

  function say(message, kind) {
    ui.status.textContent = message || "";
    ui.status.className = "te-status" + (kind ? " te-status-" + kind : "");
  }

  function formatMs(value) {
    return value ? new Date(Number(value)).toLocaleString() : "never";
  }

  function selected() {
    return { connection: ui.connection.value, aid: ui.aid.value };
  }

  function streamsFeature(connection) {
    return (connection.features || []).filter(function (f) { return f.key === "streams"; })[0];
  }

  // The chosen OAuth connection without streams:manage: say so, and lead to its checkbox.
  function showScopeNote(connection) {
    clear(ui.scopeNote);
    var feature = connection && streamsFeature(connection);
    ui.scopeNote.hidden = !feature || feature.granted;
    if (ui.scopeNote.hidden) { return; }
    var boxId = "te-feature-" + connection.name + "-streams";
    ui.scopeNote.appendChild(document.createTextNode(
      (feature.requested ? "Streams are turned on for " + connection.name +
        " but not granted yet: reconnect it under Connections to grant streams:manage. "
        : connection.name + " was not granted streams:manage. ")));
    ui.scopeNote.appendChild(el("button", { type: "button", className: "te-button",
      id: "te-streams-goto-feature", text: feature.requested ? "Go to the connection"
        : "Go to its Streams checkbox",
      onclick: function () {
        var box = document.getElementById(boxId);
        if (box) { box.scrollIntoView({ block: "center" }); box.focus(); }
      } }));
  }

  function fillGroups() {
    clear(ui.aid);
    var chosen = connections.filter(function (c) { return c.name === ui.connection.value; })[0];
    showScopeNote(chosen);
    ((chosen && chosen.account_groups) || []).forEach(function (group) {
      ui.aid.appendChild(el("option", { value: group.aid, text: group.name + " (" + group.aid + ")" }));
    });
  }

  function showConnections(all) {
    var before = ui.connection.value, aid = ui.aid.value;
    connections = all.filter(function (c) { return c.state === "connected"; });
    clear(ui.connection);
    connections.forEach(function (c) {
      ui.connection.appendChild(el("option", { value: c.name, text: c.name }));
    });
    if (connections.some(function (c) { return c.name === before; })) { ui.connection.value = before; }
    fillGroups();
    var kept = Array.prototype.some.call(ui.aid.options, function (o) { return o.value === aid; });
    if (aid && kept && ui.connection.value === before) { ui.aid.value = aid; }
    if (connections.length) { return refresh(); }
    say("Connect to ThousandEyes first: streams belong to a connection.", "info");
  }

  function loadConnections() {
    return api("GET", "connections").then(function (data) {
      return showConnections(data.connections || []);
    }).catch(function (error) { say("Could not load connections: " + error.message, "error"); });
  }

  function cell(text) { return el("td", { text: text }); }

  function actions(stream) {
    if (!stream.ours) { return el("td", { text: "managed in ThousandEyes" }); }
    return el("td", {}, [
      el("button", { type: "button", className: "te-button te-stream-toggle",
        text: stream.enabled ? "Disable" : "Enable",
        onclick: function () { edit(stream, { enabled: stream.enabled ? "0" : "1" }); } }),
      el("button", { type: "button", className: "te-button te-danger te-stream-delete",
        text: "Delete", onclick: function () { remove(stream); } }),
    ]);
  }

  function render(streams, limit) {
    clear(ui.rows);
    if (!streams.length) {
      ui.rows.appendChild(el("tr", {}, [el("td", { colspan: "8", text: "No streams in this account group." })]));
    }
    streams.forEach(function (s) {
      var status = (s.status && s.status.status) || "pending";
      ui.rows.appendChild(el("tr", { "data-stream-id": s.id, "data-status": status }, [
        el("th", { scope: "row", text: s.name }),
        cell(s.ours ? "yes" : "no"),
        cell(s.signal + " · " + s.dataModelVersion + (s.enabled ? "" : " · disabled")),
        el("td", { className: "te-stream-status te-state-" + status, text: status }),
        cell("success " + formatMs(s.status && s.status.lastSuccess) +
          "; failure " + formatMs(s.status && s.status.lastFailure)),
        cell((s.index || "(token's index)") + " / " + (s.sourcetype || "")),
        cell((s.tests.length ? "tests " + s.tests.join(", ") : "all tests") +
          (s.tags.length ? "; tags " + s.tags.join(", ") : "") +
          (s.testTypes.length ? "; types " + s.testTypes.join(", ") : "")),
        actions(s),
      ]));
    });
    ui.count.textContent = streams.length + " of at most " + limit + " streams in this account group";
  }

  function refresh() {
    var where = selected();
    if (!where.connection || !where.aid) { return Promise.resolve(); }
    var chosen = connections.filter(function (c) { return c.name === where.connection; })[0];
    var feature = chosen && streamsFeature(chosen);
    if (feature && !feature.granted) {  // ThousandEyes would refuse: the note says what to do
      clear(ui.rows);
      ui.count.textContent = "";
      return Promise.resolve();
    }
    return api("GET", "streams", where).then(function (data) {
      render(data.streams || [], data.limit || 10);
    }).catch(function (error) {
      clear(ui.rows);
      say(error.message, "error");
    });
  }

  function edit(stream, changes) {
    say("Saving…");
    api("POST", "streams/" + encodeURIComponent(stream.id), Object.assign(selected(), changes))
      .then(function () { say("Stream " + stream.name + " saved.", "success"); return refresh(); })
      .catch(function (error) { say(error.message, "error"); });
  }

  function remove(stream) {
    if (!window.confirm("Delete stream " + stream.name + "? ThousandEyes stops pushing its data.")) { return; }
    api("POST", "streams/" + encodeURIComponent(stream.id) + "/delete", selected())
      .then(function () { say("Stream " + stream.name + " deleted.", "success"); return refresh(); })
      .catch(function (error) { say(error.message, "error"); });
  }

  function onCreate(event) {
    event.preventDefault();
    var values = Object.assign(selected(), {
      name: ui.name.value, hec_url: ui.url.value, signal: ui.signal.value,
      tests: ui.tests.value, tags: ui.tags.value, test_types: ui.types.value,
      index: ui.index.value, sourcetype: ui.sourcetype.value,
    });
    if (ui.makeToken.checked) { values.create_hec_token = "1"; }
    else { values.hec_token = ui.token.value; }
    ui.create.disabled = true;
    say("Creating the stream…");
    api("POST", "streams", values).then(function (data) {
      ui.token.value = "";
      say("Stream " + data.stream.name + " created" +
        (data.hec_token_created ? " with the new HEC token " + data.hec_token_name : "") +
        ". ThousandEyes pushes each round once it is published.", "success");
      return refresh();
    }).catch(function (error) { say(error.message, "error"); })
      .then(function () { ui.create.disabled = false; });
  }

  function syncToken() {
    ui.tokenField.hidden = ui.makeToken.checked;
  }

  function build(root) {
    clear(root);
    ui.status = el("p", { id: "te-streams-status", className: "te-status", role: "status",
      "aria-live": "polite" });
    ui.scopeNote = el("p", { id: "te-streams-scope-note", className: "te-hint", hidden: true });
    ui.connection = select([], "");
    ui.connection.addEventListener("change", function () { fillGroups(); refresh(); });
    ui.aid = select([], "");
    ui.aid.addEventListener("change", refresh);
    ui.rows = el("tbody", { id: "te-streams-rows" });
    ui.count = el("p", { id: "te-streams-count", className: "te-hint" });
    ui.name = el("input", { type: "text", value: "metrics", maxlength: "200", autocomplete: "off" });
    ui.url = el("input", { type: "url", autocomplete: "off", spellcheck: "false",
      value: "https://" + window.location.hostname + ":8088/services/collector/event" });
    ui.signal = select(SIGNALS, "metric");
    ui.tests = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    ui.tags = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    ui.types = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    ui.index = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    ui.sourcetype = el("input", { type: "text", autocomplete: "off", spellcheck: "false" });
    ui.makeToken = el("input", { type: "checkbox", checked: true });
    ui.makeToken.addEventListener("change", syncToken);
    ui.token = el("input", { type: "password", autocomplete: "off", spellcheck: "false" });
    ui.tokenField = field("te-stream-token", "HEC token", ui.token,
      "A token of Settings > Data inputs > HTTP Event Collector. It goes to ThousandEyes only.");
    ui.create = el("button", { type: "submit", id: "te-stream-create", className: "te-button te-primary",
      text: "Create stream" });
    root.appendChild(el("section", { className: "te-section", "aria-labelledby": "te-streams-title" }, [
      el("h2", { id: "te-streams-title", text: "Streams" }),
      el("p", { className: "te-intro", text:
        "ThousandEyes can push every test round to Splunk's HTTP Event Collector (HEC) instead of " +
        "the add-on polling for it: no API rate limit, and the load lands on Splunk's ingestion tier. " +
        "HEC must be enabled and reachable from ThousandEyes' cloud over HTTPS with a certificate it trusts." }),
      el("p", { id: "te-streams-scope", className: "te-hint", text:
        "Streams need the streams:manage scope. A user API token has it. For an OAuth connection, " +
        "tick \u201cStreams (streams:manage)\u201d for it under Connections above, then " +
        "\u201cReconnect to grant streams:manage\u201d." }),
      ui.scopeNote,
      ui.status,
      el("div", { className: "te-form te-inline" }, [
        field("te-streams-connection", "Connection", ui.connection),
        field("te-streams-aid", "Account group", ui.aid),
        el("div", { className: "te-actions" }, [el("button", { type: "button", id: "te-streams-refresh",
          className: "te-button", text: "Refresh", onclick: refresh })]),
      ]),
      el("table", { id: "te-streams-table", className: "te-table" }, [
        el("thead", {}, [el("tr", {}, ["Name", "Ours", "Signal", "Status", "Last success / failure",
          "Index / sourcetype", "Data", "Actions"].map(function (text) {
          return el("th", { scope: "col", text: text });
        }))]),
        ui.rows,
      ]),
      ui.count,
      el("h3", { text: "New stream" }),
      el("form", { id: "te-stream-form", className: "te-form", novalidate: true, onsubmit: onCreate }, [
        field("te-stream-name", "Name", ui.name, "Shown in ThousandEyes as \"TA-thousandeyes: <name>\", which marks it as the add-on's."),
        field("te-stream-url", "HEC URL", ui.url, "The full URL ThousandEyes posts to, ending in /services/collector/event."),
        field("te-stream-signal", "Signal", ui.signal),
        field("te-stream-tests", "Test ids", ui.tests, "Comma-separated. Empty with no tags: every test of the account group."),
        field("te-stream-tags", "Tags", ui.tags, "key=value, comma-separated: tests with these tags."),
        field("te-stream-types", "Test types", ui.types, "Comma-separated filter, e.g. agent-to-server, http-server. Empty: all."),
        field("te-stream-index", "Index", ui.index, "Empty: the HEC token's default index."),
        field("te-stream-sourcetype", "Sourcetype", ui.sourcetype, "Empty: the signal's cisco:thousandeyes:* sourcetype."),
        field("te-stream-create-token", "Create a HEC token for this stream", ui.makeToken,
          "The add-on creates it in Splunk's HEC configuration and gives it to ThousandEyes; it is never shown."),
        ui.tokenField,
        el("div", { className: "te-actions" }, [ui.create]),
      ]),
    ]));
    syncToken();
    loadConnections();
    // The setup section above lists connections again after a connect, log out or feature change.
    document.addEventListener("ta-thousandeyes-connections", function (event) {
      showConnections(event.detail || []);
    });
  }

  function main(common) {
    te = common;
    el = te.el; field = te.field; select = te.select; clear = te.clear; api = te.api;
    te.boot(ROOT_ID, build);
  }

  (window.TAThousandEyesPages = window.TAThousandEyesPages || []).push(main);  // te_common.js
})();
