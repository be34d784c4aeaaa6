/* A file question's input in the page's language: the browser draws its own button
   and "no file chosen" in the browser's language. This shows the button and the
   chosen file's name the server wrote beside the input (questionnaires/
   upload_types._picker) and hides the input from sight only: it keeps the focus,
   Enter and Space open the chooser, and the question's label names it. Without this
   script the input shows as the browser draws it. */
(function () {
  "use strict";
  var pickers = document.querySelectorAll(".upload-picker");
  Array.prototype.forEach.call(pickers, function (box) {
    var input = box.querySelector("input[type=file]");
    var button = box.querySelector(".upload-button");
    var name = box.querySelector(".upload-name");
    if (!input || !button || !name) return;
    function show() {
      var files = input.files, names = [];
      for (var i = 0; files && i < files.length; i++) names.push(files[i].name);
      name.textContent = names.length ? names.join(", ") : name.getAttribute("data-none");
      box.classList.toggle("chosen", names.length > 0);
    }
    var described = (input.getAttribute("aria-describedby") || "").split(" ");
    if (described.indexOf(name.id) < 0) described.push(name.id);
    input.setAttribute("aria-describedby", described.join(" ").trim());
    input.addEventListener("change", show);
    button.hidden = name.hidden = false;
    box.classList.add("enhanced");
    show();
  });
})();
