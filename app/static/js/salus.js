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

    // Deadlines are shown in the account's (or the site's) zone; a visitor elsewhere also sees
    // the time on their own clock, in their own language.
    document.querySelectorAll("[data-local-time]").forEach(function (el) {
      if (!window.Intl || !Intl.DateTimeFormat) { return; }
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (!zone || zone === el.getAttribute("data-shown-zone")) { return; }
      var moment = new Date(el.getAttribute("data-local-time"));
      if (isNaN(moment.getTime())) { return; }
      var text = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
        weekday: "long", day: "numeric", month: "long", year: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      }).format(moment);
      el.textContent = el.getAttribute("data-label") + " " + text;
      el.hidden = false;
    });

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
