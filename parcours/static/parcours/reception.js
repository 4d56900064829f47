// Reception day (PFA): print buttons (no inline script: the CSP forbids it).
"use strict";

document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-parcours-print]");
  if (button) {
    window.print();
  }
});
