(function () {
  var input = document.getElementById("search");
  var sections = Array.prototype.slice.call(document.querySelectorAll("section.cluster"));
  var empty = document.getElementById("empty");
  input.addEventListener("input", function () {
    var q = input.value.trim().toLowerCase();
    var shown = 0;
    sections.forEach(function (s) {
      var hit = !q || (s.getAttribute("data-search") || "").indexOf(q) !== -1;
      s.classList.toggle("hidden", !hit);
      if (hit) { shown += 1; }
    });
    empty.classList.toggle("hidden", shown !== 0);
  });
  document.body.setAttribute("data-filter", "ready");
})();
