/* The sale form: "add item" copies the last item row with empty fields and fresh ids (every
   input keeps its visible label); errors shown on the copied row are not copied. */
(function () {
  "use strict";
  var button = document.getElementById("add-row");
  var rows = document.getElementById("rows");
  if (!button || !rows) { return; }
  button.addEventListener("click", function () {
    var last = rows.querySelector(".row:last-child");
    var index = rows.querySelectorAll(".row").length;
    var copy = last.cloneNode(true);
    copy.setAttribute("data-row", String(index));
    var errors = copy.querySelectorAll(".field-error");
    for (var e = 0; e < errors.length; e++) { errors[e].parentNode.removeChild(errors[e]); }
    var inputs = copy.querySelectorAll("input");
    for (var i = 0; i < inputs.length; i++) {
      var input = inputs[i];
      var id = input.name + "-" + index;
      var label = copy.querySelector("label[for='" + input.id + "']");
      if (label) { label.setAttribute("for", id); }
      input.id = id;
      input.value = input.name === "quantity" ? "1" : "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.removeAttribute("autofocus");
    }
    rows.appendChild(copy);
    copy.querySelector("input").focus();
  });
})();
