// Collaboration days: after an action or decision is captured inline, put the cursor back in the
// first field of the (now empty) form so the next one can be typed straight away.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail.target;
  if (!target || (target.id !== "actions" && target.id !== "decisions")) return;
  var swapped = document.getElementById(target.id) || target;
  if (swapped.querySelector(".nhsuk-error-summary")) return; // app.js focuses the summary
  var first = swapped.querySelector("form.app-quick-form textarea, form.app-quick-form select");
  if (first) first.focus();
});
