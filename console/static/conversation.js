/* The conversation page: live transcript (SSE) and canned replies that fill the box. */
(function () {
  "use strict";
  var log = document.getElementById("transcript");
  var status = document.getElementById("gesprek-status");
  var box = document.getElementById("tekst");

  function toBottom() { if (log) { log.scrollTop = log.scrollHeight; } }
  toBottom();

  if (log && window.EventSource) {
    var source = new EventSource(log.getAttribute("data-events"));
    source.addEventListener("gesprek", function (event) {
      var data = JSON.parse(event.data);
      var atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      // An original mail the agent opened stays open when the transcript is redrawn.
      var opened = Array.prototype.map.call(log.querySelectorAll("details[open]"), function (d) { return d.id; });
      log.innerHTML = data.html;  // escaped by the server's templates
      opened.forEach(function (id) { var d = id && document.getElementById(id); if (d) { d.open = true; } });
      if (atBottom) { toBottom(); }
      if (status && data.status !== status.getAttribute("data-status")) {
        status.setAttribute("data-status", data.status);
        status.textContent = "De status is gewijzigd (" + data.status.replace(/_/g, " ") +
          (data.taken_by ? ", " + data.taken_by : "") + "). Laad de pagina opnieuw voor de knoppen.";
      }
    });
    source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
  }

  // With JavaScript a canned reply fills the box, so the agent can still adjust it.
  Array.prototype.forEach.call(document.querySelectorAll("button.sjabloon"), function (button) {
    button.addEventListener("click", function (event) {
      if (!box) { return; }
      event.preventDefault();
      box.value = button.getAttribute("data-text");
      box.focus();
    });
  });
})();
