/* A region that scrolls sideways (a wide table on a phone) must be reachable by keyboard
   (WCAG 2.1.1): while it overflows it joins the tab order, named after its table's caption or
   first heading. Without JavaScript the page still works: the region scrolls by touch. */
(function () {
  "use strict";
  function update() {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      var scrolls = region.scrollWidth > region.clientWidth + 1;
      if (scrolls && !region.hasAttribute("tabindex")) {
        region.setAttribute("tabindex", "0");
        region.setAttribute("role", "region");
        if (!region.hasAttribute("aria-label")) {
          region.setAttribute("aria-label", region.dataset.label || document.title);
        }
      } else if (!scrolls && region.getAttribute("tabindex") === "0") {
        region.removeAttribute("tabindex");
        region.removeAttribute("role");
      }
    });
  }
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 100);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", update);
  } else {
    update();
  }
})();
