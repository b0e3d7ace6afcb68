/* The portfolio map: draws the places listed on the page with the vendored Leaflet. The list is
   the page's content; the map only enhances it, so nothing is lost without scripts or tiles. */
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function text(value) {
    var span = document.createElement("span");
    span.textContent = value;
    return span;
  }

  function popup(item) {
    // Built from text nodes: titles and places are user input and never become HTML.
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = item.getAttribute("data-url");
    link.textContent = item.getAttribute("data-title");
    box.appendChild(link);
    var place = item.getAttribute("data-place");
    if (place) {
      var line = document.createElement("div");
      line.textContent = place;
      box.appendChild(line);
    }
    return box;
  }

  ready(function () {
    var container = document.getElementById("portfolio-map");
    if (!container || !window.L) { return; }
    var list = document.querySelector(container.getAttribute("data-points"));
    if (!list) { return; }
    var points = [];
    list.querySelectorAll("[data-lat][data-lng]").forEach(function (item) {
      var lat = parseFloat(item.getAttribute("data-lat"));
      var lng = parseFloat(item.getAttribute("data-lng"));
      if (isFinite(lat) && isFinite(lng)) { points.push({ item: item, at: [lat, lng] }); }
    });
    if (!points.length) { return; }

    container.hidden = false;
    var map = L.map(container, { scrollWheelZoom: false });
    var tiles = container.getAttribute("data-tile-url");
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: 18, attribution: container.getAttribute("data-attribution") || "" }).addTo(map);
    }
    var bounds = [];
    points.forEach(function (point) {
      var colour = point.item.getAttribute("data-colour") || "#1d70b8";
      L.circleMarker(point.at, { radius: 9, color: "#0b0c0c", weight: 2, fillColor: colour, fillOpacity: 0.9 })
        .bindPopup(popup(point.item))
        .bindTooltip(text(point.item.getAttribute("data-title")))
        .addTo(map);
      bounds.push(point.at);
    });
    if (bounds.length === 1) {
      map.setView(bounds[0], 12);
    } else {
      map.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
    }
  });
})();
