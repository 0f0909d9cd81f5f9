// The installable app's side of the page: it registers the service worker (/sw.js), and it
// keeps a Stop pressed without a connection. Progressive enhancement: without this file the
// Stop button is a plain form post.
//
// A Stop is first written to this device (localStorage) with the instant it was pressed, then
// sent; it leaves the device only once the server has answered, so a dropped connection, a
// closed tab or a reload never loses it. The server takes the pressed instant (checked there:
// activity.services.stop_timer) and stops only the timer the page showed, so a stop sent twice
// stops once.
(function () {
  "use strict";

  var script = document.currentScript;
  var config = script ? script.dataset : {};
  var QUEUE = "mainthing-stops";
  var TIMER = "mainthing-timer"; // the running timer last seen, for the offline page
  var OFFLINE_SAID = "Offline — stop saved, will be sent when you're back.";
  var flushing = false;

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* private mode without storage: the stop is sent now or not at all */ }
  }
  function queue() { return read(QUEUE, []); }

  function say(text) {
    document.querySelectorAll("[data-offline-status]").forEach(function (el) { el.textContent = text; });
  }

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
    catch (e) { return ""; }
  }

  // The running timer's clock stops at the pressed instant (app.js ticks only elements that
  // still have data-running-since).
  function freeze(stop) {
    document.querySelectorAll("[data-running-since]").forEach(function (el) {
      if (el.dataset.entry !== String(stop.entry)) return;
      var secs = Math.max(0, Math.floor((Date.parse(stop.at) - Date.parse(el.dataset.runningSince)) / 1000));
      var clock = el.querySelector("[data-elapsed]");
      var h = Math.floor(secs / 3600), m = Math.floor((secs % 3600) / 60), s = secs % 60;
      if (clock) clock.textContent = h + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0");
      el.removeAttribute("data-running-since");
      el.classList.add("stopped-offline");
      el.querySelectorAll("[data-stop] button, button[data-offline-stop]").forEach(function (b) { b.disabled = true; });
    });
  }

  // Sends what waits, one at a time. The answer names the page to go to (Today, or the
  // outcome form after a prospect's call), where the server's message confirms the stop.
  function flush() {
    var waiting = queue();
    var token = csrfToken();
    if (flushing || !waiting.length) return;
    if (!token) {
      // The offline page has no session token: once back online, Today sends the stop.
      if (navigator.onLine && config.home) location.assign(config.home);
      return;
    }
    flushing = true;
    var stop = waiting[0];
    var body = new FormData();
    body.append("csrfmiddlewaretoken", token);
    body.append("entry", stop.entry);
    body.append("at", stop.at);
    fetch(stop.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token },
    }).then(function (response) {
      var kind = response.headers.get("Content-Type") || "";
      // Not our answer: a sign-in page (the session ended) or an error page.
      if (kind.indexOf("application/json") !== 0) throw new Error(response.redirected ? "signed out" : "refused");
      return response.json();
    }).then(function (answer) {
      write(QUEUE, queue().filter(function (s) { return s.at !== stop.at || s.entry !== stop.entry; }));
      write(TIMER, null);
      flushing = false;
      if (queue().length) flush();
      else location.assign(answer.next);
    }, function (error) {
      // It waits on this device and is sent again (a retry, the next page, the next sign-in).
      flushing = false;
      if (!navigator.onLine || error instanceof TypeError) say(OFFLINE_SAID);
      else if (error.message === "signed out") say("Sign in again to send the stop you pressed; it is kept until then.");
      else say("Stop saved; sending it again shortly.");
    });
  }

  function pressStop(stop) {
    write(QUEUE, queue().concat([stop]));
    freeze(stop);
    if (!navigator.onLine) { say(OFFLINE_SAID); return; }
    say("Stopping…");
    flush();
  }

  // The server's clock decides: the page says what time it was when drawn, so a phone whose
  // clock runs off still sends the instant the server would have read.
  function pressedAt(el) {
    var skew = el && el.dataset.skew ? Number(el.dataset.skew) : 0;
    return new Date(Date.now() + skew).toISOString();
  }

  function enhance(root) {
    root.querySelectorAll("[data-running-since][data-server-now]").forEach(function (el) {
      if (!el.dataset.skew) el.dataset.skew = String(Date.parse(el.dataset.serverNow) - Date.now());
    });
    root.querySelectorAll("form[data-stop]").forEach(function (form) {
      if (form.dataset.ready) return;
      form.dataset.ready = "1";
      form.addEventListener("submit", function (event) {
        var running = form.closest("[data-running-since]");
        if (!running || !window.fetch) return; // a plain post then
        event.preventDefault();
        pressStop({ url: form.action, entry: running.dataset.entry, at: pressedAt(running) });
      });
    });
    // Today's "now" section remembers the running timer for the offline page.
    var now = root.querySelector("#now");
    if (now) {
      var running = now.querySelector("[data-running-since][data-entry]");
      var form = running && running.querySelector("form[data-stop]");
      write(TIMER, running && form ? {
        entry: running.dataset.entry,
        since: running.dataset.runningSince,
        name: running.dataset.timerName || "",
        url: form.action,
        skew: running.dataset.skew,
      } : null);
    }
    queue().forEach(function (stop) { freeze(stop); });
  }

  // The offline page: the timer last seen keeps counting, and its Stop is kept like any other.
  function offlineTimer() {
    var box = document.querySelector("[data-offline-timer]");
    var timer = read(TIMER, null);
    if (!box || !timer) return;
    box.dataset.entry = timer.entry;
    box.dataset.runningSince = timer.since;
    box.querySelector("[data-timer-name]").textContent = timer.name;
    box.hidden = false;
    box.querySelector("button[data-offline-stop]").addEventListener("click", function () {
      pressStop({ url: timer.url, entry: timer.entry, at: new Date(Date.now() + Number(timer.skew || 0)).toISOString() });
    });
  }

  function forgetOnSignOut() {
    if (!config.signOut) return;
    document.querySelectorAll('form[action="' + config.signOut + '"]').forEach(function (form) {
      form.addEventListener("submit", function () { write(TIMER, null); write(QUEUE, null); });
    });
  }

  if ("serviceWorker" in navigator && config.serviceWorker) {
    navigator.serviceWorker.register(config.serviceWorker, { scope: config.home || "/" });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
    offlineTimer();
    forgetOnSignOut();
    if (queue().length) {
      queue().forEach(freeze);
      say(navigator.onLine ? "Sending the stop you pressed offline…" : OFFLINE_SAID);
      flush();
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  // While a stop waits, Today's "now" section isn't redrawn: it would show the timer running.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (queue().length && event.target && event.target.id === "now") event.preventDefault();
  });
  window.addEventListener("online", function () {
    // The offline page goes back to the app, which then sends what waits.
    if (document.querySelector("[data-offline-page]") && config.home) location.assign(config.home);
    else flush();
  });
  window.addEventListener("offline", function () { if (queue().length) say(OFFLINE_SAID); });
  setInterval(function () { if (queue().length && navigator.onLine) flush(); }, 20000);
})();
