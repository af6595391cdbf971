// pb's service worker: keeps the live phone page and the ballot page usable when a hall's
// Wi-Fi drops. Served from /sw.js (scope "/") by pb.web.main, which fills in VERSION and ASSETS
// (the fingerprinted static files those pages need); a new deploy is a new worker.
//
// What it keeps, and why it is safe on a shared phone or library computer:
// - static files with a fingerprint in their name (they never change): cache first;
// - GET pages of two kinds only, the live phone page (/live/j/<code>) and the ballot page
//   (/rounds/<id>/vote): network first, the last copy when the network fails. A page the
//   server marks `Cache-Control: no-store` (every page of a signed-in person) is never kept,
//   and a kept copy of that address is dropped, so one account's page never reaches anyone
//   else. Kept pages are forgotten whenever someone logs in, registers or logs out, or a
//   voter presses "finish" on their ballot: the next person at the device cannot read them;
// - nothing else: no POST answers, no Socket.IO traffic, no other page. Offline, an address
//   it did not keep gets the offline page.
"use strict";

var VERSION = "dev";
var ASSETS = [];
var STATIC = "pb-static-" + VERSION;
var PAGES = "pb-pages";
var OFFLINE = "/offline";
var KEPT = [/^\/live\/j\/[A-Za-z0-9]+$/, /^\/rounds\/\d+\/vote$/];
var FORGET = [/^\/account\//, /^\/rounds\/\d+\/vote\/finish$/];
var FINGERPRINTED = /^\/static\/.+\.[0-9a-f]{10}\.[A-Za-z0-9]+$/;

function matches(patterns, path) {
  return patterns.some(function (pattern) { return pattern.test(path); });
}

function storable(response) {
  var cache = (response.headers.get("Cache-Control") || "").toLowerCase();
  return response.ok && !response.redirected && response.type === "basic" &&
    cache.indexOf("no-store") === -1;
}

// Keep `response` as the page at `url`, or drop the kept copy when it may not be kept.
function keepPage(url, response) {
  return caches.open(PAGES).then(function (cache) {
    return storable(response) ? cache.put(url, response) : cache.delete(url);
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(STATIC).then(function (cache) {
    // The offline page without cookies: it must show nobody's data.
    var offline = new Request(OFFLINE, { credentials: "omit" });
    return Promise.all([cache.addAll(ASSETS), fetch(offline).then(function (response) {
      return response.ok ? cache.put(OFFLINE, response) : null;
    })]);
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) {
      return name.indexOf("pb-static-") === 0 && name !== STATIC;
    }).map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

// A page opened before this worker controlled it asks for its address to be kept.
self.addEventListener("message", function (event) {
  var url = event.data && event.data.keep;
  if (typeof url !== "string") { return; }
  var target = new URL(url, self.location.href);
  if (target.origin !== self.location.origin || !matches(KEPT, target.pathname)) { return; }
  event.waitUntil(fetch(target.href, { credentials: "same-origin" }).then(function (response) {
    return keepPage(target.href, response);
  }).catch(function () { return null; }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.method !== "GET") {
    if (matches(FORGET, url.pathname)) { event.waitUntil(caches.delete(PAGES)); }
    return;  // the browser sends it as always; its answer is never kept
  }
  if (FINGERPRINTED.test(url.pathname)) {
    event.respondWith(caches.match(request).then(function (found) {
      return found || fetch(request).then(function (response) {
        if (response.ok && response.type === "basic") {
          var copy = response.clone();
          caches.open(STATIC).then(function (cache) { return cache.put(request, copy); });
        }
        return response;
      });
    }));
    return;
  }
  if (request.mode !== "navigate") { return; }
  var kept = matches(KEPT, url.pathname);
  event.respondWith(fetch(request).then(function (response) {
    if (kept) { event.waitUntil(keepPage(request.url, response.clone())); }
    return response;
  }).catch(function () {
    return caches.open(PAGES).then(function (cache) {
      return kept ? cache.match(request.url, { ignoreVary: true }) : undefined;
    }).then(function (found) {
      return found || caches.match(OFFLINE);
    }).then(function (found) {
      return found || Response.error();
    });
  }));
});
