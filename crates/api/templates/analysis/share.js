(function () {
  "use strict";
  var base = window.location.pathname.replace(/\/$/, "");
  var $ = function (id) { return document.getElementById(id); };
  function say(text, cls) { var m = $("message"); m.textContent = text; m.className = cls || ""; }
  function setStatus(s) { var e = $("status"); e.textContent = s; e.setAttribute("data-status", s); }
  function poll() {
    fetch(base + "/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (b) {
      setStatus(b.status);
      if (b.status === "Completed") { say("Thank you: your report is complete. You may close this page.", "ok"); return; }
      if (b.status === "Failed") { say("We could not analyse your data. Your lender will contact you.", "error"); return; }
      if (b.status === "Processing") { setTimeout(poll, 1000); }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  function shared(r) {
    return r.json().then(function (b) {
      if (r.status === 202) { $("share-step").disabled = true; say("Received. Analysing…", "ok"); setStatus("Processing"); poll(); }
      else { say(b.error || "Something went wrong.", "error"); }
    });
  }
  $("consent").addEventListener("change", function () { $("consent-button").disabled = !this.checked; });
  $("consent-button").addEventListener("click", function () {
    fetch(base + "/consent", { method: "POST" }).then(function (r) {
      if (r.ok) { $("consent-step").disabled = true; $("share-step").disabled = false; say(""); }
      else { r.json().then(function (b) { say(b.error || "Something went wrong.", "error"); }); }
    });
  });
  $("upload").addEventListener("click", function () {
    var files = $("file").files;
    if (!files.length) { say("Choose at least one statement file.", "error"); return; }
    var form = new FormData();
    for (var i = 0; i < files.length; i++) { form.append("file", files[i], files[i].name); }
    say("Uploading…");
    fetch(base + "/statements", { method: "POST", body: form }).then(shared).catch(function () { say("The upload failed; try again.", "error"); });
  });
  if ($("sandbox")) $("sandbox").addEventListener("click", function () {
    fetch(base + "/sandbox-bank", { method: "POST" }).then(shared).catch(function () { say("Something went wrong; try again.", "error"); });
  });
  fetch(base + "/status", { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (b) {
    if (b.consented) { $("consent-step").disabled = true; $("consent").checked = true; $("share-step").disabled = false; }
  });
})();
