// Reception day (PFA): the day sheet's keyboard shortcuts and focus after each save (issue 16).
// The shortcuts are listed on the page (reception/_keyboard_help.html). No inline script (CSP).
"use strict";

(function () {
  function typing(target) {
    return target.closest("input, select, textarea, [contenteditable]") !== null;
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-parcours-row]"));
  }

  function focusRow(row) {
    var link = row && row.querySelector("th a, h2");
    if (link) {
      if (!link.hasAttribute("href")) {
        link.setAttribute("tabindex", "-1");
      }
      link.focus();
    }
  }

  // A step form just rendered takes the focus on its first field, so that « enregistrer et
  // suivant » can be followed by typing at once.
  function focusFreshForm() {
    var form = document.querySelector("[data-parcours-fresh]");
    if (!form) {
      return false;
    }
    form.removeAttribute("data-parcours-fresh");
    var field = form.querySelector(
      "input:not([type=hidden]):not([disabled]), select, textarea, button"
    );
    if (field) {
      field.focus();
    }
    return true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("[data-parcours-day-sheet]")) {
      focusFreshForm(); // a step's own page, without JavaScript's inline forms
    }
  });

  // htmx settles the row and each out-of-band part in turn: a fresh form takes the focus,
  // else a row whose focused control was swapped away gives it to the person's name.
  document.addEventListener("htmx:afterSettle", function (event) {
    if (focusFreshForm()) {
      return;
    }
    var lost = !document.activeElement || document.activeElement === document.body;
    var target = event.detail.elt;
    if (lost && target && target.matches && target.matches("[data-parcours-row]")) {
      focusRow(document.getElementById(target.id));
    }
  });

  document.addEventListener("keydown", function (event) {
    var form = event.target.closest && event.target.closest("[data-parcours-step-form]");
    if (form) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        var next = form.querySelector("[data-parcours-next]") || form.querySelector("[type=submit]");
        event.preventDefault();
        // A click, not requestSubmit(): htmx sends the value of the button clicked.
        next.click();
      } else if (event.key === "Escape") {
        var cancel = form.querySelector("[data-parcours-cancel]");
        if (cancel) {
          event.preventDefault();
          cancel.click();
        }
      }
      return;
    }
    if (!document.querySelector("[data-parcours-day-sheet]")) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) {
      return;
    }
    var key = event.key.toLowerCase();
    var all = rows();
    var current = event.target.closest && event.target.closest("[data-parcours-row]");
    var index = current ? all.indexOf(current) : -1;
    if (key === "j" || key === "k") {
      var to = key === "j" ? index + 1 : index - 1;
      if (index === -1) {
        to = 0;
      }
      if (all[to]) {
        event.preventDefault();
        focusRow(all[to]);
      }
    } else if (current && (key === "p" || key === "a")) {
      var button = current.querySelector(
        'button[name=status][value="' + (key === "p" ? "present" : "absent") + '"]'
      );
      if (button) {
        event.preventDefault();
        button.click();
      }
    } else if (current && key === "s") {
      var step = current.querySelector("[data-parcours-todo]");
      if (step) {
        event.preventDefault();
        step.click();
      }
    }
  });
})();
