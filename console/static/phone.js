/* Phone mode's keyboard shortcuts (documented on the page under "Sneltoetsen").
 * Single keys only outside text fields, and they can be switched off (WCAG 2.1.4):
 * the choice is kept in this browser. */
(function () {
  "use strict";
  var toggle = document.getElementById("sneltoetsen-aan");
  var KEY = "meldkamer.sneltoetsen";
  if (toggle) {
    toggle.checked = window.localStorage.getItem(KEY) !== "uit";
    toggle.addEventListener("change", function () {
      window.localStorage.setItem(KEY, toggle.checked ? "aan" : "uit");
    });
  }
  function typing(target) {
    var name = target && target.tagName ? target.tagName.toLowerCase() : "";
    return name === "input" || name === "textarea" || name === "select" || target.isContentEditable;
  }
  function focusOn(id) {
    var element = document.getElementById(id);
    if (!element) { return false; }
    if (!element.hasAttribute("tabindex") && element.tagName.toLowerCase() === "section") {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
    element.scrollIntoView({block: "start"});
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (toggle && !toggle.checked) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var done = false;
    if (/^[0-9]$/.test(event.key)) {
      var button = document.querySelector('[data-sneltoets="' + event.key + '"]');
      if (button) { button.click(); done = true; }
    } else if (event.key === "t") {
      done = focusOn("beller");
    } else if (event.key === "v") {
      done = focusOn("veiligheid");
    }
    if (done) { event.preventDefault(); }
  });
})();
