// PulseAugur live bits. No inline script anywhere: this file is loaded with `defer`.
// 1. The header clock: starts from the server's UTC time and ticks every second.
// 2. Where <main> has data-live (the home page, event pages), listens to the server's
//    event stream (Server-Sent Events; EventSource reconnects by itself, resuming from
//    the last id). On the home page, events not shown yet are prepended to
//    #newest-events (class "fresh") and counted in #live-new; cards already shown are
//    updated. On an event page, an update of that event shows #live-update.
// The DOM is only ever built with textContent: nothing from the stream becomes markup.
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  var clock = document.getElementById("live-clock");
  if (clock) {
    var serverTime = Date.parse(clock.getAttribute("datetime") || "");
    var skew = isNaN(serverTime) ? 0 : serverTime - Date.now();
    var tick = function () {
      var t = new Date(Date.now() + skew);
      clock.textContent =
        pad(t.getUTCHours()) + ":" + pad(t.getUTCMinutes()) + ":" + pad(t.getUTCSeconds());
      clock.setAttribute("datetime", t.toISOString());
    };
    tick();
    window.setInterval(tick, 1000);
  }

  var main = document.getElementById("content");
  var streamUrl = main && main.getAttribute("data-live");
  if (!streamUrl || !window.EventSource) {
    return;
  }
  var pageEventId = main.getAttribute("data-event-id");
  var pageUpdated = main.getAttribute("data-last-updated");
  var list = document.getElementById("newest-events");
  var marker = document.getElementById("live-new");
  var fresh = 0;

  function label(name, n) {
    var text = (list && list.getAttribute("data-label-" + name)) || "{n}";
    return text.replace("{n}", String(n));
  }

  function sourcesText(n) {
    return label(n === 1 ? "source" : "sources", n);
  }

  function safePath(path) {
    return typeof path === "string" && /^\/cluster\/[0-9]+-[^\s]*$/.test(path) ? path : null;
  }

  function scoreText(score) {
    var n = Number(score);
    if (!isFinite(n)) {
      return "";
    }
    return String(Math.round(n * (Math.abs(n) < 10 ? 100 : 10)) / (Math.abs(n) < 10 ? 100 : 10));
  }

  function fillMeta(meta, data) {
    while (meta.firstChild) {
      meta.removeChild(meta.firstChild);
    }
    var score = document.createElement("span");
    score.className = "score";
    score.textContent = scoreText(data.score);
    meta.appendChild(score);
    meta.appendChild(document.createTextNode(" · "));
    var sources = document.createElement("span");
    sources.className = "sources";
    sources.textContent = sourcesText(Number(data.source_count) || 0);
    meta.appendChild(sources);
    if (Array.isArray(data.tags) && data.tags.length) {
      meta.appendChild(document.createTextNode(" · "));
      var tags = document.createElement("span");
      tags.className = "tags";
      data.tags.forEach(function (tag, i) {
        var t = document.createElement("span");
        t.className = "tag";
        t.textContent = String(tag);
        if (i) {
          tags.appendChild(document.createTextNode(" "));
        }
        tags.appendChild(t);
      });
      meta.appendChild(tags);
    }
    if (typeof data.last_updated === "string" && !isNaN(Date.parse(data.last_updated))) {
      meta.appendChild(document.createTextNode(" · "));
      var time = document.createElement("time");
      time.setAttribute("datetime", data.last_updated);
      time.textContent = data.last_updated.slice(11, 16) + " UTC";
      meta.appendChild(time);
    }
  }

  function newCard(data, path) {
    var li = document.createElement("li");
    li.className = "event-card fresh";
    li.setAttribute("data-event-id", String(data.id));
    var h3 = document.createElement("h3");
    var a = document.createElement("a");
    a.setAttribute("href", path);
    a.textContent = String(data.headline || "");
    h3.appendChild(a);
    li.appendChild(h3);
    var meta = document.createElement("p");
    meta.className = "meta";
    fillMeta(meta, data);
    li.appendChild(meta);
    return li;
  }

  function shownCard(id) {
    var cards = document.querySelectorAll('li.event-card[data-event-id="' + id + '"]');
    return cards.length ? cards : null;
  }

  function onEvent(message) {
    var data;
    try {
      data = JSON.parse(message.data);
    } catch (e) {
      return;
    }
    if (!data || typeof data.id !== "number") {
      return;
    }
    var id = String(data.id);
    if (pageEventId) {
      if (id === pageEventId && data.last_updated !== pageUpdated) {
        var notice = document.getElementById("live-update");
        if (notice) {
          notice.hidden = false;
        }
      }
      return;
    }
    if (!list) {
      return;
    }
    var path = safePath(data.path);
    if (!path) {
      return;
    }
    var cards = shownCard(id);
    if (cards) {
      Array.prototype.forEach.call(cards, function (card) {
        var link = card.querySelector("h3 a");
        if (link) {
          link.textContent = String(data.headline || link.textContent);
        }
        var meta = card.querySelector("p.meta");
        if (meta) {
          fillMeta(meta, data);
        }
      });
      return;
    }
    list.insertBefore(newCard(data, path), list.firstChild);
    fresh += 1;
    if (marker) {
      marker.textContent = label("new", fresh);
      marker.hidden = false;
    }
  }

  var source = new EventSource(streamUrl);
  source.addEventListener("event", onEvent);
  window.addEventListener("pagehide", function () {
    source.close();
  });
})();
