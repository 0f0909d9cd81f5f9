// The call queue: the Call button also starts the call timer, single-key shortcuts on a
// desktop, and the focus kept on the new card after each swap. The page works without it.
(function () {
  "use strict";

  var KEYS = { c: 1, n: 1, m: 1, t: 1, b: 1, d: 1, s: 1, l: 1 };

  function area() { return document.getElementById("call-area"); }

  // Never while the user types, or with a modifier (Ctrl+C must still copy).
  function typing(event) {
    var el = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return true;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || el.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    var root = area();
    if (!root || typing(event) || !KEYS[event.key]) return;
    var target = root.querySelector('[data-key="' + event.key + '"]');
    if (!target) return;
    event.preventDefault();
    target.click();
  });

  // A tap on Call starts the timer through the card's own form, then dials (the tel: link).
  // In that order: once the dialler takes the screen, the page's request may never finish,
  // and a dial racing the request could cut it off. The dial waits for the server's answer
  // for a second at most (a slow or dead connection never holds up a call).
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-start-call]");
    if (!link) return;
    var form = document.getElementById(link.dataset.startCall);
    if (!form || !window.htmx) return; // the link dials on its own
    event.preventDefault();
    var dialled = false;
    function dial() {
      if (dialled) return;
      dialled = true;
      window.location.href = link.href;
    }
    window.setTimeout(dial, 1000);
    // Sent by htmx itself (the form's fields, the page's CSRF header, the call area swapped),
    // not by a submit event that a card swapped in a moment ago may not be listening for yet.
    window.htmx
      .ajax("POST", form.getAttribute("action"), { source: form, target: "#call-area", swap: "outerHTML" })
      .then(dial, dial);
  });

  // After a swap the new card's heading takes the focus: keyboard and screen-reader users
  // carry on from the next person, not from the top of the page.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (!event.target || event.target.id !== "call-area") return;
    var heading = event.target.querySelector("[data-card-heading]");
    if (heading) heading.focus({ preventScroll: false });
  });
})();
