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
