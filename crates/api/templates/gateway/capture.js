(function () {
  "use strict";
  {#- `config` is JSON made safe for a script element by `pages::script_json`. #}
  var CONFIG = {{ config|safe }};
  var form = document.getElementById("form");
  var status = document.getElementById("status");
  var host = new URL(CONFIG.host);
  // The tenant's cvv_required setting: ask for the security code.
  if (CONFIG.cvvRequired) document.getElementById("cvv-row").hidden = false;

  // Events go to the session's host only. A host without a port allows any
  // port: the actual parent origin is used if its scheme and host match.
  function parentOrigin() {
    if (host.port) return host.origin;
    var candidate = null;
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) candidate = window.location.ancestorOrigins[0];
    else if (document.referrer) { try { candidate = new URL(document.referrer).origin; } catch (e) { candidate = null; } }
    if (!candidate) return null;
    var c = new URL(candidate);
    return (c.protocol === host.protocol && c.hostname === host.hostname) ? c.origin : null;
  }
  function post(ev) {
    var target = parentOrigin();
    if (ev && target && window.parent !== window) window.parent.postMessage(ev, target);
  }

  function destination() {
    var r = form.querySelector("input[name=destination]:checked");
    return r ? r.value : "";
  }
  function showDestination() {
    var d = destination();
    form.querySelectorAll("fieldset[data-for]").forEach(function (fs) { fs.hidden = fs.getAttribute("data-for") !== d; });
  }
  form.querySelectorAll("input[name=destination]").forEach(function (r) {
    if (CONFIG.destinations.indexOf(r.value) < 0) r.closest("label").hidden = true;
    r.addEventListener("change", showDestination);
  });
  showDestination();

  function value(id) { var el = document.getElementById(id); return el ? el.value : ""; }
  function clearErrors() {
    form.querySelectorAll(".err").forEach(function (p) { p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); el.removeAttribute("aria-describedby"); });
  }
  function showErrors(errors) {
    var first = null;
    Object.keys(errors || {}).forEach(function (k) {
      var suffix = k === "account_number" ? (destination() === "bill_pay" ? "-err-bill" : "-err-bank") : "-err";
      var p = document.getElementById(k + suffix);
      var input = document.getElementById(k === "account_number" ? (destination() === "bill_pay" ? "account_number_bill" : "account_number_bank") : k);
      if (p) p.textContent = errors[k].join(" ");
      if (input) { input.setAttribute("aria-invalid", "true"); if (p) input.setAttribute("aria-describedby", p.id); if (!first) first = input; }
    });
    if (first) first.focus();
  }
  function wipeSensitive() {
    ["card_number", "expiry", "cvv", "routing_number", "account_number_bank", "account_number_bill"].forEach(function (id) {
      var el = document.getElementById(id); if (el) el.value = "";
    });
  }
  function finish() {
    wipeSensitive();
    form.querySelectorAll("input, select, button").forEach(function (el) { el.disabled = true; });
  }
  function call(path, body) {
    return fetch("/session/" + encodeURIComponent(CONFIG.session) + path, {
      method: "POST",
      headers: { "content-type": "application/json", "x-page-token": CONFIG.pageToken },
      body: JSON.stringify(body || {}),
      credentials: "omit"
    }).then(function (r) { return r.json(); });
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearErrors();
    var d = destination();
    var body = {
      destination: d, first_name: value("first_name"), last_name: value("last_name"), address1: value("address1"),
      address2: value("address2"), city: value("city"), state: value("state"), zip: value("zip")
    };
    if (d === "debit_card") {
      body.card_number = value("card_number"); body.expiry = value("expiry");
      if (CONFIG.cvvRequired) body.cvv = value("cvv");
    }
    if (d === "bank_account") { body.routing_number = value("routing_number"); body.account_number = value("account_number_bank"); }
    if (d === "bill_pay") { body.payee_id = value("payee_id"); body.account_number = value("account_number_bill"); }
    document.getElementById("submit").disabled = true;
    status.textContent = "Checking…";
    call("/submit", body).then(function (r) {
      status.textContent = r.message || "";
      if (r.outcome === "invalid") showErrors(r.errors);
      if (r.outcome === "success" || r.outcome === "closed") { finish(); post(r.event); }
      else document.getElementById("submit").disabled = false;
    }).catch(function () {
      status.textContent = "Something went wrong. Please try again.";
      document.getElementById("submit").disabled = false;
    });
  });

  document.getElementById("cancel").addEventListener("click", function () {
    call("/cancel").then(function (r) { status.textContent = r.message || ""; finish(); post(r.event); })
      .catch(function () { finish(); });
  });

  var search = document.getElementById("payee_search");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch("/session/" + encodeURIComponent(CONFIG.session) + "/payees?q=" + encodeURIComponent(search.value), {
        headers: { "x-page-token": CONFIG.pageToken }, credentials: "omit"
      }).then(function (r) { return r.json(); }).then(function (r) {
        var sel = document.getElementById("payee_id");
        sel.textContent = "";
        (r.payees || []).forEach(function (p) {
          var o = document.createElement("option"); o.value = p.payee_id; o.textContent = p.payee_name; sel.appendChild(o);
        });
        if (!sel.options.length) { var o = document.createElement("option"); o.value = ""; o.textContent = "No match"; sel.appendChild(o); }
      });
    }, 250);
  });
})();
