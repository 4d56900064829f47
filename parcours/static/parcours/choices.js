// Parcours: a long list of checkboxes narrowed by a filter field (issue 16, the person form's
// languages). Progressive enhancement: without this script the list is shown whole.
"use strict";

(function () {
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_match, key) {
      return values[key];
    });
  }

  function enhance(fieldset) {
    var filter = fieldset.querySelector("[data-parcours-choices-filter]");
    var input = filter.querySelector("input");
    var status = fieldset.querySelector("[data-parcours-choices-status]");
    var items = Array.prototype.slice.call(fieldset.querySelectorAll("[data-parcours-choice]"));
    filter.hidden = false;

    function update() {
      var query = fold(input.value);
      var shown = 0;
      var selected = [];
      items.forEach(function (item) {
        var label = item.querySelector("label").textContent;
        var box = item.querySelector("input");
        // A ticked language stays in view: the list never hides a choice already made.
        var match = !query || fold(label).indexOf(query) !== -1 || box.checked;
        item.hidden = !match;
        if (match) shown += 1;
        if (box.checked) selected.push(label.trim());
      });
      var text = fill(status.dataset.templateShown, { shown: shown, total: items.length });
      text += " · " + (selected.length
        ? fill(status.dataset.templateSelected, { count: selected.length, names: selected.join(", ") })
        : status.dataset.templateNone);
      status.textContent = text;
    }

    input.addEventListener("input", update);
    fieldset.addEventListener("change", update);
    // Enter in the filter would submit the whole form: it ticks the only language left instead.
    input.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var visible = items.filter(function (item) { return !item.hidden; });
      var unticked = visible.filter(function (item) { return !item.querySelector("input").checked; });
      if (unticked.length === 1) {
        unticked[0].querySelector("input").checked = true;
        input.value = "";
        update();
      }
    });
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-parcours-choices]").forEach(enhance);
  });
})();
