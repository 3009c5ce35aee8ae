/* The conversation page: live transcript (SSE), canned replies that fill the box, and the
   reply box emptied and focused after a reply sent in place (inplace.js posts the forms).
   The page's parts are replaced after a form, so every element is looked up when used. */
(function () {
  "use strict";
  function log() { return document.getElementById("transcript"); }
  function box() { return document.getElementById("tekst"); }
  function atBottom(element) { return element.scrollHeight - element.scrollTop - element.clientHeight < 40; }
  function toBottom() { var element = log(); if (element) { element.scrollTop = element.scrollHeight; } }
  toBottom();

  var first = log();
  if (first && window.EventSource) {
    var source = new EventSource(first.getAttribute("data-events"));
    source.addEventListener("gesprek", function (event) {
      var data = JSON.parse(event.data);
      var element = log();
      if (!element) { return; }
      var bottom = atBottom(element), top = element.scrollTop;
      // An original mail the agent opened stays open when the transcript is redrawn.
      var opened = Array.prototype.map.call(element.querySelectorAll("details[open]"), function (d) { return d.id; });
      element.innerHTML = data.html;  // escaped by the server's templates
      opened.forEach(function (id) { var d = id && document.getElementById(id); if (d) { d.open = true; } });
      element.scrollTop = bottom ? element.scrollHeight : top;
      var status = document.getElementById("gesprek-status");
      if (status && data.status !== status.getAttribute("data-status")) {
        var said = "De status is gewijzigd: " + data.status_label + (data.taken_by ? ", " + data.taken_by : "") + ".";
        status.setAttribute("data-status", data.status);
        status.textContent = said;
        var announcer = document.querySelector("[data-aankondiging]");
        if (announcer) { announcer.removeAttribute("data-soort"); announcer.textContent = said; }
        // The buttons that fit the new status, without a reload; typed text stays.
        if (window.Meldkamer && window.Meldkamer.vernieuw) { window.Meldkamer.vernieuw(); }
      }
    });
    source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
  }

  // A reply sent in place: the box is the fresh, empty one; the agent types on.
  document.addEventListener("inplace:klaar", function (event) {
    var detail = event.detail || {};
    var field = box();
    if (detail.ok && detail.id === "antwoord" && field) { field.focus({ preventScroll: true }); }
  });

  // With JavaScript a canned reply fills the box, so the agent can still adjust it
  // (delegated: the buttons are new after each reply).
  document.addEventListener("click", function (event) {
    var button = event.target && event.target.closest ? event.target.closest("button.sjabloon") : null;
    var field = box();
    if (!button || !field) { return; }
    event.preventDefault();
    field.value = button.getAttribute("data-text");
    field.focus();
  });
})();
