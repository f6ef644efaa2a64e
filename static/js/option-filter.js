/* A search box that filters the options of a multi-select (the schedule's recipients).
 *
 * The box is rendered hidden next to its <select multiple> (lms.reports.forms.SearchableSelect);
 * this script shows it and hides the options whose text does not contain every word typed
 * (case and accents ignored). Selected options always stay visible, so nothing chosen is
 * hidden from view; a polite live region says how many options are shown. Without
 * JavaScript the page keeps the plain multi-select.
 */
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function setUp(box) {
    var select = document.getElementById(box.getAttribute("data-option-filter"));
    var input = box.querySelector("input[type=search]");
    var status = box.querySelector("[role=status]");
    if (!select || !input) {
      return;
    }
    var options = Array.prototype.slice.call(select.options);
    var texts = options.map(function (option) { return fold(option.text); });
    var template = status ? status.getAttribute("data-status-template") || "" : "";
    var empty = status ? status.getAttribute("data-empty-template") || "" : "";

    function apply() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      options.forEach(function (option, index) {
        var match = words.every(function (word) { return texts[index].indexOf(word) !== -1; });
        var visible = match || option.selected;
        option.hidden = !visible;
        if (visible) {
          shown += 1;
        }
      });
      if (status) {
        var counted = template.replace("%(shown)s", shown).replace("%(total)s", options.length);
        status.textContent = !words.length ? "" : shown ? counted : empty;
      }
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault(); // searching never submits the form
      }
    });
    box.hidden = false;
  }

  function init() {
    var boxes = document.querySelectorAll("[data-option-filter]");
    Array.prototype.forEach.call(boxes, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
