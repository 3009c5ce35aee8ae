/* The queue updates in place: the server pushes both lanes when they change (SSE).
 * A new acuut item raises the alert: the alarm sound (unless muted; the choice is kept
 * in localStorage), the count in the tab title, the highlighted row, a banner read out
 * by screen readers, and a desktop notification when the agent allowed those. While an
 * acuut item waits the sound repeats, so an emergency is never silently left waiting. */
(function () {
  "use strict";
  var lanes = document.getElementById("wachtrij-banen");
  var status = document.getElementById("wachtrij-status");
  var banner = document.getElementById("wachtrij-alarm");
  var bannerText = document.getElementById("wachtrij-alarm-tekst");
  var sound = document.getElementById("wachtrij-geluid-bron");
  var muteButton = document.getElementById("wachtrij-geluid");
  var notifyButton = document.getElementById("wachtrij-bureaublad");
  if (!lanes) { return; }

  var MUTE_KEY = "meldkamer.wachtrij.geluid";
  var REPEAT_MS = 30000;
  var TITLE = document.title.replace(/^(ACUUT! )?\(\d+\) /, "");
  var alerted = {};
  var waitingAcute = [];
  var repeat = null;

  function muted() {
    try { return window.localStorage.getItem(MUTE_KEY) === "uit"; } catch (e) { return false; }
  }

  function showMute() {
    muteButton.setAttribute("aria-pressed", muted() ? "true" : "false");
    muteButton.textContent = muted() ? "Alarmgeluid staat uit" : "Alarmgeluid uitzetten";
  }

  function ring() {
    if (muted() || !sound) { return; }
    try {
      sound.currentTime = 0;
      var playing = sound.play();
      // Without a click on the page first a browser may refuse; the banner still shows.
      if (playing && playing.catch) { playing.catch(function () {}); }
    } catch (e) { /* no audio device: the visible alert remains */ }
  }

  function describe(id) {
    var row = lanes.querySelector('tr[data-id="' + id + '"]');
    if (!row || row.cells.length < 2) { return ""; }
    return (row.cells[1].innerText || row.cells[1].textContent).replace(/\s+/g, " ").trim();
  }

  function notifyDesktop(text) {
    if (!("Notification" in window) || Notification.permission !== "granted") { return; }
    try { new Notification("Nieuw acuut gesprek", { body: text, tag: "meldkamer-acuut" }); } catch (e) { /* ignored */ }
  }

  function update(acute, waiting) {
    var fresh = acute.filter(function (id) { return !alerted[id]; });
    waitingAcute = acute;
    document.title = (acute.length ? "ACUUT! " : "") + "(" + waiting + ") " + TITLE;
    if (!acute.length) {
      banner.hidden = true;
      if (repeat) { window.clearInterval(repeat); repeat = null; }
      return;
    }
    var text = acute.map(describe).filter(Boolean).join("; ");
    if (fresh.length) {
      fresh.forEach(function (id) { alerted[id] = true; });
      bannerText.textContent = text;
      banner.hidden = false;
      ring();
      notifyDesktop(text);
    }
    if (!repeat) {
      repeat = window.setInterval(function () { if (waitingAcute.length) { ring(); } }, REPEAT_MS);
    }
  }

  muteButton.addEventListener("click", function () {
    try { window.localStorage.setItem(MUTE_KEY, muted() ? "aan" : "uit"); } catch (e) { /* ignored */ }
    if (muted() && sound) { sound.pause(); }
    showMute();
  });
  showMute();

  if (notifyButton && "Notification" in window && Notification.permission === "default") {
    notifyButton.hidden = false;
    notifyButton.addEventListener("click", function () {
      Notification.requestPermission().then(function () { notifyButton.hidden = true; });
    });
  }

  function ids(text) {
    return (text || "").split(" ").filter(Boolean).map(Number);
  }
  var first = lanes.getAttribute("data-acuut");
  update(ids(first), Number(lanes.getAttribute("data-wachtend")) || 0);

  if (!window.EventSource) { return; }
  var source = new EventSource("/api/queue/events");
  source.addEventListener("wachtrij", function (event) {
    var data = JSON.parse(event.data);
    // Keep keyboard focus on the same conversation when the lanes are replaced.
    var active = document.activeElement;
    var row = active && active.closest ? active.closest("tr[data-id]") : null;
    var focusId = row ? row.getAttribute("data-id") : null;
    lanes.innerHTML = data.html;  // escaped by the server's templates
    lanes.setAttribute("data-acuut", data.acute.join(" "));
    if (focusId) {
      var again = lanes.querySelector('tr[data-id="' + focusId + '"] button, tr[data-id="' + focusId + '"] a');
      if (again) { again.focus(); }
    }
    status.textContent = data.live_waiting + " wachtend in de chat, " + data.callbacks_waiting +
      " terugbellen, " + data.count + " open";
    update(data.acute, data.waiting);
  });
  source.addEventListener("uitgelogd", function () { window.location.assign("/login"); });
})();
