// Objectives list: keep bookmarked and shared URLs short by leaving out empty filters.
document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt;
  if (!form || form.id !== "objective-filters") return;
  var parameters = event.detail.parameters;
  // htmx 2 passes FormData-like parameters; drop the empty ones.
  var empty = [];
  if (typeof parameters.forEach === "function") {
    parameters.forEach(function (value, key) { if (value === "") empty.push(key); });
    empty.forEach(function (key) { parameters.delete(key); });
  } else {
    Object.keys(parameters).forEach(function (key) { if (parameters[key] === "") delete parameters[key]; });
  }
});
