/* workbench-map.js: the socmint-workbench map runtime (Apache-2.0; part of socmint-workbench).
 *
 * Draws the layers that workbench.geo.maps declares: item markers (clustered or not) with popups,
 * a heat layer, time-bucketed counts under a time slider, country outlines and an info box.
 * Post data is hostile input: every value is put into the page with textContent or as a DOM
 * property, never parsed as HTML, and only http(s) links become anchors.
 */
(function (window, L) {
  "use strict";

  var pending = [];
  var SAFE_URL = /^https?:\/\/[^\s\/?#]+/i;

  function el(tag, className, parent, text) {
    var node = window.document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // The items' columns arrive as plain JSON, or deflated and base64-encoded when large.
  function decode(payload) {
    if (payload.data) { return Promise.resolve(payload.data); }
    if (typeof window.DecompressionStream === "undefined") {
      return Promise.reject(new Error("this browser cannot unpack the map data " +
        "(it needs DecompressionStream: Chrome 80, Firefox 113, Safari 16.4 or later)"));
    }
    var binary = window.atob(payload.deflate);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    var stream = new Blob([bytes]).stream().pipeThrough(new window.DecompressionStream("deflate"));
    return new Response(stream).text().then(JSON.parse);
  }

  function Items(payload, options) {
    var self = this;
    this.options = options;
    this.data = null;
    this.ready = decode(payload).then(function (data) { self.data = data; return data; });
    pending.push(this.ready);
  }

  Items.prototype.value = function (name, i) {
    var column = this.data.cols[name];
    if (!column) { return null; }
    if (column.keys) {
      var code = column.codes[i];
      return code < 0 ? null : column.keys[code];
    }
    var value = column.values[i];
    return value === undefined ? null : value;
  };

  Items.prototype.time = function (i) {
    var offset = this.data.t ? this.data.t[i] : null;
    return offset === null || offset === undefined ? null : new Date((this.data.t0 + offset) * 1000);
  };

  function formatTime(date, zone) {
    try {
      var parts = new Intl.DateTimeFormat("en-GB", {
        timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short"
      }).formatToParts(date);
      var p = {};
      parts.forEach(function (part) { p[part.type] = part.value; });
      return p.year + "-" + p.month + "-" + p.day + " " + p.hour + ":" + p.minute + " " + p.timeZoneName;
    } catch (e) {
      return date.toISOString().slice(0, 16).replace("T", " ") + " UTC";
    }
  }

  function signed(x) { return (x > 0 ? "+" : "") + x.toFixed(2); }

  function popup(items, i) {
    var root = el("div", "wb-popup");
    var head = el("div", "wb-head", root);
    var author = items.value("author", i);
    var platform = items.value("platform", i);
    if (author !== null) { el("strong", "wb-author", head, author); }
    if (platform !== null) { el("span", "wb-platform", head, platform); }
    var when = items.time(i);
    if (when !== null) { el("div", "wb-time", root, formatTime(when, items.options.tz)); }
    var text = items.value("text", i);
    if (text !== null) { el("div", "wb-text", root, text); }
    var facts = [];
    var place = items.value("place", i);
    var method = items.value("method", i);
    var confidence = items.value("confidence", i);
    if (place !== null) { facts.push(place); }
    if (method !== null) { facts.push("by " + method); }
    if (confidence !== null) { facts.push("confidence " + confidence.toFixed(2)); }
    if (facts.length) { el("div", "wb-place", root, facts.join(" \u00b7 ")); }
    var sentiment = items.value("sentiment", i);
    if (sentiment !== null) { el("div", "wb-sentiment", root, "sentiment " + signed(sentiment)); }
    var url = items.value("url", i);
    if (typeof url === "string" && SAFE_URL.test(url)) {
      var link = el("a", "wb-link", root, "open original");
      link.href = url;
      link.target = "_blank";
      link.rel = "noopener noreferrer nofollow";
    }
    var uid = items.value("uid", i);
    if (uid !== null) { el("div", "wb-uid", root, uid); }
    return root;
  }

  function clusterIcon(color) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : count < 1000 ? 42 : 48;
      var disc = el("div", null, null, count.toLocaleString("en-GB"));
      disc.style.backgroundColor = color;
      return L.divIcon({html: disc, className: "wb-cluster", iconSize: L.point(size, size)});
    };
  }

  function markers(items, options) {
    var clustered = null;  // set while the cluster group takes in our markers, chunk by chunk
    var finished = new Promise(function (resolve) { clustered = resolve; });
    var filling = false;
    var group = options.cluster
      ? L.markerClusterGroup({
        chunkedLoading: true, showCoverageOnHover: false, spiderfyOnMaxZoom: true,
        iconCreateFunction: clusterIcon(options.color),
        chunkProgress: function (processed, total) { if (filling && processed >= total) { clustered(); } }
      })
      : L.featureGroup();
    group.bindPopup(function (layer) { return popup(items, layer.options.wbIndex); },
                    {maxWidth: 340, className: "wb-popup-frame"});
    pending.push(items.ready.then(function (data) {
      var layers = [];
      var confidence = data.cols.confidence ? data.cols.confidence.values : null;
      for (var i = 0; i < data.n; i++) {
        if (data.group[i] !== options.group) { continue; }
        var c = confidence ? confidence[i] : null;
        layers.push(L.circleMarker([data.lat[i], data.lon[i]], {
          radius: 6, weight: 1, color: "#222", fillColor: options.color,
          fillOpacity: c === null ? 0.8 : 0.3 + 0.6 * c, wbIndex: i
        }));
      }
      if (options.cluster && group._map && layers.length) {
        filling = true;
        group.addLayers(layers);
        return finished;
      }
      if (options.cluster) {
        group.addLayers(layers);
      } else {
        layers.forEach(function (layer) { group.addLayer(layer); });
      }
      return true;
    }));
    return group;
  }

  function heat(items, options) {
    var layer = L.heatLayer([], options);
    pending.push(items.ready.then(function (data) {
      var points = new Array(data.n);
      for (var i = 0; i < data.n; i++) { points[i] = [data.lat[i], data.lon[i]]; }
      layer.setLatLngs(points);
    }));
    return layer;
  }

  // Counts per grid cell and time step; only the current step's cells are drawn.
  function timeLayer(map, bins, options) {
    var td = L.timeDimension({times: bins.times.slice(), currentTime: bins.times[0]});
    var Control = L.Control.TimeDimension.extend({
      _getDisplayDateFormat: function (date) { return formatTime(date, this._getCurrentTimeZone()); }
    });
    var control = new Control({
      timeDimension: td, position: "bottomleft", autoPlay: false, loopButton: true,
      timeSliderDragUpdate: true, speedSlider: false, timeZones: options.zones,
      playerOptions: {transitionTime: 600, loop: true, startOver: true}
    });
    var byTime = {};
    for (var j = 0; j < bins.count.length; j++) {
      var t = bins.times[bins.step[j]];
      (byTime[t] = byTime[t] || []).push(j);
    }
    var Layer = L.TimeDimension.Layer.extend({
      onAdd: function (m) {
        m.addLayer(this._baseLayer);
        m.addControl(control);
        L.TimeDimension.Layer.prototype.onAdd.call(this, m);
      },
      onRemove: function (m) {
        L.TimeDimension.Layer.prototype.onRemove.call(this, m);
        m.removeControl(control);
      },
      _update: function () {
        if (!this._map) { return; }
        var base = this._baseLayer;
        base.clearLayers();
        (byTime[td.getCurrentTime()] || []).forEach(function (k) {
          var n = bins.count[k];
          var marker = L.circleMarker([bins.lat[k], bins.lon[k]], {
            radius: Math.min(4 + 3 * Math.sqrt(n), 30), weight: 1, color: options.color,
            fillColor: options.color, fillOpacity: 0.5, className: "wb-time-cell"
          });
          marker.bindTooltip(el("span", null, null, n.toLocaleString("en-GB") + (n === 1 ? " item" : " items")));
          base.addLayer(marker);
        });
      }
    });
    var layer = new Layer(L.layerGroup(), {timeDimension: td});
    layer.timeDimension = td;
    return layer;
  }

  // Filled land over a sea-coloured map until a map tile arrives; then only faint borders.
  function outline(map, geojson, options) {
    if (!map.getPane("wbOutlines")) {
      var pane = map.createPane("wbOutlines");
      pane.style.zIndex = 250;  // above the tiles (200), beneath everything drawn on them (400+)
      pane.style.pointerEvents = "none";
    }
    L.DomUtil.addClass(map.getContainer(), "wb-sea");
    var layer = L.geoJSON(geojson, {pane: "wbOutlines", interactive: false, style: options.style});
    var dim = function () { layer.setStyle(options.overTiles); };
    var watch = function (candidate) {
      if (candidate instanceof L.GridLayer) { candidate.once("tileload", dim); }
    };
    map.eachLayer(watch);
    map.on("layeradd", function (e) { watch(e.layer); });
    return layer;
  }

  function info(map, lines, items) {
    var box = L.control({position: "bottomright"});
    box.onAdd = function () {
      var div = el("div", "leaflet-control wb-info");
      lines.forEach(function (line) { el("div", null, div, line); });
      if (items) {
        items.ready.then(null, function (error) { el("div", "wb-error", div, String(error.message || error)); });
      }
      return div;
    };
    box.addTo(map);
    return box;
  }

  // Resolves when every layer has its data and no cluster or zoom animation is running (for tests
  // and for anything scripted on the page): mid-animation, old and new cluster icons overlap.
  function settled() {
    var seen = pending.length;
    return Promise.all(pending).then(function () {
      return pending.length === seen ? still() : settled();
    });
  }

  function still() {
    var animating = function () {
      return document.querySelector(".leaflet-cluster-anim, .leaflet-zoom-anim") !== null;
    };
    return new Promise(function (resolve) {
      var quietFrames = 0;
      (function check() {
        quietFrames = animating() ? 0 : quietFrames + 1;
        if (quietFrames >= 3) { resolve(true); } else { window.requestAnimationFrame(check); }
      }());
    });
  }

  window.WorkbenchMap = {
    items: function (payload, options) { return new Items(payload, options); },
    markers: markers, heat: heat, timeLayer: timeLayer, outline: outline, info: info,
    popup: popup, settled: settled
  };
}(window, window.L));
