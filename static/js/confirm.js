/* A destructive form asks first: a form with data-confirm="question" is submitted only when
 * the question is answered OK. The question is in the page (data-confirm), not in a script,
 * so the Content-Security-Policy allows no inline script at all. Without JavaScript the form
 * is submitted as is (the action stays reachable; only the question is missing).
 */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form instanceof HTMLFormElement ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
})();
