// Directors' dashboard on top of htmx (no inline scripts: strict Content-Security-Policy).
// Filters leave empty values out of the address, so it reads "?concern=2". After an
// acknowledgement the results come back whole: focus goes to the confirmation, or to the note
// that needs fixing.
(function () {
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (!form || form.id !== "risk-filters") return;
    var parameters = event.detail.parameters;
    ["concern", "directorate", "rule", "acknowledged", "since"].forEach(function (name) {
      var value = parameters.get ? parameters.get(name) : parameters[name];
      if (value === "") {
        if (parameters.delete) parameters.delete(name); else delete parameters[name];
      }
    });
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "risk-results") return;
    var element = target.querySelector("[data-autofocus]");
    if (element) element.focus();
  });
})();
