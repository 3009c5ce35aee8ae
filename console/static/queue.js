/* The queue refreshes itself: the server pushes the rows when they change (SSE). */
(function () {
  "use strict";
  var rows = document.getElementById("wachtrij-rijen");
  var status = document.getElementById("wachtrij-status");
  if (!rows || !window.EventSource) { return; }
  var source = new EventSource("/api/queue/events");
  source.addEventListener("wachtrij", function (event) {
    var data = JSON.parse(event.data);
    // Keep keyboard focus on the same conversation when the rows are replaced.
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("tr[data-id]") : null;
    var focusId = row ? row.getAttribute("data-id") : null;
    rows.innerHTML = data.html;  // escaped by the server's templates
    if (focusId) {
      var again = rows.querySelector('tr[data-id="' + focusId + '"] button, tr[data-id="' + focusId + '"] a');
      if (again) { again.focus(); }
    }
    status.textContent = data.waiting + " wachtend, " + data.count + " open";
  });
  source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
})();
