// WebAuthn ceremonies for the selfcare (level 3). Served from our origin, so the
// page's Content-Security-Policy (script-src 'self') allows it. A form marked
// data-webauthn="register" or "sign-in" fetches its options from data-options,
// asks the browser for the key, and submits the answer as JSON in its hidden
// "credential" field.
(function () {
  "use strict";
  function fromB64url(s) {
    s = s.replace(/-/g, "+").replace(/_/g, "/");
    while (s.length % 4) s += "=";
    var bin = atob(s), out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toB64url(buf) {
    var bytes = new Uint8Array(buf), bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function decodeOptions(kind, o) {
    var pk = o.publicKey;
    pk.challenge = fromB64url(pk.challenge);
    if (kind === "register") {
      pk.user.id = fromB64url(pk.user.id);
      (pk.excludeCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
    } else {
      (pk.allowCredentials || []).forEach(function (c) { c.id = fromB64url(c.id); });
    }
    return o;
  }
  function encode(kind, cred) {
    var r = cred.response, out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      extensions: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (kind === "register") {
      out.response.attestationObject = toB64url(r.attestationObject);
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      out.response.userHandle = r.userHandle ? toB64url(r.userHandle) : null;
    }
    return out;
  }
  document.querySelectorAll("form[data-webauthn]").forEach(function (form) {
    var kind = form.getAttribute("data-webauthn");
    var status = form.querySelector("[data-status]");
    form.addEventListener("submit", function (event) {
      if (form.credential.value) return; // the answer is in: let it go
      event.preventDefault();
      if (!window.PublicKeyCredential) {
        if (status) status.textContent = status.getAttribute("data-unsupported");
        return;
      }
      var body = new URLSearchParams();
      body.set("csrf", form.csrf.value);
      fetch(form.getAttribute("data-options"), { method: "POST", body: body, credentials: "same-origin" })
        .then(function (r) { if (!r.ok) throw new Error("options " + r.status); return r.json(); })
        .then(function (o) {
          o = decodeOptions(kind, o);
          return kind === "register" ? navigator.credentials.create(o) : navigator.credentials.get(o);
        })
        .then(function (cred) {
          form.credential.value = JSON.stringify(encode(kind, cred));
          form.submit();
        })
        .catch(function (e) {
          if (status) status.textContent = status.getAttribute("data-failed") + " (" + e.name + ")";
        });
    });
  });
})();
