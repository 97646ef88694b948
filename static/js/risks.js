// Risk dashboard on top of htmx (no inline scripts: strict Content-Security-Policy).
// After a flag is acknowledged its row comes back first (focus goes to its confirmation, or to the
// note when it was missing); then the list reloads so the objective moves down, and focus follows
// the row to its new place.
(function () {
  var rowId = null;

  function focus(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex") && !/^(A|BUTTON|TEXTAREA|INPUT|SELECT)$/.test(element.tagName)) {
      element.setAttribute("tabindex", "-1");
    }
    element.focus();
  }

  // Filters: leave empty and default values out of the address, so it reads "?severity=high".
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "risk-filters") return;
    var parameters = event.detail.parameters;
    ["directorate", "team", "rule", "severity", "acknowledged"].forEach(function (name) {
      var value = parameters.get ? parameters.get(name) : parameters[name];
      if (value === "" || (name === "acknowledged" && value === "include")) {
        if (parameters.delete) parameters.delete(name); else delete parameters[name];
      }
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.classList && form.classList.contains("app-risk-ack")) {
      var row = form.closest("tr");
      rowId = row ? row.id : null;
    }
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    if (!rowId) return;
    var row = document.getElementById(rowId);
    var target = event.detail.target;
    if (target && target.id === "risk-results") {
      // The list reloaded after an acknowledgement: follow the row to where it moved.
      focus(row ? row.querySelector(".app-risk-row__ref a") : target.querySelector(".app-risk-summary"));
      rowId = null;
      return;
    }
    if (row) focus(row.querySelector("[data-autofocus]"));
  });
})();
