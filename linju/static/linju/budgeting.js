// The participatory-budgeting ballot: counts the projects ticked (and, for a knapsack ballot,
// adds up what they ask for) and says at once when the ballot is outside its limits. The
// server checks the same limits again; this only spares a round trip.
(function () {
  "use strict";
  function fmt(text, values) {
    return text.replace(/\{(\w+)\}/g, function (_, key) { return values[key]; });
  }
  function yuan(cents) {
    var whole = Math.floor(cents / 100), fen = cents % 100;
    var text = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return fen ? text + "." + String(fen).padStart(2, "0") : text;
  }
  function cents(text) {
    var parts = String(text).split(".");
    var fen = ((parts[1] || "") + "00").slice(0, 2);
    return parseInt(parts[0], 10) * 100 + parseInt(fen, 10);
  }
  function setup(form) {
    var tally = form.querySelector("#pb-tally");
    var submit = form.querySelector("button[type=submit]");
    var boxes = form.querySelectorAll("input[name=applications]");
    var kind = form.dataset.kind, low = parseInt(form.dataset.min, 10);
    var high = parseInt(form.dataset.max, 10), budget = cents(form.dataset.budget);
    function update() {
      var n = 0, total = 0;
      boxes.forEach(function (box) {
        if (box.checked) { n += 1; total += cents(box.dataset.cost); }
      });
      var lines = [fmt(tally.dataset.textCount, { n: n })], ok = true;
      if (kind === "knapsack") {
        lines.push(fmt(tally.dataset.textTotal, { total: yuan(total), budget: yuan(budget) }));
        if (total > budget) { lines.push(tally.dataset.textOver); ok = false; }
        if (n < 1) { ok = false; }
      } else {
        if (n < low) { if (n > 0) { lines.push(tally.dataset.textFew); } ok = false; }
        if (n > high) { lines.push(tally.dataset.textMany); ok = false; }
      }
      tally.textContent = lines.join(" ");
      tally.classList.toggle("pb-over", !ok && n > 0);
      submit.disabled = !ok;
      submit.setAttribute("aria-disabled", ok ? "false" : "true");
    }
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    update();
  }
  document.querySelectorAll("form[data-pb-ballot]").forEach(setup);
})();
