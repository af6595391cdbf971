// Maps over places that are already on the page as text: a round's list of places becomes
// clustered pins whose popups link to each proposal; a proposal's coordinates become a small
// map; a form's latitude and longitude fields get a map to tap or drag a pin on. Every page
// works without this script (and with PB_MAP_TILES empty the maps are never offered).
(function () {
  "use strict";
  var L = window.L;
  if (!L) { return; }
  var FALLBACK = { centre: [54.5, -3.5], zoom: 5 };  // Great Britain, before anything is placed

  function number(text) {
    var value = parseFloat(String(text || "").replace("\u2212", "-").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function degrees(value) {
    return String(Math.round(value * 1e7) / 1e7);
  }

  // A map in `box` with the site's tiles and attribution; `box` gets its accessible name.
  function makeMap(box, holder) {
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", holder.getAttribute("data-label") || "");
    var map = L.map(box, { scrollWheelZoom: false });
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" hreflang="en">Leaflet</a>');
    L.tileLayer(holder.getAttribute("data-tiles"), {
      maxZoom: 19, attribution: holder.getAttribute("data-attribution") || ""
    }).addTo(map);
    return map;
  }

  // A round's proposals with a place: pins in clusters; each popup links to its proposal.
  function placesMap(holder) {
    var items = holder.parentNode.querySelectorAll(".places-list li[data-lat]");
    holder.hidden = false;
    var map = makeMap(holder, holder);
    var cluster = L.markerClusterGroup ? L.markerClusterGroup({ showCoverageOnHover: false })
                                       : L.featureGroup();
    var bounds = [];
    Array.prototype.forEach.call(items, function (item) {
      var lat = number(item.getAttribute("data-lat"));
      var lon = number(item.getAttribute("data-lon"));
      var link = item.querySelector("a");
      if (lat === null || lon === null || !link) { return; }
      var marker = L.marker([lat, lon], { title: link.textContent, alt: link.textContent });
      var popup = document.createElement("p");
      var copy = link.cloneNode(true);
      popup.appendChild(copy);
      var details = Array.prototype.map.call(item.querySelectorAll(".meta > span"), function (span) {
        return span.textContent.trim();
      });
      if (details.length) {
        popup.appendChild(document.createElement("br"));
        popup.appendChild(document.createTextNode(details.join(" · ")));
      }
      marker.bindPopup(popup);
      cluster.addLayer(marker);
      bounds.push([lat, lon]);
    });
    map.addLayer(cluster);
    if (bounds.length) { map.fitBounds(bounds, { maxZoom: 16, padding: [24, 24] }); }
    else { map.setView(FALLBACK.centre, FALLBACK.zoom); }
  }

  // One proposal's place.
  function placeMap(holder) {
    var lat = number(holder.getAttribute("data-lat"));
    var lon = number(holder.getAttribute("data-lon"));
    if (lat === null || lon === null) { return; }
    var box = document.createElement("div");
    box.className = "map map-small";
    holder.appendChild(box);
    var map = makeMap(box, holder);
    var title = holder.getAttribute("data-title") || "";
    L.marker([lat, lon], { title: title, alt: title }).addTo(map);
    map.setView([lat, lon], 16);
  }

  // A form's latitude and longitude, set by tapping the map or dragging the pin.
  function picker(holder) {
    var form = holder.closest("form");
    var latField = form && form.querySelector("input[name=latitude]");
    var lonField = form && form.querySelector("input[name=longitude]");
    if (!latField || !lonField) { return; }
    holder.hidden = false;
    var box = holder.querySelector(".map");
    var status = holder.querySelector("[data-pin-status]");
    var map = makeMap(box, holder);
    var marker = null;

    function say(lat, lon) {
      if (!status) { return; }
      status.textContent = lat === null ? "" : (holder.getAttribute("data-placed") || "")
        .replace("%(lat)s", degrees(lat)).replace("%(lon)s", degrees(lon));
    }

    function put(latlng, fromFields) {
      var point = L.latLng(latlng).wrap();
      if (!marker) {
        marker = L.marker(point, { draggable: true, autoPan: true, title: holder.getAttribute("data-label") || "" });
        marker.on("dragend", function () { put(marker.getLatLng(), false); });
        marker.addTo(map);
      } else {
        marker.setLatLng(point);
      }
      if (!fromFields) {
        latField.value = degrees(point.lat);
        lonField.value = degrees(point.lng);
        say(point.lat, point.lng);
      }
    }

    function fromFields() {
      var lat = number(latField.value);
      var lon = number(lonField.value);
      if (lat === null || lon === null || Math.abs(lat) > 90 || Math.abs(lon) > 180) { return false; }
      put([lat, lon], true);
      map.setView([lat, lon], Math.max(map.getZoom() || 0, 15));
      return true;
    }

    var centre = (holder.getAttribute("data-centre") || "").split(",");
    map.setView(FALLBACK.centre, FALLBACK.zoom);
    if (!fromFields() && centre.length === 2 && number(centre[0]) !== null) {
      map.setView([number(centre[0]), number(centre[1])], 13);
    }
    map.on("click", function (event) { put(event.latlng, false); });
    latField.addEventListener("change", fromFields);
    lonField.addEventListener("change", fromFields);
    holder.querySelector("[data-pin-centre]").addEventListener("click", function () {
      put(map.getCenter(), false);
    });
    holder.querySelector("[data-pin-clear]").addEventListener("click", function () {
      if (marker) { map.removeLayer(marker); marker = null; }
      latField.value = "";
      lonField.value = "";
      say(null, null);
    });
  }

  function each(selector, build) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), function (holder) {
      if (holder.getAttribute("data-tiles") && !holder.hasAttribute("data-map-ready")) {
        holder.setAttribute("data-map-ready", "");
        build(holder);
      }
    });
  }

  window.PbPlaces = {
    start: function () {
      each("[data-places-map]", placesMap);
      each("[data-place-map]", placeMap);
      each("[data-place-picker]", picker);
    }
  };
  window.PbPlaces.start();
}());
