/* Fundline capture helper: mounts a session's authorized_url in a frame and
   relays the page's events (TOKEN_SUCCESS, FUNDING_CANCELED, TERMINAL_FAILURE,
   MAX_VERIFICATION_ATTEMPTS_EXCEEDED) to onEvent. Only messages from that
   frame and from Fundline's origin are relayed.

   FundlineCapture.mount({ url: authorizedUrl, container: "#pay", onEvent: function (e) { … } }) */
(function () {
  "use strict";
  var EVENTS = ["TOKEN_SUCCESS", "FUNDING_CANCELED", "TERMINAL_FAILURE", "MAX_VERIFICATION_ATTEMPTS_EXCEEDED"];
  function mount(opts) {
    var el = typeof opts.container === "string" ? document.querySelector(opts.container) : opts.container;
    if (!el) throw new Error("FundlineCapture: container not found");
    var frame = document.createElement("iframe");
    var origin = new URL(opts.url, window.location.href).origin;
    frame.src = opts.url;
    frame.title = opts.title || "Payment details";
    frame.style.border = "0";
    frame.style.width = "100%";
    frame.style.minHeight = (opts.height || 620) + "px";
    function onMessage(e) {
      if (e.origin !== origin || e.source !== frame.contentWindow) return;
      var d = e.data;
      if (!d || typeof d !== "object" || EVENTS.indexOf(d.event_name) < 0) return;
      if (typeof opts.onEvent === "function") opts.onEvent(d);
    }
    window.addEventListener("message", onMessage);
    el.appendChild(frame);
    return { frame: frame, unmount: function () { window.removeEventListener("message", onMessage); frame.remove(); } };
  }
  window.FundlineCapture = { mount: mount };
})();
