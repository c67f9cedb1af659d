/* The sale form: "add row" copies the last item row with empty fields. */
(function () {
  "use strict";
  var button = document.getElementById("add-row");
  var rows = document.getElementById("rows");
  if (!button || !rows) { return; }
  button.addEventListener("click", function () {
    var last = rows.querySelector("tr.row:last-child");
    var copy = last.cloneNode(true);
    var inputs = copy.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      inputs[i].value = inputs[i].name === "quantity" ? "1" : "";
    }
    rows.appendChild(copy);
    copy.querySelector("input").focus();
  });
})();
