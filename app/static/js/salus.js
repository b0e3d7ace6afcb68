/* Salus: small progressive enhancements. Every task works without this file. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    document.documentElement.classList.add("js");

    // The language menu submits itself; its button stays for people without scripts.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });

    // Move focus to an error summary so screen readers announce it.
    var summary = document.querySelector("[data-focus]");
    if (summary) { summary.focus(); }

    // Copy buttons: shown only when the clipboard can be used.
    document.querySelectorAll("[data-copy]").forEach(function (button) {
      var target = document.querySelector(button.getAttribute("data-copy"));
      if (!target || !navigator.clipboard) { return; }
      button.hidden = false;
      button.addEventListener("click", function () {
        var text = target.value !== undefined ? target.value : target.textContent;
        navigator.clipboard.writeText(text.trim()).then(function () {
          button.setAttribute("data-done", "true");
          button.textContent = button.getAttribute("data-copied") || "✓";
        });
      });
    });
  });
})();
