/* The ticket page: its forms post with fetch and the parts that changed are replaced in
   place, so the page keeps its scroll position, the focus and whatever was typed
   elsewhere. The server answers as it does without JavaScript (a redirect to the page,
   or the page with the error); the parts are the elements marked data-deel. The CSRF
   token travels in the form's own field, as in a plain POST. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData || !window.URLSearchParams) { return; }
  var FIELDS = "input, select, textarea, button";
  var announcer = document.getElementById("ticket-bericht");

  // Clear first: the same text twice ("Notitie opgeslagen.") is announced twice.
  function announce(text, failed) {
    if (!announcer) { return; }
    announcer.textContent = "";
    announcer.setAttribute("data-soort", failed ? "fout" : "gelukt");
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function regionOf(node) { return node && node.closest ? node.closest("[data-deel]") : null; }
  function part(name) { return document.querySelector('[data-deel="' + name + '"]'); }
  function nth(region, selector, index) {
    var list = region.querySelectorAll(selector);
    return index >= 0 && index < list.length ? list[index] : null;
  }
  function indexIn(region, selector, node) {
    return Array.prototype.indexOf.call(region.querySelectorAll(selector), node);
  }

  // What was typed but not sent (a half-written note while the status changes) stays.
  function typed(region) {
    var values = {};
    Array.prototype.forEach.call(region.querySelectorAll("input[id], textarea[id]"), function (field) {
      if (field.type !== "hidden" && field.value !== field.defaultValue) { values[field.id] = field.value; }
    });
    return values;
  }
  function restore(region, values) {
    Object.keys(values).forEach(function (id) {
      var field = region.querySelector("#" + CSS.escape(id));
      if (field) { field.value = values[id]; }
    });
  }

  // Replace every part that changed, and always the one of the form that was sent.
  function replaceParts(doc, form, ok, active) {
    var sent = regionOf(form);
    var sentName = sent.getAttribute("data-deel");
    var formIndex = indexIn(sent, "form", form);
    var anchorTop = form.getBoundingClientRect().top;
    var activeRegion = regionOf(active);
    var focusName = activeRegion ? activeRegion.getAttribute("data-deel") : null;
    var focusIndex = activeRegion ? indexIn(activeRegion, FIELDS, active) : -1;
    Array.prototype.forEach.call(document.querySelectorAll("[data-deel]"), function (old) {
      var fresh = doc.querySelector('[data-deel="' + old.getAttribute("data-deel") + '"]');
      if (!fresh || (old !== sent && fresh.outerHTML === old.outerHTML)) { return; }
      // A refused form keeps its input too: the page with the error echoes only part of it.
      var keep = old !== sent || !ok ? typed(old) : {};
      var adopted = document.importNode(fresh, true);
      old.replaceWith(adopted);
      restore(adopted, keep);
    });
    var region = part(sentName);
    var again = region ? nth(region, "form", formIndex) : null;
    // The form stays where it was on the screen, whatever grew above it.
    if (again) { window.scrollBy(0, again.getBoundingClientRect().top - anchorTop); }
    var error = region ? region.querySelector(".fout") : null;
    var target = focusName ? part(focusName) : null;
    var focus = null;
    if (!ok && region) { focus = region.querySelector("[aria-invalid=true]"); }
    if (!focus && target) { focus = nth(target, FIELDS, focusIndex); }
    if (focus && focus !== document.activeElement) { focus.focus({ preventScroll: true }); }
    if (error && !ok) { error.scrollIntoView({ block: "nearest" }); }
    return error ? error.textContent.trim() : "";
  }

  function settle(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    Array.prototype.forEach.call(form.querySelectorAll("button"), function (b) { b.disabled = busy; });
  }

  function body(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || null); } catch (ignored) { data = new FormData(form); }
    return new URLSearchParams(data);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post" || !regionOf(form)) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }  // no second note on a double click
    var sending = body(form, event.submitter);
    // Taken before the buttons are disabled: a disabled button loses the focus.
    var active = document.activeElement;
    settle(form, true);
    fetch(form.action, {
      method: "POST",
      body: sending,
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      // Sent somewhere else (signed out, say): go there, as the plain form would.
      if (response.redirected && new URL(response.url).pathname !== window.location.pathname) {
        window.location.assign(response.url);
        return null;
      }
      return response.text().then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var ok = response.ok;
        if (!doc.querySelector("[data-deel]")) {
          settle(form, false);
          var said = (doc.body ? doc.body.textContent : html).trim().slice(0, 300);
          announce("Niet opgeslagen (" + response.status + "): " + said, true);
          return;
        }
        var error = replaceParts(doc, form, ok, active);
        if (form.isConnected) { settle(form, false); }
        if (ok) {
          announce(form.getAttribute("data-gelukt") || "Opgeslagen.", false);
        } else {
          announce("Niet opgeslagen: " + (error || "de console weigerde het formulier."), true);
        }
      });
    }).catch(function () {
      settle(form, false);
      announce("Niet opgeslagen: geen verbinding met de console. Wat u invulde staat er nog; probeer het opnieuw.", true);
    });
  });
})();
