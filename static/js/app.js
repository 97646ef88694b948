// Project behaviour on top of htmx. No inline scripts anywhere (strict Content-Security-Policy).
document.addEventListener("htmx:afterSwap", function (event) {
  // Move focus to the first heading or field of swapped-in content so screen readers follow.
  var target = event.detail.target;
  var focusable = target && target.querySelector("[data-autofocus], .nhsuk-error-summary");
  if (focusable) {
    if (!focusable.hasAttribute("tabindex")) focusable.setAttribute("tabindex", "-1");
    focusable.focus();
  }
});

// NHS.UK frontend's styles for a page with JavaScript (the header keeps its links on one line and
// moves those that do not fit into "More"). Set here: the Content-Security-Policy allows no inline
// script, and this runs before nhsuk.min.js sets up its components on DOMContentLoaded.
document.body.classList.add("js-enabled");
