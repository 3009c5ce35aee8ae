/* Forms that update the page in place (the ticket and conversation pages): a form posts
   with fetch and the parts that changed are replaced, so the page keeps its scroll
   position, the focus and whatever was typed elsewhere. The server answers as it does
   without JavaScript (a redirect to the page, or the page with the error); the parts are
   the elements marked data-deel. The CSRF token travels in the form's own field, as in
   a plain POST. A redirect elsewhere (Afsluiten, signed out) is followed as a plain form
   would. The result is announced in the element marked data-aankondiging.

   A scrolling box marked data-bewaar-scroll (the transcript) keeps its position when
   its part is replaced, or stays at the bottom when it was there; an opened <details>
   stays open. After each update the event "inplace:klaar" goes to the document, with
   {form, id, ok} (the form as it is now on the page), so a page can add its own step
   (the conversation page empties and focuses the reply box). window.Meldkamer.vernieuw()
   loads the page again in the background and replaces what changed (after a status
   change seen live), keeping what was typed. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser || !window.FormData || !window.URLSearchParams) { return; }
  var FIELDS = "input, select, textarea, button";
  var announcer = document.querySelector("[data-aankondiging]");

  // Clear first: the same text twice ("Notitie opgeslagen.") is announced twice.
  function announce(text, failed) {
    if (!announcer) { return; }
    announcer.textContent = "";
    announcer.setAttribute("data-soort", failed ? "fout" : "gelukt");
    window.setTimeout(function () { announcer.textContent = text; }, 50);
  }

  function each(root, selector, fn) { Array.prototype.forEach.call(root.querySelectorAll(selector), fn); }
  function regionOf(node) { return node && node.closest ? node.closest("[data-deel]") : null; }
  function part(name) { return document.querySelector('[data-deel="' + CSS.escape(name) + '"]'); }
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
    each(region, "input[id], textarea[id]", function (field) {
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

  // Where the agent was reading: scroll boxes and opened details, by id.
  function view(region) {
    var state = { boxes: [], open: [] };
    each(region, "[data-bewaar-scroll][id]", function (box) {
      var bottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
      state.boxes.push({ id: box.id, top: box.scrollTop, bottom: bottom });
    });
    each(region, "details[open][id]", function (d) { state.open.push(d.id); });
    return state;
  }
  function reapply(region, state) {
    state.boxes.forEach(function (was) {
      var box = region.querySelector("#" + CSS.escape(was.id));
      if (box) { box.scrollTop = was.bottom ? box.scrollHeight : was.top; }
    });
    state.open.forEach(function (id) {
      var d = region.querySelector("#" + CSS.escape(id));
      if (d) { d.open = true; }
    });
  }

  // Replace every part that changed, and always the one of the form that was sent.
  function swap(doc, sent, ok) {
    each(document, "[data-deel]", function (old) {
      var fresh = doc.querySelector('[data-deel="' + CSS.escape(old.getAttribute("data-deel")) + '"]');
      if (!fresh || (old !== sent && fresh.outerHTML === old.outerHTML)) { return; }
      // A refused form keeps its input too: the page with the error echoes only part of it.
      var keep = old !== sent || !ok ? typed(old) : {};
      var seen = view(old);
      var adopted = document.importNode(fresh, true);
      old.replaceWith(adopted);
      restore(adopted, keep);
      reapply(adopted, seen);
    });
  }

  function focusState(active) {
    var region = regionOf(active);
    return {
      name: region ? region.getAttribute("data-deel") : null,
      index: region ? indexIn(region, FIELDS, active) : -1
    };
  }
  function refocus(state, preferred) {
    var target = state.name ? part(state.name) : null;
    var focus = preferred || (target ? nth(target, FIELDS, state.index) : null);
    if (focus && focus !== document.activeElement) { focus.focus({ preventScroll: true }); }
  }

  function replaceParts(doc, form, ok, active) {
    var sent = regionOf(form);
    var sentName = sent.getAttribute("data-deel");
    var formIndex = indexIn(sent, "form", form);
    var formId = form.id;
    var anchorTop = form.getBoundingClientRect().top;
    var had = focusState(active);
    swap(doc, sent, ok);
    var region = part(sentName);
    var again = region ? nth(region, "form", formIndex) : null;
    // The form stays where it was on the screen, whatever grew above it.
    if (again) { window.scrollBy(0, again.getBoundingClientRect().top - anchorTop); }
    var error = region ? region.querySelector(".fout") : null;
    refocus(had, !ok && region ? region.querySelector("[aria-invalid=true]") : null);
    if (error && !ok) { error.scrollIntoView({ block: "nearest" }); }
    document.dispatchEvent(new CustomEvent("inplace:klaar", { detail: { form: again, id: formId, ok: ok } }));
    return error ? error.textContent.trim() : "";
  }

  function settle(form, busy) {
    form.setAttribute("aria-busy", busy ? "true" : "false");
    // form.elements: also the buttons outside it that belong to it (form="...").
    Array.prototype.forEach.call(form.elements, function (b) { if (b.type === "submit") { b.disabled = busy; } });
  }

  function body(form, submitter) {
    var data;
    try { data = new FormData(form, submitter || null); } catch (ignored) { data = new FormData(form); }
    return new URLSearchParams(data);
  }

  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }

  // Sent somewhere else (Afsluiten to the queue, signed out): go there, as the plain form would.
  function leaves(response) {
    if (response.redirected && new URL(response.url).pathname !== window.location.pathname) {
      window.location.assign(response.url);
      return true;
    }
    return false;
  }

  function vernieuw() {
    var had = focusState(document.activeElement);
    return fetch(window.location.pathname + window.location.search, {
      credentials: "same-origin", headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (leaves(response) || !response.ok) { return; }
      return response.text().then(function (html) {
        swap(parse(html), null, true);
        refocus(had, null);
        document.dispatchEvent(new CustomEvent("inplace:klaar", { detail: { form: null, id: "", ok: true } }));
      });
    }).catch(function () { /* the live stream says so when the console is gone */ });
  }
  window.Meldkamer = window.Meldkamer || {};
  window.Meldkamer.vernieuw = vernieuw;

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || form.method.toLowerCase() !== "post" || !regionOf(form)) {
      return;
    }
    event.preventDefault();
    if (form.getAttribute("aria-busy") === "true") { return; }  // no second note on a double click
    var submitter = event.submitter;
    var action = submitter && submitter.hasAttribute("formaction") ? submitter.formAction : form.action;
    var sending = body(form, submitter);
    // Taken before the buttons are disabled: a disabled button loses the focus.
    var active = document.activeElement;
    settle(form, true);
    fetch(action, {
      method: "POST",
      body: sending,
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      if (leaves(response)) { return null; }
      return response.text().then(function (html) {
        var doc = parse(html);
        var ok = response.ok;
        var refused = (submitter && submitter.getAttribute("data-mislukt")) ||
          form.getAttribute("data-mislukt") || "Niet opgeslagen";
        if (!doc.querySelector("[data-deel]")) {
          // Another page's answer (the queue's "al overgenomen"): its error line, else its text.
          settle(form, false);
          var line = doc.querySelector(".fout, [role=alert]");
          var said = line ? line.textContent : "(" + response.status + ") " + (doc.body ? doc.body.textContent : html);
          announce(refused + ": " + said.trim().slice(0, 300), true);
          return;
        }
        var error = replaceParts(doc, form, ok, active);
        if (form.isConnected) { settle(form, false); }
        if (ok) {
          announce(form.getAttribute("data-gelukt") || "Opgeslagen.", false);
        } else {
          // The form's own word for it ("Niet verstuurd" for a reply), else "Niet opgeslagen".
          announce(refused + ": " + (error || "de console weigerde het formulier."), true);
        }
      });
    }).catch(function () {
      settle(form, false);
      announce("Niet opgeslagen: geen verbinding met de console. Wat u invulde staat er nog; probeer het opnieuw.", true);
    });
  });
})();
