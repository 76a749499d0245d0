// ThousandEyes add-on setup page: plain DOM and fetch, no Splunk JS framework.
// Calls only the app's REST endpoints through Splunk Web's splunkd proxy (te_common.js). Every
// text that comes from the server is inserted with textContent; secrets never reach this page
// (the server answers "set"/"not set" for them).
(function () {
  "use strict";

  var ROOT_ID = "te-setup";
  var METHODS = [
    { key: "device_code", label: "Device code (recommended)" },
    { key: "authorization_code", label: "Sign in with ThousandEyes (authorization code + PKCE)" },
    { key: "api_token", label: "User API token" },
  ];
  var LOG_LEVELS = ["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"];
  var MAX_POLL_ERRORS = 3;

  // Shared helpers (te_common.js): REST through Splunk Web's proxy, DOM building.
  var te = null;
  var api, el, field, select, clear, formatTime, formatDuration;

  // ---------------------------------------------------------------- page state

  var ui = {};
  var regionLabels = {};
  var featureCatalog = [];  // GET connections' "features": key, label, scope, description
  var flow = { timer: null, countdown: null, name: "", errors: 0 };

  function announce(message, kind) {
    ui.status.textContent = message || "";
    ui.status.className = "te-status" + (kind ? " te-status-" + kind : "");
  }

  function stopFlowTimers() {
    if (flow.timer) { clearTimeout(flow.timer); flow.timer = null; }
    if (flow.countdown) { clearInterval(flow.countdown); flow.countdown = null; }
  }

  // ---------------------------------------------------------------- connect form

  function buildConnectSection() {
    ui.name = el("input", {
      type: "text", value: "thousandeyes", required: true, maxlength: "64", autocomplete: "off",
      pattern: "[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}", spellcheck: "false",
    });
    ui.region = select([{ key: "global", label: "Default" }], "global");
    ui.method = select(METHODS, "device_code");
    ui.apiToken = el("input", { type: "password", autocomplete: "off", spellcheck: "false" });
    ui.apiTokenField = field("te-api-token", "API token", ui.apiToken,
      "ThousandEyes > Account Settings > Users and Roles > Profile > User API Tokens. " +
      "It is stored encrypted in Splunk and never shown again.");
    ui.connectButton = el("button", { type: "submit", id: "te-connect", className: "te-button te-primary",
      text: "Connect" });
    ui.connectForm = el("form", { className: "te-form", novalidate: true, onsubmit: onConnect }, [
      field("te-name", "Connection name", ui.name,
        "Letters, digits, '_', '.' or '-'. Inputs refer to the connection by this name."),
      field("te-region", "Region", ui.region, "The ThousandEyes region your organization uses."),
      field("te-method", "Method", ui.method),
      ui.apiTokenField,
      buildNewFeatures(),
      el("div", { className: "te-actions" }, [ui.connectButton]),
    ]);
    ui.method.addEventListener("change", syncMethod);
    syncMethod();
    ui.flow = el("div", { id: "te-flow", className: "te-flow", hidden: true });
    return el("section", { className: "te-card", "aria-labelledby": "te-connect-title" }, [
      el("h2", { id: "te-connect-title", text: "Connect ThousandEyes" }),
      ui.connectForm,
      ui.flow,
    ]);
  }

  function syncMethod() {
    ui.apiTokenField.hidden = ui.method.value !== "api_token";
    ui.newFeatures.hidden = ui.method.value === "api_token";
  }

  // ---------------------------------------------------------------- optional features

  function featureLabel(feature) { return feature.label + " (" + feature.scope + ")"; }

  // The connect form's checkboxes: what a new connection asks for besides [oauth] scopes.
  function buildNewFeatures() {
    ui.newFeatureList = el("div", { className: "te-feature-list" });
    ui.newFeatures = el("fieldset", { id: "te-new-features", className: "te-features" }, [
      el("legend", { text: "Optional features" }),
      el("p", { className: "te-hint", text: "Each asks ThousandEyes for one more scope when " +
        "you connect. You can change them later under Connections and reconnect." }),
      ui.newFeatureList,
    ]);
    return ui.newFeatures;
  }

  function showNewFeatures() {
    var checked = {};
    ui.newFeatureList.querySelectorAll("input[data-feature]").forEach(function (box) {
      checked[box.getAttribute("data-feature")] = box.checked;
    });
    clear(ui.newFeatureList);
    featureCatalog.forEach(function (feature) {
      var id = "te-new-feature-" + feature.key;
      var box = el("input", { type: "checkbox", id: id, "data-feature": feature.key,
        "aria-describedby": id + "-hint" });
      box.checked = !!checked[feature.key];
      ui.newFeatureList.appendChild(el("div", { className: "te-field te-check" }, [
        box, el("label", { "for": id, text: featureLabel(feature) }),
        el("p", { id: id + "-hint", className: "te-hint", text: feature.description }),
      ]));
    });
  }

  function chosenNewFeatures() {
    var keys = [];
    ui.newFeatureList.querySelectorAll("input[data-feature]").forEach(function (box) {
      if (box.checked) { keys.push(box.getAttribute("data-feature")); }
    });
    return keys.join(",");
  }

  function featureId(connection, feature) {
    return "te-feature-" + connection.name + "-" + feature.key;
  }

  // One connection's features: a checkbox each, and whether its scope is held or only asked.
  function featuresCell(connection) {
    var cell = el("td", { className: "te-features-cell" });
    if (connection.auth_method === "api_token") {
      cell.appendChild(el("span", { className: "te-hint",
        text: "All available: a user API token carries every scope." }));
      return cell;
    }
    connection.features.forEach(function (feature) {
      var id = featureId(connection, feature);
      var box = el("input", { type: "checkbox", id: id, "data-feature": feature.key,
        "aria-describedby": id + "-state" });
      box.checked = feature.requested || feature.in_base;
      box.disabled = feature.in_base;  // asked for by [oauth] scopes whatever the box says
      box.addEventListener("change", function () { saveFeatures(connection, box); });
      cell.appendChild(el("div", { className: "te-field te-check te-feature",
        "data-feature": feature.key }, [
        box,
        el("label", { "for": id, text: featureLabel(feature), title: feature.description }),
        el("span", { id: id + "-state", className: "te-hint te-feature-state",
          text: featureState(connection, feature) }),
      ]));
    });
    return cell;
  }

  function featureState(connection, feature) {
    var wanted = feature.requested || feature.in_base;
    if (connection.state === "disconnected") {
      return wanted ? "asked for when you connect" : "";
    }
    if (feature.granted) {
      if (!wanted) { return "granted; no longer needed (reconnect to give it up)"; }
      return feature.in_base ? "granted (asked for by [oauth] scopes)" : "granted";
    }
    return wanted ? "requested, not granted yet: reconnect to grant " + feature.scope : "";
  }

  function saveFeatures(connection, changed) {
    var row = changed.closest("td");
    var keys = [];
    row.querySelectorAll("input[data-feature]").forEach(function (box) {
      if (box.checked && !box.disabled) { keys.push(box.getAttribute("data-feature")); }
    });
    row.querySelectorAll("input[data-feature]").forEach(function (box) { box.disabled = true; });
    var focusId = changed.id;
    api("POST", "connections/" + encodeURIComponent(connection.name) + "/features",
      { features: keys.join(",") }).then(function (data) {
      var saved = data.connection;
      var feature = saved.features.filter(function (f) {
        return f.key === changed.getAttribute("data-feature");
      })[0];
      var what = featureLabel(feature) + (feature.requested ? " turned on" : " turned off") +
        " for " + saved.name;
      if (saved.missing_scopes.length) {
        what += ": reconnect to grant " + saved.missing_scopes.join(" ") + ".";
      } else if (saved.unneeded_scopes.length) {
        what += ": reconnect to give up " + saved.unneeded_scopes.join(" ") + ".";
      } else if (saved.state === "disconnected") {
        what += ": it is asked for when you connect.";
      } else {
        what += ".";
      }
      announce(what, "info");
      return refreshStatus();
    }).catch(function (error) {
      announce("Features not saved: " + error.message, "error");
      return refreshStatus();
    }).then(function () {
      var again = document.getElementById(focusId);
      if (again) { again.focus(); }
    });
  }

  function setBusy(busy) {
    ui.connectButton.disabled = busy;
    ui.connectButton.setAttribute("aria-busy", busy ? "true" : "false");
  }

  function onConnect(event) {
    event.preventDefault();
    var name = ui.name.value.trim();
    if (!ui.name.checkValidity() || !name) {
      announce("Enter a connection name: letters, digits, '_', '.' or '-'.", "error");
      ui.name.focus();
      return;
    }
    if (ui.method.value === "api_token" && !ui.apiToken.value.trim()) {
      announce("Enter the API token.", "error");
      ui.apiToken.focus();
      return;
    }
    connect(name, ui.region.value, ui.method.value,
      ui.method.value === "api_token" ? null : chosenNewFeatures());
  }

  // features: comma-separated keys to store with the connection; null keeps its own.
  function connect(name, region, method, features) {
    stopFlowTimers();
    setBusy(true);
    announce("Connecting " + name + "…", "info");
    var params = { name: name, region: region, auth_method: method };
    if (features !== null && features !== undefined) { params.features = features; }
    api("POST", "connections", params)
      .then(function () {
        if (method === "device_code") { return startDeviceFlow(name); }
        if (method === "authorization_code") { return startAuthorizationCode(name); }
        return connectApiToken(name);
      })
      .catch(function (error) { showFlowError(name, error.message, region, method); })
      .then(function () { setBusy(false); });
  }

  // ---------------------------------------------------------------- device flow

  function startDeviceFlow(name) {
    return api("POST", "connections/" + encodeURIComponent(name) + "/device").then(function (data) {
      showDeviceCode(name, data);
    });
  }

  function showDeviceCode(name, data) {
    flow.name = name;
    flow.errors = 0;
    var expiresAt = Date.now() + data.expires_in * 1000;
    var code = el("output", { className: "te-user-code", id: "te-user-code", text: data.user_code });
    var copy = el("button", {
      type: "button", className: "te-button", text: "Copy code",
      onclick: function () { copyCode(data.user_code, copy); },
    });
    var link = el("a", {
      href: data.verification_uri_complete || data.verification_uri,
      target: "_blank", rel: "noopener noreferrer", className: "te-button te-primary",
      id: "te-verification-link", text: "Open ThousandEyes to approve",
    });
    var countdown = el("span", { className: "te-countdown", id: "te-countdown" });
    var heading = el("h3", { tabindex: "-1", text: "Approve the connection at ThousandEyes" });
    var waiting = el("p", { className: "te-waiting" }, [
      el("span", { className: "te-spinner", "aria-hidden": "true" }),
      el("span", { id: "te-flow-message", text: "Waiting for approval…" }),
    ]);
    clear(ui.flow);
    ui.flow.hidden = false;
    ui.flow.appendChild(heading);
    ui.flow.appendChild(el("p", {
      text: "Open the link, sign in and confirm. If ThousandEyes asks for a code, enter:",
    }));
    ui.flow.appendChild(el("div", { className: "te-code-row" }, [code, copy]));
    ui.flow.appendChild(el("p", {}, [link, " ",
      el("span", { className: "te-hint", text: "or go to " + data.verification_uri }),
    ]));
    ui.flow.appendChild(waiting);
    ui.flow.appendChild(el("p", { className: "te-hint" }, ["Code expires in ", countdown]));
    ui.flow.appendChild(el("div", { className: "te-actions" }, [
      el("button", { type: "button", className: "te-button", text: "Cancel",
        onclick: function () { cancelDeviceFlow(name); } }),
    ]));
    var tick = function () {
      var left = (expiresAt - Date.now()) / 1000;
      countdown.textContent = formatDuration(left);
      if (left <= 0) { clearInterval(flow.countdown); flow.countdown = null; }
    };
    tick();
    flow.countdown = setInterval(tick, 1000);
    announce("Enter code " + data.user_code + " at ThousandEyes to connect " + name + ".", "info");
    heading.focus();
    schedulePoll(name, data.interval);
  }

  function copyCode(code, button) {
    var done = function () {
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = "Copy code"; }, 2000);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(code).then(done, function () { selectCode(); });
    } else {
      selectCode();
    }
  }

  function selectCode() {
    var node = document.getElementById("te-user-code");
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    announce("Press Ctrl+C to copy the selected code.", "info");
  }

  function schedulePoll(name, seconds) {
    flow.timer = setTimeout(function () { poll(name); }, Math.max(1, seconds || 5) * 1000);
  }

  function poll(name) {
    flow.timer = null;
    api("POST", "connections/" + encodeURIComponent(name) + "/poll").then(function (data) {
      flow.errors = 0;
      if (data.state === "pending") {
        schedulePoll(name, data.interval);
        return;
      }
      stopFlowTimers();
      if (data.state === "connected") { showConnected(data.message); }
      else { showFlowError(name, data.message, null, "device_code", data.state); }
    }).catch(function (error) {
      flow.errors += 1;
      if (flow.errors >= MAX_POLL_ERRORS) {
        stopFlowTimers();
        showFlowError(name, error.message, null, "device_code");
      } else {
        schedulePoll(name, 5);
      }
    });
  }

  function cancelDeviceFlow(name) {
    stopFlowTimers();
    api("DELETE", "connections/" + encodeURIComponent(name) + "/device").catch(function () {});
    clear(ui.flow);
    ui.flow.hidden = true;
    announce("Authorization cancelled.", "info");
    ui.connectButton.focus();
  }

  // ---------------------------------------------------------------- other methods

  function callbackUrl() {
    return window.location.origin + te.addonBase() + "oauth/callback";
  }

  function startAuthorizationCode(name) {
    return te.configReady.then(function () {
      return api("POST", "connections/" + encodeURIComponent(name) + "/authorize", {
        redirect_uri: callbackUrl(),
      });
    }).then(function (data) {
      announce("Opening ThousandEyes sign-in…", "info");
      window.location.assign(data.authorize_url);
    });
  }

  function connectApiToken(name) {
    var token = ui.apiToken.value.trim();
    return api("POST", "connections/" + encodeURIComponent(name) + "/token", { api_token: token })
      .then(function (data) {
        ui.apiToken.value = "";
        showConnected(data.message);
      });
  }

  // ---------------------------------------------------------------- outcomes

  function showConnected(message) {
    clear(ui.flow);
    ui.flow.hidden = false;
    var heading = el("h3", { tabindex: "-1", className: "te-ok", id: "te-connected", text: message });
    ui.flow.appendChild(heading);
    announce(message, "ok");
    heading.focus();
    refreshStatus();
  }

  function showFlowError(name, message, region, method, state) {
    stopFlowTimers();
    clear(ui.flow);
    ui.flow.hidden = false;
    var title = state === "denied" ? "Authorization denied" :
      state === "expired" ? "The code expired" : "Could not connect";
    var heading = el("h3", { tabindex: "-1", className: "te-error", text: title });
    var again = el("button", {
      type: "button", className: "te-button te-primary", id: "te-try-again", text: "Try again",
      onclick: function () {
        connect(name, region || ui.region.value, method || ui.method.value);
      },
    });
    ui.flow.appendChild(heading);
    ui.flow.appendChild(el("p", { id: "te-flow-error", text: message || "" }));
    ui.flow.appendChild(el("div", { className: "te-actions" }, [again]));
    announce(title + ": " + (message || ""), "error");
    again.focus();
  }

  // ---------------------------------------------------------------- status table

  function buildStatusSection() {
    ui.table = el("tbody");
    ui.empty = el("p", { className: "te-hint", text: "No connection yet." });
    ui.statusTable = el("table", { className: "te-table" }, [
      el("caption", { className: "te-visually-hidden", text: "ThousandEyes connections" }),
      el("thead", {}, [el("tr", {}, ["Connection", "Region", "Connected as", "Account groups",
        "Token", "Optional features", "Inputs (last successful run)", "Actions"].map(function (text) {
        return el("th", { scope: "col", text: text });
      }))]),
      ui.table,
    ]);
    ui.statusHeading = el("h2", { id: "te-status-title", tabindex: "-1", text: "Connections" });
    return el("section", { className: "te-card", "aria-labelledby": "te-status-title" }, [
      ui.statusHeading,
      el("div", { className: "te-table-wrap" }, [ui.statusTable]),
      ui.empty,
    ]);
  }

  function stateText(connection) {
    return {
      connected: "Connected",
      needs_reauthorization: "Needs re-authorization",
      disconnected: "Logged out",
      error: "Error",
    }[connection.state] || connection.state;
  }

  function tokenCell(connection) {
    var cell = el("td", { className: "te-token" });
    cell.appendChild(el("span", { className: "te-badge te-badge-" + connection.state,
      text: stateText(connection) }));
    if (connection.state === "connected") {
      if (connection.token_expiry) {
        cell.appendChild(el("div", { text: "Valid until " + formatTime(connection.token_expiry) }));
      } else if (connection.auth_method === "api_token") {
        cell.appendChild(el("div", { text: "API token (no expiry)" }));
      }
      if (connection.last_refresh) {
        cell.appendChild(el("div", { className: "te-hint",
          text: "Last refresh " + formatTime(connection.last_refresh) }));
      }
    }
    if (connection.error) {
      cell.appendChild(el("div", { className: "te-hint te-error", text: connection.error }));
    }
    return cell;
  }

  function inputsCell(connection) {
    var cell = el("td");
    if (!connection.inputs.length) {
      cell.appendChild(el("span", { className: "te-hint", text: "No inputs" }));
      return cell;
    }
    var list = el("ul", { className: "te-list" });
    connection.inputs.forEach(function (input) {
      var when = input.last_success ? formatTime(input.last_success) : "no successful run yet";
      list.appendChild(el("li", {
        text: input.name + (input.disabled ? " (disabled)" : "") + " — " + when,
      }));
    });
    cell.appendChild(list);
    return cell;
  }

  function actionsCell(connection) {
    var cell = el("td", { className: "te-row-actions" });
    var label = connection.name;
    if (connection.state === "needs_reauthorization" || connection.state === "disconnected" ||
        connection.state === "error") {
      cell.appendChild(el("button", {
        type: "button", className: "te-button te-primary",
        text: connection.state === "disconnected" ? "Connect" : "Reconnect",
        "aria-label": (connection.state === "disconnected" ? "Connect " : "Reconnect ") + label,
        onclick: function () { reconnect(connection); },
      }));
    } else if (connection.state === "connected" && connection.missing_scopes.length) {
      var grant = "Reconnect to grant " + connection.missing_scopes.join(" ");
      cell.appendChild(el("button", {
        type: "button", className: "te-button te-primary te-grant", text: grant,
        "aria-label": grant + " to " + label,
        onclick: function () { reconnect(connection); },
      }));
    } else if (connection.state === "connected" && connection.unneeded_scopes.length) {
      var giveUp = "Reconnect to give up " + connection.unneeded_scopes.join(" ");
      cell.appendChild(el("button", {
        type: "button", className: "te-button te-grant", text: giveUp,
        "aria-label": giveUp + " for " + label,
        onclick: function () { reconnect(connection); },
      }));
    }
    if (connection.state !== "disconnected") {
      var logout = el("button", {
        type: "button", className: "te-button te-danger", text: "Log out",
        "aria-label": "Log out " + label,
        onclick: function () { confirmLogout(connection, logout); },
      });
      cell.appendChild(logout);
    }
    return cell;
  }

  function renderConnections(connections) {
    clear(ui.table);
    ui.empty.hidden = connections.length > 0;
    ui.statusTable.hidden = connections.length === 0;
    connections.forEach(function (connection) {
      var groups = connection.account_groups.map(function (group) { return group.name; });
      ui.table.appendChild(el("tr", { "data-connection": connection.name }, [
        el("th", { scope: "row", text: connection.name }),
        el("td", { text: connection.region_label || connection.region }),
        el("td", { text: connection.user_email || "—" }),
        el("td", { text: groups.length ? groups.join(", ") : "—" }),
        tokenCell(connection),
        featuresCell(connection),
        inputsCell(connection),
        actionsCell(connection),
      ]));
    });
  }

  function refreshStatus() {
    return api("GET", "connections").then(function (data) {
      if (!featureCatalog.length && data.features) {
        featureCatalog = data.features;
        showNewFeatures();
      }
      renderConnections(data.connections || []);
      // The Streams section (streams.js) follows connections and their features.
      document.dispatchEvent(new CustomEvent("ta-thousandeyes-connections",
        { detail: data.connections || [] }));
    }).catch(function (error) {
      announce("Could not load the connections: " + error.message, "error");
    });
  }

  function reconnect(connection) {
    ui.name.value = connection.name;
    ui.region.value = connection.region;
    ui.method.value = connection.auth_method;
    syncMethod();
    // The form shows what this connection asks for, so a later Connect keeps it.
    ui.newFeatureList.querySelectorAll("input[data-feature]").forEach(function (box) {
      box.checked = connection.features.some(function (feature) {
        return feature.key === box.getAttribute("data-feature") && feature.requested;
      });
    });
    if (connection.auth_method === "api_token") {
      announce("Enter a new API token for " + connection.name + ".", "info");
      ui.apiToken.focus();
      return;
    }
    connect(connection.name, connection.region, connection.auth_method);
  }

  // ---------------------------------------------------------------- log out

  function buildDialog() {
    ui.dialogText = el("p", { id: "te-dialog-text" });
    ui.dialogConfirm = el("button", { type: "button", className: "te-button te-danger",
      id: "te-dialog-confirm", text: "Log out" });
    ui.dialogCancel = el("button", { type: "button", className: "te-button",
      id: "te-dialog-cancel", text: "Cancel" });
    ui.dialog = el("dialog", { className: "te-dialog", "aria-labelledby": "te-dialog-title",
      "aria-describedby": "te-dialog-text" }, [
      el("h2", { id: "te-dialog-title", text: "Log out of ThousandEyes?" }),
      ui.dialogText,
      el("div", { className: "te-actions" }, [ui.dialogCancel, ui.dialogConfirm]),
    ]);
    ui.dialogCancel.addEventListener("click", function () { ui.dialog.close("cancel"); });
    return ui.dialog;
  }

  function confirmLogout(connection, opener) {
    ui.dialogText.textContent = "The add-on forgets the tokens of \u201c" + connection.name +
      "\u201d and asks ThousandEyes to revoke them. Its inputs stop until you connect again.";
    ui.dialogConfirm.onclick = function () {
      ui.dialog.close("confirm");
      logout(connection.name);
    };
    ui.dialog.onclose = function () {
      if (ui.dialog.returnValue !== "confirm" && document.body.contains(opener)) { opener.focus(); }
    };
    ui.dialog.returnValue = "";
    ui.dialog.showModal();
    ui.dialogCancel.focus();
  }

  function logout(name) {
    stopFlowTimers();
    clear(ui.flow);
    ui.flow.hidden = true;
    announce("Logging out " + name + "…", "info");
    api("POST", "connections/" + encodeURIComponent(name) + "/logout").then(function (data) {
      var message = data.message + " of " + name +
        (data.revoked ? "; ThousandEyes revoked the tokens." : "; the tokens were forgotten.");
      announce(message, "ok");
      return refreshStatus();
    }).catch(function (error) {
      announce("Log out failed: " + error.message, "error");
    }).then(function () { ui.statusHeading.focus(); });
  }

  // ---------------------------------------------------------------- settings

  function buildSettingsSection() {
    ui.s = {
      proxy_enabled: el("input", { type: "checkbox" }),
      proxy_scheme: select([{ key: "http", label: "http" }, { key: "https", label: "https" }], "http"),
      proxy_host: el("input", { type: "text", autocomplete: "off", spellcheck: "false" }),
      proxy_port: el("input", { type: "number", min: "1", max: "65535", inputmode: "numeric" }),
      proxy_username: el("input", { type: "text", autocomplete: "off", spellcheck: "false" }),
      proxy_password: el("input", { type: "password", autocomplete: "new-password" }),
      proxy_password_clear: el("input", { type: "checkbox" }),
      ca_bundle: el("input", { type: "text", autocomplete: "off", spellcheck: "false",
        placeholder: "/opt/splunk/etc/auth/corp-ca.pem" }),
      log_level: select(LOG_LEVELS.map(function (level) { return { key: level, label: level }; }), "INFO"),
      client_id: el("input", { type: "text", autocomplete: "off", spellcheck: "false" }),
    };
    ui.passwordState = el("p", { id: "te-s-password-state", className: "te-hint" });
    ui.saveButton = el("button", { type: "submit", className: "te-button te-primary", text: "Save settings" });
    var checkbox = function (id, text, control) {
      control.id = id;
      return el("div", { className: "te-field te-check" }, [control, el("label", { "for": id, text: text })]);
    };
    var form = el("form", { className: "te-form", novalidate: true, onsubmit: onSaveSettings }, [
      el("fieldset", {}, [
        el("legend", { text: "Proxy" }),
        checkbox("te-s-proxy-enabled", "Use a proxy for ThousandEyes", ui.s.proxy_enabled),
        field("te-s-proxy-scheme", "Proxy scheme", ui.s.proxy_scheme),
        field("te-s-proxy-host", "Proxy host", ui.s.proxy_host),
        field("te-s-proxy-port", "Proxy port", ui.s.proxy_port),
        field("te-s-proxy-username", "Proxy user", ui.s.proxy_username),
        field("te-s-proxy-password", "Proxy password", ui.s.proxy_password,
          "Stored encrypted. Leave empty to keep the current password."),
        ui.passwordState,
        checkbox("te-s-proxy-password-clear", "Remove the stored proxy password", ui.s.proxy_password_clear),
      ]),
      el("fieldset", {}, [
        el("legend", { text: "TLS, logging and OAuth client" }),
        field("te-s-ca-bundle", "CA bundle path", ui.s.ca_bundle,
          "Absolute path of a PEM file on this Splunk server; empty uses the bundled CAs."),
        field("te-s-log-level", "Log level", ui.s.log_level),
        field("te-s-client-id", "OAuth client id", ui.s.client_id,
          "Only for a client registered with ThousandEyes; empty registers one automatically where offered."),
      ]),
      el("div", { className: "te-actions" }, [ui.saveButton]),
    ]);
    return el("section", { className: "te-card", "aria-labelledby": "te-settings-title" }, [
      el("h2", { id: "te-settings-title", text: "Settings" }),
      form,
    ]);
  }

  function showSettings(settings) {
    ui.s.proxy_enabled.checked = !!settings.proxy_enabled;
    ui.s.proxy_scheme.value = settings.proxy_scheme || "http";
    ui.s.proxy_host.value = settings.proxy_host || "";
    ui.s.proxy_port.value = settings.proxy_port || "";
    ui.s.proxy_username.value = settings.proxy_username || "";
    ui.s.proxy_password.value = "";
    ui.s.proxy_password_clear.checked = false;
    ui.passwordState.textContent = "Proxy password: " + settings.proxy_password;
    ui.s.ca_bundle.value = settings.ca_bundle || "";
    ui.s.log_level.value = settings.log_level || "INFO";
    ui.s.client_id.value = settings.client_id || "";
  }

  function onSaveSettings(event) {
    event.preventDefault();
    var values = {
      proxy_enabled: ui.s.proxy_enabled.checked ? "1" : "0",
      proxy_scheme: ui.s.proxy_scheme.value,
      proxy_host: ui.s.proxy_host.value.trim(),
      proxy_port: ui.s.proxy_port.value.trim(),
      proxy_username: ui.s.proxy_username.value.trim(),
      proxy_password_clear: ui.s.proxy_password_clear.checked ? "1" : "0",
      ca_bundle: ui.s.ca_bundle.value.trim(),
      log_level: ui.s.log_level.value,
      client_id: ui.s.client_id.value.trim(),
    };
    if (ui.s.proxy_password.value) { values.proxy_password = ui.s.proxy_password.value; }
    ui.saveButton.disabled = true;
    api("POST", "settings", values).then(function (data) {
      showSettings(data.settings);
      announce(data.message, "ok");
    }).catch(function (error) {
      announce("Settings not saved: " + error.message, "error");
    }).then(function () { ui.saveButton.disabled = false; });
  }

  // ---------------------------------------------------------------- start

  function showCallbackOutcome() {
    var params = new URLSearchParams(window.location.search);
    var outcome = params.get("auth");
    if (!outcome) { return; }
    var name = params.get("connection") || "";
    var messages = {
      connected: "Connected " + name + ".",
      denied: "The ThousandEyes user denied the authorization of " + name + ".",
      expired: "The authorization of " + name + " expired before it finished; try again.",
      error: "The authorization did not complete; try again.",
    };
    announce(messages[outcome] || messages.error, outcome === "connected" ? "ok" : "error");
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }

  function start(root) {
    clear(root);
    root.classList.add("te-setup");
    ui.status = el("p", { id: "te-status", className: "te-status", role: "status",
      "aria-live": "polite" });
    root.removeAttribute("aria-live");
    root.appendChild(el("p", { className: "te-intro",
      text: "Connect Splunk to Cisco ThousandEyes, check each connection's health and manage settings." }));
    root.appendChild(ui.status);
    root.appendChild(buildConnectSection());
    root.appendChild(buildStatusSection());
    root.appendChild(buildSettingsSection());
    root.appendChild(buildDialog());
    showCallbackOutcome();
    api("GET", "regions").then(function (data) {
      clear(ui.region);
      (data.regions || []).forEach(function (region) {
        regionLabels[region.key] = region.label;
        ui.region.appendChild(el("option", { value: region.key, text: region.label }));
      });
    }).catch(function (error) { announce("Could not load regions: " + error.message, "error"); });
    refreshStatus();
    api("GET", "settings").then(function (data) { showSettings(data.settings); })
      .catch(function (error) { announce("Could not load settings: " + error.message, "error"); });
  }

  function main(common) {
    te = common;
    api = te.api;
    el = te.el;
    field = te.field;
    select = te.select;
    clear = te.clear;
    formatTime = te.formatTime;
    formatDuration = te.formatDuration;
    te.boot(ROOT_ID, start);
  }

  (window.TAThousandEyesPages = window.TAThousandEyesPages || []).push(main);  // te_common.js
})();
