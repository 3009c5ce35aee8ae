/* The supervisor's figures refresh themselves: the server pushes them when they change (SSE). */
(function () {
  "use strict";
  var figures = document.getElementById("supervisor-cijfers");
  if (!figures || !window.EventSource) { return; }
  var source = new EventSource("/api/supervisor/events");
  source.addEventListener("supervisor", function (event) {
    figures.innerHTML = JSON.parse(event.data).html;  // escaped by the server's templates
  });
  source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
})();
