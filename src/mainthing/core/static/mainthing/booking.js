// The public booking page, progressively enhanced: every step works without this file.
// With it, the page shows times in the browser's zone and on its clock (12 or 24 hours)
// the first time round, without the visitor having to pick them.
(function () {
  "use strict";

  function browserZone() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return ""; }
  }

  function browserClock() {
    try {
      var cycle = new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hourCycle;
      if (cycle) return cycle === "h11" || cycle === "h12" ? "12" : "24";
    } catch (e) { /* fall through */ }
    return "";
  }

  // A page the visitor opened without choosing a zone: ask again with theirs (and their clock).
  function guess(root) {
    var picker = root.querySelector("form[data-guess-zone]");
    if (!picker || picker.dataset.guessed) return;
    picker.dataset.guessed = "1";
    var zone = browserZone(), clock = browserClock();
    var input = picker.querySelector("input[name=tz]"), hours = picker.querySelector("input[name=h]");
    var changed = false;
    if (zone && input && input.value !== zone) { input.value = zone; changed = true; }
    if (clock && hours && hours.value !== clock) { hours.value = clock; changed = true; }
    if (!changed) return;
    var url = new URL(window.location.href);
    url.searchParams.set("tz", input.value);
    if (hours) url.searchParams.set("h", hours.value);
    if (window.htmx) {
      window.htmx.ajax("GET", url.pathname + url.search, { target: "#booking", select: "#booking", swap: "outerHTML" })
        .then(function () { window.history.replaceState({}, "", url.pathname + url.search); });
    } else {
      window.location.replace(url.pathname + url.search);
    }
  }

  // Links on the manage page and the forms keep the visitor's clock when JavaScript found it.
  function start() { guess(document); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
  document.addEventListener("htmx:afterSettle", function () { guess(document); });
})();
