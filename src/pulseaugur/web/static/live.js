// PulseAugur live bits. No inline script anywhere: this file is loaded with `defer`.
// 1. The header clock: starts from the server's UTC time and ticks every second.
// 2. On an event page, checks the API now and then and offers a reload when it changed.
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
  var eventId = main && main.getAttribute("data-event-id");
  var notice = document.getElementById("live-update");
  if (!eventId || !notice || !window.fetch) {
    return;
  }
  var seen = main.getAttribute("data-last-updated");
  var check = function () {
    if (document.hidden) {
      return;
    }
    window
      .fetch("/api/v1/events/" + encodeURIComponent(eventId), {
        headers: { Accept: "application/json" },
      })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (event) {
        if (event && event.last_updated && Date.parse(event.last_updated) !== Date.parse(seen)) {
          notice.hidden = false;
        }
      })
      .catch(function () {});
  };
  window.setInterval(check, 60000);
})();
