// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Sign-up: preselect the browser's zone when the user hasn't picked one.
  function guessZone(root) {
    root.querySelectorAll("form[data-guess-zone] select[name=time_zone]").forEach(function (select) {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (select.dataset.guessed || !zone) return;
      select.dataset.guessed = "1";
      if (select.value === "UTC" && select.querySelector('option[value="' + zone + '"]')) {
        select.value = zone;
      }
    });
  }

  // The running timer ticks every second from its server-given start.
  function tick() {
    document.querySelectorAll("[data-running-since]").forEach(function (el) {
      var clock = el.querySelector("[data-elapsed]");
      if (!clock) return;
      var secs = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.runningSince)) / 1000));
      var h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
      clock.textContent = h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
    });
  }

  // "in 1 h 20 min" countdowns to the next call.
  function countdown() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var mins = Math.round((Date.parse(el.dataset.countdown) - Date.now()) / 60000);
      if (mins <= 0) { el.textContent = "now"; return; }
      var h = Math.floor(mins / 60), m = mins % 60;
      el.textContent = "in " + (h ? h + " h " : "") + m + " min";
    });
  }

  // The busy-work nudge also becomes a browser notification, once per running entry.
  function notifyNudge(root) {
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    root.querySelectorAll("[data-nudge]").forEach(function (el) {
      var key = "mainthing-nudged-" + el.dataset.runningSince;
      if (sessionStorage.getItem(key)) return;
      sessionStorage.setItem(key, "1");
      new Notification("Is this income-generating activity?", {
        body: "You've been on " + el.dataset.nudge + " for a while. Time to talk to a prospect?",
      });
    });
  }

  function askPermission(root) {
    root.querySelectorAll("[data-ask-notifications]").forEach(function (button) {
      button.addEventListener("click", function () {
        if ("Notification" in window) Notification.requestPermission();
      });
    });
  }

  // A form sent back with errors: its summary (core/error_summary.html) takes the focus, so it
  // scrolls into view and screen readers read it; its links focus the field they name.
  function focusErrorSummary(root) {
    var summary = root.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    summary.querySelectorAll("a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var field = document.getElementById(link.getAttribute("href").slice(1));
        if (!field) return;
        event.preventDefault();
        field.focus();
      });
    });
  }

  // Copy buttons (the calendar feed's address, the booking links): the clipboard when the
  // browser allows it, else the text is selected for the user's own Ctrl+C. `data-copied` is
  // what to say once copied.
  function copyButtons(root) {
    root.querySelectorAll("button[data-copy]").forEach(function (button) {
      var field = document.getElementById(button.dataset.copy);
      var status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
      if (!field) return;
      function say(text) { if (status) status.textContent = text; }
      button.addEventListener("click", function () {
        field.focus();
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(
            function () { say(button.dataset.copied || "Copied. Paste it into your calendar app."); button.textContent = "Copied"; },
            function () { say("Press Ctrl+C (⌘C on a Mac) to copy the selected address."); }
          );
        } else {
          say("Press Ctrl+C (⌘C on a Mac) to copy the selected address.");
        }
      });
    });
  }

  // A table or week grid wider than the screen scrolls sideways: keyboard users need to reach
  // it (Tab, then the arrow keys), so one that overflows becomes a named, focusable region.
  function scrollRegions(root) {
    root.querySelectorAll(".table-scroll, figure.week").forEach(function (el) {
      if (el.scrollWidth <= el.clientWidth || el.hasAttribute("tabindex")) return;
      // Named after the nearest heading above it, so two regions of one section differ.
      var section = el.closest("section");
      var heading = null;
      if (section) {
        section.querySelectorAll("h1, h2, h3").forEach(function (h) {
          if (h.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING) heading = h;
        });
      }
      el.setAttribute("tabindex", "0");
      // A figure keeps its own role (ARIA allows no other on it); its label names it all the same.
      if (el.tagName !== "FIGURE") el.setAttribute("role", "region");
      el.setAttribute("aria-label", (heading ? heading.textContent.trim() + ", " : "") + "scrolls sideways");
    });
  }

  // The booking form's prospect field, a combobox (WAI-ARIA's list autocomplete): suggestions
  // come from the server (htmx); the arrows move through them while the focus stays in the
  // field (aria-activedescendant), Enter or a click picks one. Picking a prospect books them,
  // picking "New prospect: …" makes a new one; typing again forgets the pick, so a
  // stale id is never sent.
  function prospectPicker(root) {
    root.querySelectorAll("[data-prospect-picker]").forEach(function (box) {
      if (box.dataset.ready) return;
      box.dataset.ready = "1";
      var form = box.closest("form");
      var input = box.querySelector("input[name=prospect_name]");
      var list = box.querySelector(".suggestions");
      var id = form.querySelector("input[name=prospect_id]");
      var isNew = form.querySelector("input[name=new_prospect]");
      var active = -1;
      function options() { return Array.prototype.slice.call(list.querySelectorAll("[role=option]")); }
      function show(at) {
        var all = options();
        active = at;
        all.forEach(function (o, i) {
          o.setAttribute("aria-selected", i === at ? "true" : "false");
          o.classList.toggle("active", i === at);
        });
        if (at >= 0 && all[at]) {
          input.setAttribute("aria-activedescendant", all[at].id);
          all[at].scrollIntoView({ block: "nearest" });
        } else {
          input.removeAttribute("aria-activedescendant");
        }
      }
      function close() {
        list.innerHTML = "";
        show(-1);
        input.setAttribute("aria-expanded", "false");
      }
      function choose(option) {
        input.value = option.dataset.pickName;
        if (option.hasAttribute("data-pick-new")) { id.value = ""; isNew.value = "True"; }
        else { id.value = option.dataset.pickProspect; isNew.value = ""; }
        box.classList.toggle("picked", !!id.value);
        close();
        input.focus();
      }
      input.addEventListener("input", function () { id.value = ""; isNew.value = ""; box.classList.remove("picked"); });
      input.addEventListener("keydown", function (event) {
        var all = options();
        if (event.key === "ArrowDown" && all.length) { event.preventDefault(); show(Math.min(active + 1, all.length - 1)); }
        else if (event.key === "ArrowUp" && all.length) { event.preventDefault(); show(Math.max(active - 1, 0)); }
        else if (event.key === "Enter" && active >= 0 && all[active]) { event.preventDefault(); choose(all[active]); }
        else if (event.key === "Escape" && all.length) { event.preventDefault(); close(); }
      });
      input.addEventListener("blur", function () {
        // Later than a click on an option, which must still find it.
        setTimeout(function () { if (document.activeElement !== input) close(); }, 200);
      });
      list.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keeps the focus in the field
      list.addEventListener("click", function (event) {
        var option = event.target.closest("[role=option]");
        if (option) choose(option);
      });
      document.body.addEventListener("htmx:afterSwap", function (event) {
        if (event.target !== list) return;
        active = -1;
        input.removeAttribute("aria-activedescendant");
        input.setAttribute("aria-expanded", options().length ? "true" : "false");
      });
    });
  }

  // The routine form's quick day choices: one tap ticks Mon-Sat, weekdays, every day or none
  // (then one more tap picks a single day). Without this file the buttons stay hidden.
  function dayPresets(root) {
    root.querySelectorAll("[data-day-presets]").forEach(function (bar) {
      if (bar.dataset.wired) return;
      bar.dataset.wired = "1";
      var boxes = bar.parentNode.querySelectorAll("input[type=checkbox]");
      bar.querySelectorAll("button[data-days]").forEach(function (button) {
        button.addEventListener("click", function () {
          boxes.forEach(function (box) {
            box.checked = button.dataset.days.charAt(Number(box.value)) === "1";
          });
          if (button.dataset.days.indexOf("1") < 0 && boxes.length) boxes[0].focus();
        });
      });
      bar.hidden = false;
    });
  }

  function enhance(root) {
    dayPresets(root);
    prospectPicker(root);
    scrollRegions(root);
    copyButtons(root);
    guessZone(root);
    notifyNudge(root);
    askPermission(root);
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    focusErrorSummary(document);
    tick();
    countdown();
    setInterval(tick, 1000);
    setInterval(countdown, 30000);
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    enhance(event.target);
    focusErrorSummary(event.target);
    tick();
    countdown();
  });
})();
