(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var token = null;
  function say(t, cls) { $("message").textContent = t; $("message").className = cls || ""; }
  function api(path, opts) {
    opts = opts || {}; opts.headers = opts.headers || {};
    if (token) { opts.headers["Authorization"] = "Bearer " + token; }
    return fetch(path, opts).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
  }
  function cents() { var v = $("amount").value.trim(); if (!/^\d+(\.\d{1,2})?$/.test(v)) { return null; } var p = v.split("."); return parseInt(p[0], 10) * 100 + (p[1] ? parseInt((p[1] + "0").slice(0, 2), 10) : 0); }
  function quote() {
    var c = cents(); if (c === null || !$("card").value) { $("quote").textContent = ""; return; }
    api("/api/v1/checks/quote?amount=" + c + "&cardId=" + encodeURIComponent($("card").value) + "&checkType=" + $("checkType").value + "&funding=" + $("funding").value)
      .then(function (r) { if (r.status === 200) { $("quote").textContent = "Fee $" + (r.body.fee / 100).toFixed(2) + ", you get $" + (r.body.loadAmount / 100).toFixed(2); } });
  }
  function follow(id) {
    api("/api/v1/checks/" + id).then(function (r) {
      var s = r.body.status; $("status").textContent = s; $("status").setAttribute("data-status", s);
      if (s === "funded") { say("Funded: $" + (r.body.loadAmount / 100).toFixed(2) + " is on your card.", "ok"); return; }
      if (s === "declined") { say("Declined: " + r.body.declineReasonMessage, "error"); return; }
      if (s === "approved" && r.body.funding === "days") { say("Approved: the money arrives by " + r.body.expectedLoadDate.slice(0, 10) + ".", "ok"); return; }
      setTimeout(function () { follow(id); }, 700);
    });
  }
  var sso = (window.location.hash.match(/sso=([^&]+)/) || [])[1];
  history.replaceState(null, "", window.location.pathname);
  if (!sso) { say("Open this page from your card app.", "error"); return; }
  fetch("/api/v1/checks/sessions", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ssoToken: decodeURIComponent(sso) }) })
    .then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); })
    .then(function (r) {
      if (r.status !== 200) { say("This link has expired. Open check cashing again from your card app.", "error"); return; }
      token = r.body.accessToken;
      return api("/api/v1/checks/cards").then(function (c) {
        c.body.cards.forEach(function (card) { var o = document.createElement("option"); o.value = card.cardId; o.textContent = (card.cardNickname || card.programName) + " •••• " + card.lastFourDigits; $("card").appendChild(o); });
        $("form").hidden = false;
      });
    });
  ["amount", "card", "checkType", "funding"].forEach(function (id) { $(id).addEventListener("change", quote); $(id).addEventListener("input", quote); });
  $("submit").addEventListener("click", function () {
    var c = cents(); if (c === null) { say("Enter the amount, e.g. 123.45", "error"); return; }
    if (!$("front").files.length || !$("back").files.length) { say("Add both sides of the check.", "error"); return; }
    var f = new FormData();
    f.append("front", $("front").files[0]); f.append("back", $("back").files[0]);
    f.append("amount", String(c)); f.append("checkType", $("checkType").value); f.append("cardId", $("card").value);
    f.append("funding", $("funding").value); f.append("micr", $("micr").value);
    say("Uploading…");
    api("/api/v1/checks", { method: "POST", body: f }).then(function (r) {
      if (r.status !== 202) { say((r.body.validationErrors && r.body.validationErrors[0] && r.body.validationErrors[0].message) || r.body.detail || "Something went wrong.", "error"); return; }
      $("form").hidden = true; follow(r.body.transactionId);
    });
  });
})();
