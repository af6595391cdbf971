// A proposal's small map loads only when asked for: Leaflet weighs more than the rest of the
// page, and a resident on a phone plan may only want the street name written above it.
(function () {
  "use strict";
  var holder = document.querySelector("[data-place-map]");
  var button = holder && holder.querySelector("[data-show-map]");
  if (!button) { return; }
  button.hidden = false;
  button.addEventListener("click", function () {
    button.hidden = true;
    holder.setAttribute("tabindex", "-1");  // focus stays here, not lost with the button
    holder.focus();
    var files = (holder.getAttribute("data-files") || "").split(" ");
    files.forEach(function (file) {
      if (/\.css$/.test(file)) {
        var link = document.createElement("link");
        link.rel = "stylesheet";
        link.href = file;
        document.head.appendChild(link);
      } else if (file) {
        var script = document.createElement("script");
        script.src = file;
        script.async = false;  // in order: Leaflet, then the map
        document.head.appendChild(script);
      }
    });
  });
}());
