// Plan import pages. Everything works without this file; it only adds "Tick all / Untick all"
// to the start-next-year list. (The "Checking your file…" indicator is htmx's hx-indicator.)
(function () {
  function setUp(root) {
    var toggles = root.querySelectorAll("[data-import-toggle]");
    toggles.forEach(function (toggle) {
      if (toggle.dataset.ready) return;
      toggle.dataset.ready = "1";
      toggle.hidden = false;
      var fieldset = toggle.closest("fieldset");
      toggle.addEventListener("click", function (event) {
        var button = event.target.closest("[data-import-select]");
        if (!button) return;
        var tick = button.dataset.importSelect === "all";
        fieldset.querySelectorAll("input[type=checkbox]").forEach(function (box) {
          box.checked = tick;
        });
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  document.addEventListener("htmx:afterSwap", function (event) { setUp(event.detail.target); });
})();
