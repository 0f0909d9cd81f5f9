{% autoescape off %}// Mainthing's service worker (core/views.py serves it; core/webapp.py says what it stores).
//
// It keeps the app's static files on the phone and shows the offline page when a page can't
// load. Pages themselves are never stored: they hold prospects' details, and after a sign-out
// the next person on the phone must not see them. Posts always go to the server.
"use strict";

var CONFIG = {{ config }};
var CACHE = "mainthing-" + CONFIG.version;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE)
      .then(function (cache) { return cache.addAll(CONFIG.shell); })
      .then(function () { return self.skipWaiting(); })
  );
});

// A new version (a deploy) drops the copies of the old one.
self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf("mainthing-") === 0 && name !== CACHE;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function fromCache(request) {
  return caches.open(CACHE).then(function (cache) { return cache.match(request); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  var passes = CONFIG.passThrough.some(function (prefix) { return url.pathname.indexOf(prefix) === 0; });
  if (passes) return;
  if (request.mode === "navigate") {
    // The network first, always; the offline page only when it can't answer.
    event.respondWith(fetch(request).catch(function () {
      return fromCache(CONFIG.offline).then(function (page) {
        return page || Response.error();
      });
    }));
    return;
  }
  if (CONFIG.shell.indexOf(url.pathname) !== -1) {
    event.respondWith(fromCache(request).then(function (stored) {
      return stored || fetch(request);
    }));
  }
});
{% endautoescape %}
