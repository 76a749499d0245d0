// ThousandEyes add-on Inputs page: every input of the add-on's schemes in one table, with
// create, edit, clone, enable/disable and delete through splunkd's data/inputs/<scheme>
// endpoints (Splunk Web's CSRF-protected proxy, te_common.js). Pickers are filled from the
// server: connections, the chosen connection's account groups, tests and labels (catalog),
// indexes (data/indexes). splunkd's answer to a refused create or edit (the input's
// --validate-arguments message) is shown next to the field it names. Every text from the
// server is inserted with textContent.
(function () {
  "use strict";

  var ROOT_ID = "te-inputs";
  var TEST_TYPES = ["agent-to-server", "agent-to-agent", "network", "http-server", "page-load",
    "web-transactions", "api", "ftp-server", "dns-server", "dns-trace", "dnssec", "sip-server",
    "voice", "rtp-server", "bgp"];
  var DATA_TYPES = ["network", "path-vis", "http-server", "page-load", "web-transactions", "api",
    "ftp-server", "dns-server", "dns-trace", "dnssec", "sip-server", "rtp-server", "bgp"];
  // The schemes of README/inputs.conf.spec: label, default interval, the fields they take.
  var SCHEMES = [
    { key: "thousandeyes_test_results", label: "Test results", interval: "300",
      fields: ["account_groups", "test_types", "test_ids", "labels", "data_types", "start_from"] },
    { key: "thousandeyes_alerts", label: "Alerts", interval: "300",
      fields: ["account_groups", "start_from"] },
    { key: "thousandeyes_events", label: "Events", interval: "300",
      fields: ["account_groups", "start_from"] },
    { key: "thousandeyes_activity", label: "Activity log", interval: "600", fields: ["start_from"] },
    { key: "thousandeyes_inventory", label: "Inventory", interval: "3600",
      fields: ["account_groups"] },
    { key: "thousandeyes_token_refresh", label: "Token keep-alive", interval: "3600", fields: [],
      anyConnection: true },
  ];
  var COMMON_FIELDS = ["connection", "interval", "index"];
  // Which field a refusal names: a quoted argument name first, then the words of the add-on's
  // own messages (modinputs/arguments.py) and of splunkd's.
  var FIELD_WORDS = [
    [/interval/i, "interval"], [/start (from|date)/i, "start_from"],
    [/account group/i, "account_groups"], [/test types/i, "test_types"],
    [/data types/i, "data_types"], [/test ids/i, "test_ids"], [/label/i, "labels"],
    [/connection/i, "connection"], [/index/i, "index"], [/already exists|input name/i, "name"],
  ];

  var te, el, field, clear;
  var ui = {};
  var state = { inputs: [], connections: [], indexes: [], editing: null, catalogSeq: 0 };

  function schemeOf(key) {
    for (var i = 0; i < SCHEMES.length; i++) { if (SCHEMES[i].key === key) { return SCHEMES[i]; } }
    return null;
  }

  function isTrue(value) {
    return value === true || ["1", "true", "t", "yes", "y", "on"].indexOf(String(value).toLowerCase()) >= 0;
  }

  function list(value) {
    return String(value || "").split(",").map(function (v) { return v.trim(); })
      .filter(function (v) { return v; });
  }

  function announce(message, kind) {
    ui.status.textContent = message || "";
    ui.status.className = "te-status" + (kind ? " te-status-" + kind : "");
  }

  function inputPath(input) {
    return "data/inputs/" + input.scheme + "/" + encodeURIComponent(input.name);
  }

  // ---------------------------------------------------------------- loading

  function loadInputs() {
    var listings = SCHEMES.map(function (scheme) {
      return te.listAll("data/inputs/" + scheme.key).then(function (entries) {
        return entries.map(function (entry) {
          return { scheme: scheme.key, name: entry.name, content: entry.content || {} };
        });
      });
    });
    return Promise.all([Promise.all(listings), te.api("GET", "inputs-status")])
      .then(function (results) {
        var status = {};
        (results[1].inputs || []).forEach(function (item) {
          status[item.scheme + "://" + item.name] = item;
        });
        state.inputs = [].concat.apply([], results[0]).map(function (input) {
          input.status = status[input.scheme + "://" + input.name] || {};
          return input;
        });
        renderTable();
      });
  }

  function loadChoices() {
    var connections = te.api("GET", "connections").then(function (data) {
      state.connections = data.connections || [];
    });
    var indexes = te.listAll("data/indexes").then(function (entries) {
      state.indexes = entries.filter(function (entry) {
        return !isTrue((entry.content || {}).disabled) && entry.name.charAt(0) !== "_";
      }).map(function (entry) { return entry.name; });
    });
    return Promise.all([connections, indexes]);
  }

  function refresh() {
    return loadInputs().catch(function (error) {
      announce("Could not load the inputs: " + error.message, "error");
    });
  }

  // ---------------------------------------------------------------- table

  function buildTableSection() {
    ui.tbody = el("tbody");
    ui.empty = el("p", { className: "te-hint", text: "No input yet." });
    ui.table = el("table", { className: "te-table", id: "te-inputs-table" }, [
      el("caption", { className: "te-visually-hidden", text: "ThousandEyes inputs" }),
      el("thead", {}, [el("tr", {}, ["Name", "Data type", "Connection", "Account groups",
        "Interval", "Index", "Enabled", "Last run", "Actions"].map(function (text) {
        return el("th", { scope: "col", text: text });
      }))]),
      ui.tbody,
    ]);
    ui.heading = el("h2", { id: "te-inputs-title", tabindex: "-1", text: "Inputs" });
    ui.count = el("p", { className: "te-hint", id: "te-inputs-count" });
    ui.createButton = el("button", { type: "button", id: "te-create", className: "te-button te-primary",
      text: "Create input", onclick: function () { openForm("create", null); } });
    return el("section", { className: "te-card", "aria-labelledby": "te-inputs-title" }, [
      ui.heading,
      el("div", { className: "te-actions te-toolbar" }, [ui.createButton,
        el("button", { type: "button", className: "te-button", text: "Refresh", onclick: refresh })]),
      ui.count,
      el("div", { className: "te-table-wrap" }, [ui.table]),
      ui.empty,
    ]);
  }

  function groupsText(input) {
    var scheme = schemeOf(input.scheme);
    if (scheme.fields.indexOf("account_groups") < 0) { return "—"; }
    var wanted = list(input.content.account_groups);
    if (!wanted.length || wanted.indexOf("*") >= 0) { return "All"; }
    var names = {};
    state.connections.forEach(function (connection) {
      if (connection.name !== input.content.connection) { return; }
      connection.account_groups.forEach(function (group) { names[group.aid] = group.name; });
    });
    return wanted.map(function (aid) { return names[aid] ? names[aid] + " (" + aid + ")" : aid; })
      .join(", ");
  }

  function lastRunCell(input) {
    var cell = el("td", { className: "te-last-run" });
    var run = input.status.last_run;
    if (run) {
      cell.appendChild(el("div", { text: te.formatTime(run.finished) + " · " + run.status }));
      cell.appendChild(el("div", { className: "te-hint", text: run.events + " events · " +
        run.api_calls + " API calls · " + run.errors + " errors" }));
      if (run.reason) { cell.appendChild(el("div", { className: "te-hint te-error", text: run.reason })); }
    } else if (input.status.last_success) {
      cell.appendChild(el("div", { text: "Last success " + te.formatTime(input.status.last_success) }));
    } else {
      cell.appendChild(el("span", { className: "te-hint", text: "No run yet" }));
    }
    return cell;
  }

  function actionsCell(input) {
    var disabled = isTrue(input.content.disabled);
    var label = input.name;
    var button = function (text, aria, onclick, extra) {
      return el("button", { type: "button", className: "te-button" + (extra || ""), text: text,
        "aria-label": aria + " " + label, onclick: onclick });
    };
    return el("td", { className: "te-row-actions" }, [
      button("Edit", "Edit", function () { openForm("edit", input); }),
      button("Clone", "Clone", function () { openForm("clone", input); }),
      button(disabled ? "Enable" : "Disable", disabled ? "Enable" : "Disable",
        function () { setEnabled(input, disabled); }),
      button("Delete", "Delete", function (event) { confirmDelete(input, event.target); }, " te-danger"),
    ]);
  }

  function renderTable() {
    clear(ui.tbody);
    var inputs = state.inputs.slice().sort(function (a, b) {
      return a.name < b.name ? -1 : a.name > b.name ? 1 : a.scheme < b.scheme ? -1 : 1;
    });
    ui.empty.hidden = inputs.length > 0;
    ui.table.hidden = inputs.length === 0;
    ui.count.textContent = inputs.length + (inputs.length === 1 ? " input" : " inputs");
    inputs.forEach(function (input) {
      var content = input.content;
      var enabled = !isTrue(content.disabled);
      ui.tbody.appendChild(el("tr", { "data-input": input.scheme + "/" + input.name }, [
        el("th", { scope: "row", text: input.name }),
        el("td", { text: schemeOf(input.scheme).label }),
        el("td", { text: content.connection || "—" }),
        el("td", { text: groupsText(input) }),
        el("td", { text: content.interval || "" }),
        el("td", { text: content.index || "default" }),
        el("td", {}, [el("span", { className: "te-badge " + (enabled ? "te-badge-connected" :
          "te-badge-disconnected"), text: enabled ? "Enabled" : "Disabled" })]),
        lastRunCell(input),
        actionsCell(input),
      ]));
    });
  }

  // ---------------------------------------------------------------- enable, disable, delete

  function setEnabled(input, enable) {
    var action = enable ? "enable" : "disable";
    announce((enable ? "Enabling " : "Disabling ") + input.name + "…", "info");
    te.splunkd("POST", inputPath(input) + "/" + action).then(function () {
      announce((enable ? "Enabled " : "Disabled ") + input.name + ".", "ok");
      return refresh();
    }).catch(function (error) {
      announce("Could not " + action + " " + input.name + ": " + error.message, "error");
    });
  }

  function buildDialog() {
    ui.dialogText = el("p", { id: "te-dialog-text" });
    ui.dialogConfirm = el("button", { type: "button", className: "te-button te-danger",
      id: "te-dialog-confirm", text: "Delete" });
    var cancel = el("button", { type: "button", className: "te-button", id: "te-dialog-cancel",
      text: "Cancel" });
    ui.dialog = el("dialog", { className: "te-dialog", "aria-labelledby": "te-dialog-title",
      "aria-describedby": "te-dialog-text" }, [
      el("h2", { id: "te-dialog-title", text: "Delete this input?" }),
      ui.dialogText,
      el("div", { className: "te-actions" }, [cancel, ui.dialogConfirm]),
    ]);
    cancel.addEventListener("click", function () { ui.dialog.close("cancel"); });
    ui.cancelDialog = cancel;
    return ui.dialog;
  }

  function confirmDelete(input, opener) {
    ui.dialogText.textContent = "\u201c" + input.name + "\u201d (" + schemeOf(input.scheme).label +
      ") stops collecting and is removed from inputs.conf. Events already indexed stay.";
    ui.dialogConfirm.onclick = function () {
      ui.dialog.close("confirm");
      announce("Deleting " + input.name + "…", "info");
      te.splunkd("DELETE", inputPath(input)).then(function () {
        announce("Deleted " + input.name + ".", "ok");
        return refresh();
      }).catch(function (error) {
        announce("Could not delete " + input.name + ": " + error.message, "error");
      }).then(function () { ui.heading.focus(); });
    };
    ui.dialog.onclose = function () {
      if (ui.dialog.returnValue !== "confirm" && document.body.contains(opener)) { opener.focus(); }
    };
    ui.dialog.returnValue = "";
    ui.dialog.showModal();
    ui.cancelDialog.focus();
  }

  // ---------------------------------------------------------------- form

  function multiSelect() {
    return el("select", { multiple: true, size: "5" });
  }

  // options: [{key, label}]; values the input holds but the server did not offer stay as options.
  function fillSelect(node, options, values) {
    var wanted = values.slice();
    clear(node);
    options.forEach(function (option) {
      var item = el("option", { value: option.key, text: option.label });
      item.selected = wanted.indexOf(option.key) >= 0;
      node.appendChild(item);
    });
    wanted.forEach(function (value) {
      var known = options.some(function (option) { return option.key === value; });
      if (!known && value) { node.appendChild(el("option", { value: value, text: value, selected: true })); }
    });
  }

  function chosen(node) {
    return Array.prototype.filter.call(node.options, function (option) { return option.selected; })
      .map(function (option) { return option.value; });
  }

  function formField(name, label, control, hint) {
    var wrap = field("te-f-" + name, label, control, hint);
    var error = el("p", { id: "te-f-" + name + "-error", className: "te-field-error", role: "alert" });
    wrap.appendChild(error);
    wrap.setAttribute("data-field", name);
    ui.fields[name] = { wrap: wrap, control: control, error: error };
    return wrap;
  }

  function buildFormSection() {
    ui.fields = {};
    var c = {
      scheme: te.select(SCHEMES.map(function (s) { return { key: s.key, label: s.label }; }),
        SCHEMES[0].key),
      name: el("input", { type: "text", autocomplete: "off", spellcheck: "false", maxlength: "100" }),
      connection: el("select"),
      account_groups: multiSelect(),
      test_types: multiSelect(),
      test_ids: multiSelect(),
      labels: multiSelect(),
      data_types: multiSelect(),
      interval: el("input", { type: "text", autocomplete: "off", spellcheck: "false" }),
      index: el("select"),
      start_from: el("input", { type: "text", autocomplete: "off", spellcheck: "false",
        placeholder: "1h" }),
    };
    ui.controls = c;
    ui.formTitle = el("h2", { id: "te-form-title", tabindex: "-1", text: "Create input" });
    ui.formError = el("p", { id: "te-form-error", className: "te-field-error", role: "alert" });
    ui.saveButton = el("button", { type: "submit", id: "te-save", className: "te-button te-primary",
      text: "Save" });
    var groupsHint = "Ctrl/Cmd-click to pick several; \u201cAll\u201d follows new groups.";
    ui.form = el("form", { className: "te-form", id: "te-input-form", novalidate: true,
      onsubmit: onSave }, [
      formField("scheme", "Data type", c.scheme),
      formField("name", "Name", c.name, "Unique within its data type; cannot contain \u201c/\u201d."),
      formField("connection", "Connection", c.connection, "A connection made on the setup page."),
      formField("account_groups", "Account groups", c.account_groups, groupsHint),
      formField("test_types", "Test types", c.test_types, "None picked: every type."),
      formField("test_ids", "Tests", c.test_ids, "None picked: every test of the groups."),
      formField("labels", "Labels", c.labels, "None picked: no label filter."),
      formField("data_types", "Data types", c.data_types, "None picked: every type a test produces."),
      formField("interval", "Interval", c.interval,
        "Seconds (60 or more) or a five-field cron expression."),
      formField("index", "Index", c.index),
      formField("start_from", "Start from", c.start_from,
        "How far back the first run reaches: 30m, 12h, 7d (at most 90d) or a UTC date."),
      ui.formError,
      el("div", { className: "te-actions" }, [ui.saveButton,
        el("button", { type: "button", className: "te-button", id: "te-cancel", text: "Cancel",
          onclick: closeForm })]),
    ]);
    fillSelect(c.test_types, TEST_TYPES.map(function (t) { return { key: t, label: t }; }), []);
    fillSelect(c.data_types, DATA_TYPES.map(function (t) { return { key: t, label: t }; }), []);
    c.scheme.addEventListener("change", function () { syncScheme(); loadCatalog(); });
    c.connection.addEventListener("change", function () { loadCatalog(); });
    c.account_groups.addEventListener("change", function () { loadTests(); });
    ui.formCard = el("section", { className: "te-card", id: "te-form-card", hidden: true,
      "aria-labelledby": "te-form-title" }, [ui.formTitle, ui.form]);
    return ui.formCard;
  }

  function currentScheme() {
    return schemeOf(ui.controls.scheme.value);
  }

  function syncScheme() {
    var scheme = currentScheme();
    Object.keys(ui.fields).forEach(function (name) {
      if (name === "scheme" || name === "name" || name === "connection" || name === "interval") { return; }
      var shown = name === "index" ? scheme.key !== "thousandeyes_token_refresh" :
        scheme.fields.indexOf(name) >= 0;
      ui.fields[name].wrap.hidden = !shown;
    });
    var current = ui.controls.connection.value;
    var options = state.connections.map(function (connection) {
      return { key: connection.name, label: connection.name };
    });
    if (scheme.anyConnection) { options.unshift({ key: "*", label: "Every connection (*)" }); }
    fillSelect(ui.controls.connection, options, current ? [current] : []);
    if (!ui.controls.connection.value && options.length) { ui.controls.connection.value = options[0].key; }
  }

  function clearErrors() {
    Object.keys(ui.fields).forEach(function (name) {
      ui.fields[name].error.textContent = "";
      ui.fields[name].control.removeAttribute("aria-invalid");
    });
    ui.formError.textContent = "";
  }

  function showError(name, message) {
    var target = ui.fields[name];
    if (!target || target.wrap.hidden) {
      ui.formError.textContent = message;
      return;
    }
    target.error.textContent = message;
    target.control.setAttribute("aria-invalid", "true");
    target.control.setAttribute("aria-errormessage", target.error.id);
    target.control.focus();
  }

  function fieldForMessage(message) {
    var quoted = /"([a-z_]+)"/.exec(message);
    if (quoted && ui.fields[quoted[1]]) { return quoted[1]; }
    for (var i = 0; i < FIELD_WORDS.length; i++) {
      if (FIELD_WORDS[i][0].test(message)) { return FIELD_WORDS[i][1]; }
    }
    return "";
  }

  function openForm(mode, input) {
    var c = ui.controls;
    var content = input ? input.content : {};
    state.editing = mode === "edit" ? input : null;
    clearErrors();
    c.scheme.value = input ? input.scheme : SCHEMES[0].key;
    c.scheme.disabled = mode === "edit";
    c.name.value = mode === "edit" ? input.name : "";
    c.name.disabled = mode === "edit";
    c.connection.value = "";
    syncScheme();
    if (content.connection) {
      fillSelect(c.connection, Array.prototype.map.call(c.connection.options, function (option) {
        return { key: option.value, label: option.textContent };
      }), [content.connection]);
    }
    c.interval.value = content.interval || currentScheme().interval;
    var indexes = ["default"].concat(state.indexes).map(function (name) { return { key: name, label: name }; });
    fillSelect(c.index, indexes, [content.index || "default"]);
    c.start_from.value = content.start_from || "";
    fillSelect(c.test_types, TEST_TYPES.map(function (t) { return { key: t, label: t }; }),
      list(content.test_types));
    fillSelect(c.data_types, DATA_TYPES.map(function (t) { return { key: t, label: t }; }),
      list(content.data_types));
    state.saved = { account_groups: list(content.account_groups || "*"), test_ids: list(content.test_ids),
      labels: list(content.labels) };
    fillSelect(c.account_groups, [{ key: "*", label: "All account groups (*)" }], state.saved.account_groups);
    fillSelect(c.test_ids, [], state.saved.test_ids);
    fillSelect(c.labels, [], state.saved.labels);
    ui.formTitle.textContent = mode === "edit" ? "Edit " + input.name :
      mode === "clone" ? "Clone " + input.name : "Create input";
    ui.saveButton.textContent = mode === "edit" ? "Save changes" : "Create";
    ui.formCard.hidden = false;
    ui.formTitle.focus();
    loadCatalog();
  }

  function closeForm() {
    ui.formCard.hidden = true;
    state.editing = null;
    ui.heading.focus();
  }

  // ---------------------------------------------------------------- live pickers

  function loadCatalog() {
    var scheme = currentScheme();
    var name = ui.controls.connection.value;
    if (scheme.fields.indexOf("account_groups") < 0 || !name || name === "*") { return Promise.resolve(); }
    var seq = ++state.catalogSeq;
    ui.fields.account_groups.error.textContent = "";
    return te.api("GET", "catalog", { connection: name }).then(function (data) {
      if (seq !== state.catalogSeq) { return null; }
      var keep = chosen(ui.controls.account_groups);
      var options = [{ key: "*", label: "All account groups (*)" }].concat(
        (data.account_groups || []).map(function (group) {
          return { key: group.aid, label: group.name + " (" + group.aid + ")" };
        }));
      fillSelect(ui.controls.account_groups, options, keep.length ? keep : ["*"]);
      return loadTests();
    }).catch(function (error) {
      if (seq === state.catalogSeq) {
        ui.fields.account_groups.error.textContent = "Could not read the connection's account groups: " +
          error.message;
      }
    });
  }

  function loadTests() {
    if (currentScheme().key !== "thousandeyes_test_results") { return Promise.resolve(); }
    var groups = chosen(ui.controls.account_groups);
    var aid = !groups.length || groups.indexOf("*") >= 0 ? "*" : groups.join(",");
    var seq = ++state.catalogSeq;
    ui.form.removeAttribute("data-tests-loaded");
    return te.api("GET", "catalog", { connection: ui.controls.connection.value, aid: aid })
      .then(function (data) {
        if (seq !== state.catalogSeq) { return; }
        // What the admin picked meanwhile stays picked (kept as an option if no longer offered).
        var keepTests = chosen(ui.controls.test_ids);
        var keepLabels = chosen(ui.controls.labels);
        fillSelect(ui.controls.test_ids, (data.tests || []).map(function (test) {
          return { key: test.testId, label: test.testName + " (" + test.type + ", " + test.testId + ")" };
        }), keepTests);
        fillSelect(ui.controls.labels, (data.labels || []).map(function (label) {
          return { key: label, label: label };
        }), keepLabels);
        ui.form.setAttribute("data-tests-loaded", "true");
      }).catch(function (error) {
        if (seq === state.catalogSeq) {
          ui.fields.test_ids.error.textContent = "Could not read the tests: " + error.message;
        }
      });
  }

  // ---------------------------------------------------------------- save

  function values() {
    var scheme = currentScheme();
    var c = ui.controls;
    var params = [["connection", c.connection.value], ["interval", c.interval.value.trim()]];
    if (scheme.key !== "thousandeyes_token_refresh") { params.push(["index", c.index.value]); }
    scheme.fields.forEach(function (name) {
      var control = c[name];
      var value = control.multiple ? chosen(control).join(",") : control.value.trim();
      if (name === "account_groups" && chosen(control).indexOf("*") >= 0) { value = "*"; }
      params.push([name, value]);
    });
    return params;
  }

  function onSave(event) {
    event.preventDefault();
    clearErrors();
    var scheme = currentScheme();
    var editing = state.editing;
    var name = editing ? editing.name : ui.controls.name.value.trim();
    if (!name || name.indexOf("/") >= 0) {
      showError("name", "Enter a name without \u201c/\u201d.");
      return;
    }
    var params = values();
    var path = "data/inputs/" + scheme.key;
    if (editing) {
      path += "/" + encodeURIComponent(name);
    } else {
      params = params.filter(function (pair) { return pair[1] !== ""; });
      params.unshift(["name", name]);
    }
    ui.saveButton.disabled = true;
    announce((editing ? "Saving " : "Creating ") + name + "…", "info");
    te.splunkd("POST", path, params).then(function () {
      ui.formCard.hidden = true;
      state.editing = null;
      announce((editing ? "Saved " : "Created ") + name + ".", "ok");
      return refresh().then(function () { ui.heading.focus(); });
    }).catch(function (error) {
      var target = fieldForMessage(error.message);
      announce("Not saved: " + error.message, "error");
      showError(target, error.message);
    }).then(function () { ui.saveButton.disabled = false; });
  }

  // ---------------------------------------------------------------- start

  function start(root) {
    clear(root);
    root.classList.add("te-setup");
    ui.status = el("p", { id: "te-status", className: "te-status", role: "status", "aria-live": "polite" });
    root.removeAttribute("aria-live");
    root.appendChild(el("p", { className: "te-intro",
      text: "Every ThousandEyes input of this Splunk instance: create, change, pause and remove collection." }));
    root.appendChild(ui.status);
    // inputs-status needs the admin capabilities the setup page needs: without them, no page.
    te.api("GET", "inputs-status").then(function () {
      root.appendChild(buildFormSection());
      root.appendChild(buildTableSection());
      root.appendChild(buildDialog());
      return loadChoices().then(refresh);
    }).catch(function (error) {
      announce(error.status === 403 ? "Only Splunk admins can manage ThousandEyes inputs: " +
        error.message : "Could not load the inputs: " + error.message, "error");
    });
  }

  function main(common) {
    te = common;
    el = te.el;
    field = te.field;
    clear = te.clear;
    te.boot(ROOT_ID, start);
  }

  (window.TAThousandEyesPages = window.TAThousandEyesPages || []).push(main);  // te_common.js
})();
