// Parcours: small behaviours shared by every page. No inline script anywhere (CSP).
"use strict";

// htmx requests carry the CSRF token that Django expects (read from the page's meta tag,
// since the CSRF cookie is HTTP-only).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) {
    event.detail.headers["X-CSRFToken"] = meta.content;
  }
});
