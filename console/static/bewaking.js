/* Bewaking refreshes itself: the server pushes the rows when they change (SSE). */
(function () {
  "use strict";
  var rows = document.getElementById("bewaking-rijen");
  var status = document.getElementById("bewaking-status");
  if (!rows || !window.EventSource) { return; }
  var source = new EventSource("/api/bewaking/events");
  source.addEventListener("bewaking", function (event) {
    var data = JSON.parse(event.data);
    // Do not wipe a note being typed: wait for the next change.
    var active = document.activeElement;
    if (active && active.name === "notitie" && active.value) { return; }
    rows.innerHTML = data.html;  // escaped by the server's templates
    status.textContent = data.breached + " verlopen, " + data.count + " open";
  });
  source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
})();
