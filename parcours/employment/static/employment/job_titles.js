// Fills the « job-titles » datalist from the job-title search as the agent types (issue 20).
(function () {
  "use strict";
  var list = document.getElementById("job-titles");
  if (!list) { return; }
  var url = list.getAttribute("data-url");
  var timer = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (input.getAttribute("list") !== "job-titles" || input.value.length < 2) { return; }
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      fetch(url + "?q=" + encodeURIComponent(input.value), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          list.replaceChildren();
          data.results.forEach(function (hit) {
            var option = document.createElement("option");
            option.value = hit.label;
            option.textContent = hit.rome_code + " – " + hit.occupation;
            list.appendChild(option);
          });
        });
    }, 150);
  });
})();
