// Register pb's service worker (/sw.js), which keeps the live phone page and the ballot page
// usable when the connection drops. A page opened before the worker controlled it asks the
// worker to keep it too, so that the very first visit already survives a reload offline.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }
  var controlled = Boolean(navigator.serviceWorker.controller);
  navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    if (!controlled && registration.active) {
      registration.active.postMessage({ keep: window.location.href });
    }
  }).catch(function () { /* without the worker the site works as before, online only */ });
})();
