/* Sign-in and sign-up by text-message code: a countdown on "send again", and refusals
   (422, 429) swapped in like any answer, so the message shows where the person is looking. */
(function () {
  "use strict";

  function countDown(root) {
    root.querySelectorAll("button[data-wait]").forEach(function (button) {
      var left = parseInt(button.getAttribute("data-wait"), 10) || 0;
      if (left <= 0 || button.dataset.counting) return;
      button.dataset.counting = "1";
      var label = button.textContent;
      function tick() {
        if (left <= 0) {
          button.disabled = false;
          button.textContent = label;
          return;
        }
        button.disabled = true;
        button.textContent = label + " (" + left + ")";
        left -= 1;
        window.setTimeout(tick, 1000);
      }
      tick();
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if ((status === 422 || status === 429) && event.detail.target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    countDown(event.detail.target.ownerDocument);
    var field = document.querySelector("[data-swap-errors] .has-error input, [data-swap-errors] .code-input");
    if (field) field.focus();
  });

  document.addEventListener("DOMContentLoaded", function () { countDown(document); });
})();
