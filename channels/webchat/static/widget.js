/* Meldkamer web chat widget. Embed with one tag:
 *   <script src="https://SERVER/webhooks/webchat/widget.js" data-site-key="SITE-KEY" defer></script>
 * No build step, no dependencies. Accessible (WCAG 2.1 AA): the message list is a
 * polite live region, every control is a real button or labelled input, and all of it
 * works by keyboard. The conversation survives a page reload (history from the server).
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var siteKey = script.getAttribute("data-site-key") || "";
  var base = (script.getAttribute("data-server") || new URL(script.src).origin) + "/webhooks/webchat";
  var title = script.getAttribute("data-title") || "Storing melden";
  var storeKey = "meldkamer:" + siteKey;
  var state = { session: null, source: null, waiting: 0, seen: {}, open: false };

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify({ session: state.session, open: state.open })); } catch (e) { /* private mode */ }
  }

  var css = el("link", { rel: "stylesheet", href: base + "/widget.css" });
  document.head.appendChild(css);

  var root = el("div", { "class": "mk-root" });
  var launcher = el("button", { type: "button", "class": "mk-launcher", "aria-expanded": "false", "aria-controls": "mk-panel" }, "Storing melden");
  var panel = el("section", { id: "mk-panel", "class": "mk-panel", "aria-label": title, hidden: "" });
  var header = el("div", { "class": "mk-header" });
  var titles = el("div", { "class": "mk-titles" });
  titles.appendChild(el("h2", { "class": "mk-title" }, title));
  // In view all the time: the chat is a computer, and danger goes to 112, not to a chat.
  // Who answers now: the assistant, or the agent who took over (named by the agent's messages).
  var sub = el("p", { "class": "mk-sub" }, "Digitale assistent · Bij gevaar: bel 112");
  titles.appendChild(sub);
  var close = el("button", { type: "button", "class": "mk-close", "aria-label": "Chat sluiten" }, "×");
  header.appendChild(titles); header.appendChild(close);
  var log = el("div", { "class": "mk-log", role: "log", "aria-live": "polite", "aria-label": "Gesprek", tabindex: "0" });
  var typing = el("p", { "class": "mk-typing", hidden: "" }, "De assistent typt…");
  var error = el("p", { "class": "mk-error", role: "alert", hidden: "" });
  var form = el("form", { "class": "mk-form" });
  var label = el("label", { "for": "mk-input", "class": "mk-label" }, "Uw bericht");
  var input = el("input", { id: "mk-input", type: "text", autocomplete: "off", maxlength: "5000", "class": "mk-input" });
  var send = el("button", { type: "submit", "class": "mk-send" }, "Verstuur");
  var photoButton = el("button", { type: "button", "class": "mk-photo" }, "Foto");
  var photoInput = el("input", { type: "file", accept: "image/*", "class": "mk-hidden", tabindex: "-1", "aria-hidden": "true", "aria-label": "Foto kiezen" });
  form.appendChild(label); form.appendChild(input); form.appendChild(send); form.appendChild(photoButton); form.appendChild(photoInput);
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(typing); panel.appendChild(error); panel.appendChild(form);
  root.appendChild(launcher); root.appendChild(panel);
  document.body.appendChild(root);

  // The newest message in view: after each message, when the styles arrive (the history
  // may render before the log has its height), when a picture loads and on reopening.
  function scrollDown() { log.scrollTop = log.scrollHeight; }
  css.addEventListener("load", scrollDown);

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  function setWaiting(on) {
    state.waiting += on ? 1 : -1;
    typing.hidden = state.waiting <= 0;
  }

  function showSpeaker(msg) {
    if (msg.from === "agent") {
      sub.textContent = "U praat met " + (msg.agent || "een medewerker") + ", medewerker van de meldkamer · Bij gevaar: bel 112";
    } else if (msg.from === "bot") {
      sub.textContent = "Digitale assistent · Bij gevaar: bel 112";
    }
  }

  function render(entryId, msg) {
    if (state.seen[entryId]) { return; }
    state.seen[entryId] = true;
    showSpeaker(msg);
    var who = msg.from === "tenant" ? "U" : (msg.from === "agent" ? "Medewerker" + (msg.agent ? " " + msg.agent : "") : "Assistent");
    var item = el("div", { "class": "mk-msg mk-" + (msg.from || "bot"), "data-id": entryId });
    if (msg.from === "agent") {
      // A person wrote this: the name in view, not only for screen readers.
      item.appendChild(el("span", { "class": "mk-name" }, who));
      item.appendChild(el("span", { "class": "mk-sr" }, ": "));
    } else {
      item.appendChild(el("span", { "class": "mk-sr" }, who + ": "));
    }
    if (msg.text) {
      msg.text.split("\n").forEach(function (line, i) {
        if (i) { item.appendChild(el("br")); }
        item.appendChild(document.createTextNode(line));
      });
    }
    if (msg.image) {
      var picture = el("img", { src: msg.image, alt: "afbeelding" });
      picture.addEventListener("load", scrollDown);
      item.appendChild(picture);
    }
    log.appendChild(item);
    // Only the newest question's buttons stay: older ones would answer a past question.
    Array.prototype.forEach.call(log.querySelectorAll(".mk-buttons"), function (old) { old.remove(); });
    if (msg.buttons && msg.buttons.length) {
      var group = el("div", { "class": "mk-buttons", role: "group", "aria-label": "Antwoordknoppen" });
      msg.buttons.forEach(function (b) {
        var button = el("button", { type: "button", "class": "mk-choice" }, b.title);
        button.addEventListener("click", function () { post(b.payload, b.title); });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
    scrollDown();
  }

  function listen() {
    if (state.source || !state.session) { return; }
    var url = base + "/events?session_id=" + encodeURIComponent(state.session);
    state.source = new EventSource(url);
    state.source.onmessage = function (event) {
      try { render(event.lastEventId, JSON.parse(event.data)); } catch (e) { /* ignore a broken event */ }
    };
  }

  // The server's answer as JSON; a refusal becomes an Error with the server's (Dutch) reason.
  function answer(r) {
    return r.json().catch(function () { return {}; }).then(function (data) {
      if (!r.ok) { throw new Error(data.error || ""); }
      return data;
    });
  }

  function request(path, body) {
    return fetch(base + path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(answer);
  }

  function ensureSession() {
    if (state.session) { return Promise.resolve(state.session); }
    return request("/session", { site_key: siteKey }).then(function (data) {
      state.session = data.session_id; save(); listen(); return state.session;
    });
  }

  // opening: the chat's own first message (the tenant typed nothing, so nothing is shown).
  function post(text, shownTitle, opening) {
    showError("");
    setWaiting(true);
    return ensureSession()
      .then(function (session) { return request("/message", { session_id: session, site_key: siteKey, text: text, title: shownTitle || null, opening: !!opening }); })
      .catch(function () { showError("Het versturen lukte niet. Controleer uw internet en probeer het opnieuw. Bij gevaar: bel 112."); })
      .then(function () { setWaiting(false); input.focus(); });
  }

  function uploadPhoto(file) {
    showError("");
    setWaiting(true);
    return ensureSession().then(function (session) {
      var data = new FormData();
      data.append("session_id", session);
      data.append("photo", file);
      return fetch(base + "/photo", { method: "POST", body: data }).then(answer);
    }).catch(function (e) {
      // A refusal has the server's reason; a network failure only the browser's (English) one.
      showError(e instanceof TypeError || !e.message ? "De foto versturen lukte niet. Probeer het opnieuw." : e.message);
    })
      .then(function () { setWaiting(false); });
  }

  // Opened by the tenant: focus goes to the input. Reopened after a reload: focus stays
  // where the page put it.
  function open(byTenant) {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    state.open = true;
    save();
    if (!state.session) { post("/greet", null, true); } else { listen(); }
    scrollDown();
    if (byTenant) { input.focus(); }
  }
  function shut() {
    panel.hidden = true;
    launcher.setAttribute("aria-expanded", "false");
    state.open = false;
    save();
    launcher.focus();
  }

  launcher.addEventListener("click", function () { if (panel.hidden) { open(true); } else { shut(); } });
  close.addEventListener("click", shut);
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape") { shut(); } });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { showError("Typ eerst een bericht."); return; }
    input.value = "";
    post(text);
  });
  photoButton.addEventListener("click", function () { photoInput.click(); });
  photoInput.addEventListener("change", function () {
    if (photoInput.files && photoInput.files[0]) { uploadPhoto(photoInput.files[0]); photoInput.value = ""; }
  });

  // After a reload: the same conversation, open again if it was open.
  var saved = load();
  if (typeof saved.session === "string" && /^web-[0-9a-f]{32}$/.test(saved.session)) {
    state.session = saved.session;
    if (saved.open) { open(false); }
  }
})();
