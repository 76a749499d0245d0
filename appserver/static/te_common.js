// Helpers shared by the add-on's pages (setup, streams, inputs): Splunk Web's settings ($C), REST
// calls through Splunk Web's CSRF-protected splunkd proxy, and DOM building that inserts every
// text from the server with textContent. A page script hands its start function to the queue
//   (window.TAThousandEyesPages = window.TAThousandEyesPages || []).push(main);
// which works whichever script Splunk Web runs first: functions queued before this script ran
// start when it does, later ones at once; each gets the helpers as its argument.
(function () {
  "use strict";

  var APP = "TA-thousandeyes";

  // ---------------------------------------------------------------- Splunk Web settings

  // Splunk Web's own settings ($C): its root path (web.conf root_endpoint), the locale and the
  // port its cookies are named after, which behind a proxy is not the address bar's port.
  // Dashboards load $C from <root>/<locale>/config?autoload=1; without it, ask /config next to
  // the URL this script was served from (<root>/<locale>/static/app/<app>/te_common.js).
  var SCRIPT_URL = document.currentScript ? document.currentScript.src : "";
  var splunkConfig = null;

  function configUrl() {
    var path = new URL(SCRIPT_URL || window.location.href).pathname;
    var cut = path.indexOf("/static/");
    return (cut >= 0 ? path.slice(0, cut) : "") + "/config";
  }

  function hasConfig(values) {
    return Boolean(values && values.MRSPARKLE_PORT_NUMBER && values.LOCALE &&
      typeof values.MRSPARKLE_ROOT_PATH === "string");
  }

  function loadConfig() {
    if (hasConfig(window.$C)) { return Promise.resolve(window.$C); }
    return fetch(configUrl(), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) { throw new Error("Splunk Web answered HTTP " + response.status); }
        return response.json();
      }).then(function (values) {
        if (!hasConfig(values)) { throw new Error("Splunk Web sent no usable configuration"); }
        return values;
      });
  }

  var configReady = loadConfig().then(function (values) {
    splunkConfig = values;
    return values;
  });

  // ---------------------------------------------------------------- REST access

  // splunkd in the app's namespace, through Splunk Web's proxy.
  function splunkdBase() {
    return splunkConfig.MRSPARKLE_ROOT_PATH + "/" + encodeURIComponent(splunkConfig.LOCALE) +
      "/splunkd/__raw/servicesNS/nobody/" + APP + "/";
  }

  function cookie(name) {
    var parts = document.cookie ? document.cookie.split(";") : [];
    for (var i = 0; i < parts.length; i++) {
      var pair = parts[i].trim();
      var eq = pair.indexOf("=");
      if (eq > 0 && pair.slice(0, eq) === name) {
        return decodeURIComponent(pair.slice(eq + 1));
      }
    }
    return "";
  }

  function formKey() {
    return cookie("splunkweb_csrf_token_" + splunkConfig.MRSPARKLE_PORT_NUMBER);
  }

  // params: an object, or a list of [key, value] pairs (repeated keys, order kept).
  function appendAll(target, params) {
    if (Array.isArray(params)) {
      params.forEach(function (pair) { target.append(pair[0], pair[1]); });
    } else {
      Object.keys(params || {}).forEach(function (key) { target.set(key, params[key]); });
    }
  }

  function send(method, url, params) {
    var query = new URLSearchParams({ output_mode: "json" });
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "XMLHttpRequest" },
      cache: "no-store",
    };
    if (method === "GET") {
      appendAll(query, params);
    } else {
      var body = new URLSearchParams({ output_mode: "json" });
      appendAll(body, params);
      options.body = body.toString();
      options.headers["Content-Type"] = "application/x-www-form-urlencoded";
      options.headers["X-Splunk-Form-Key"] = formKey();
    }
    return fetch(url + "?" + query.toString(), options).then(function (response) {
      return response.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : {}; } catch (ignored) { data = null; }
        if (!response.ok) {
          var message = (data && data.error) ||
            (data && data.messages && data.messages[0] && data.messages[0].text) ||
            ("The server answered HTTP " + response.status);
          var error = new Error(message);
          error.status = response.status;
          throw error;
        }
        if (data === null) { throw new Error("The server sent an unreadable answer"); }
        return data;
      });
    });
  }

  // The add-on's own endpoints (ta_thousandeyes/<path>); addonBase() once configReady.
  function addonBase() {
    return splunkdBase() + "ta_thousandeyes/";
  }

  function api(method, path, params) {
    return configReady.then(function () { return send(method, addonBase() + path, params); });
  }

  // splunkd's endpoints in the app's namespace (e.g. data/inputs/<scheme>).
  function splunkd(method, path, params) {
    return configReady.then(function () { return send(method, splunkdBase() + path, params); });
  }

  // Every entry of a splunkd listing: count=0 asks for all, and paging goes on while splunkd
  // reports more than arrived (a listing answers 30 entries unless told otherwise).
  function listAll(path, params) {
    var entries = [];
    function page(offset) {
      var query = Object.assign({}, params || {}, { count: "0", offset: String(offset) });
      return splunkd("GET", path, query).then(function (data) {
        var got = data.entry || [];
        entries = entries.concat(got);
        var total = data.paging && typeof data.paging.total === "number" ? data.paging.total : 0;
        if (got.length && entries.length < total) { return page(entries.length); }
        return entries;
      });
    }
    return page(0);
  }

  // ---------------------------------------------------------------- DOM helpers

  // el("div", {className: "x", text: "..."}, [children]): text always via textContent.
  function el(tag, props, children) {
    var node = document.createElement(tag);
    Object.keys(props || {}).forEach(function (key) {
      var value = props[key];
      if (key === "text") { node.textContent = value; }
      else if (key === "className") { node.className = value; }
      else if (key.slice(0, 2) === "on") { node.addEventListener(key.slice(2), value); }
      else if (value === true) { node.setAttribute(key, ""); }
      else if (value !== false && value !== null && value !== undefined) {
        node.setAttribute(key, String(value));
      }
    });
    (children || []).forEach(function (child) {
      if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    });
    return node;
  }

  function field(id, labelText, control, hint) {
    control.id = id;
    var children = [el("label", { "for": id, text: labelText }), control];
    if (hint) {
      var hintId = id + "-hint";
      control.setAttribute("aria-describedby", hintId);
      children.push(el("p", { id: hintId, className: "te-hint", text: hint }));
    }
    return el("div", { className: "te-field" }, children);
  }

  function select(options, value) {
    var node = el("select");
    options.forEach(function (option) {
      var item = el("option", { value: option.key, text: option.label });
      if (option.key === value) { item.selected = true; }
      node.appendChild(item);
    });
    return node;
  }

  function clear(node) {
    while (node.firstChild) { node.removeChild(node.firstChild); }
  }

  function formatTime(epochSeconds) {
    if (!epochSeconds) { return ""; }
    return new Date(epochSeconds * 1000).toLocaleString();
  }

  function formatDuration(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var minutes = Math.floor(s / 60);
    var rest = s % 60;
    return minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  // Splunk Web may run a page's script before or after it renders the <html> panel.
  function boot(rootId, start) {
    function attempt() {
      var root = document.getElementById(rootId);
      if (root) { start(root); return true; }
      return false;
    }
    if (!attempt()) {
      var observer = new MutationObserver(function () {
        if (attempt()) { observer.disconnect(); }
      });
      observer.observe(document.documentElement, { childList: true, subtree: true });
    }
  }

  var shared = {
    APP: APP,
    configReady: configReady,
    addonBase: addonBase,
    api: api,
    splunkd: splunkd,
    listAll: listAll,
    el: el,
    field: field,
    select: select,
    clear: clear,
    formatTime: formatTime,
    formatDuration: formatDuration,
    boot: boot,
  };
  window.TAThousandEyes = shared;

  // One page's failure to start must not keep the others from starting; it is still reported.
  function startPage(main) {
    try { main(shared); }
    catch (error) { setTimeout(function () { throw error; }, 0); }
  }

  var queued = window.TAThousandEyesPages;
  window.TAThousandEyesPages = {
    push: function () {
      Array.prototype.forEach.call(arguments, startPage);
      return 0;
    },
  };
  if (Array.isArray(queued)) { queued.forEach(startPage); }
})();
