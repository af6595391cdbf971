// The ballot page's meters: the budget a knapsack ballot has used, and the points given on a
// cumulative ballot, updated as the voter chooses. The form works without this script: the
// server checks every ballot and says what to change.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }

  // Written exactly as the server writes money (static/js/money.js).
  function money(minor, currency, locale) {
    return window.PbMoney(minor, currency, locale);
  }

  // Without a connection the ballot is not posted (the browser would show its own error page
  // and the choices could be lost): it stays on the page, saying why, until the phone is back.
  var offlineNote = document.getElementById("ballot-offline");
  if (offlineNote) {
    form.addEventListener("submit", function (event) {
      if (navigator.onLine !== false) { return; }
      event.preventDefault();
      offlineNote.textContent = form.getAttribute("data-offline");
      offlineNote.hidden = false;
    });
    window.addEventListener("online", function () {
      if (!offlineNote.hidden) { offlineNote.textContent = form.getAttribute("data-online"); }
    });
  }

  var budgetMeter = document.getElementById("budget-meter");
  if (budgetMeter) {
    var budget = parseInt(form.getAttribute("data-budget"), 10);
    var currency = budgetMeter.getAttribute("data-currency");
    var locale = budgetMeter.getAttribute("data-locale");
    var text = budgetMeter.querySelector(".meter-text");
    var fill = budgetMeter.querySelector(".bar-fill");
    var boxes = form.querySelectorAll("input[name=pick]");
    var update = function () {
      var spent = 0;
      boxes.forEach(function (box) {
        if (box.checked) { spent += parseInt(box.getAttribute("data-cost"), 10); }
      });
      var over = spent > budget;
      var message = over ? budgetMeter.getAttribute("data-over")
        : budgetMeter.getAttribute("data-template");
      text.textContent = message.replace("__SPENT__", money(spent, currency, locale))
        .replace("__BUDGET__", money(budget, currency, locale))
        .replace("__LEFT__", money(Math.max(budget - spent, 0), currency, locale))
        .replace("__OVER__", money(spent - budget, currency, locale));
      budgetMeter.classList.toggle("meter-over", over);
      fill.setAttribute("width", Math.min(100, budget ? 100 * spent / budget : 0).toFixed(2));
      boxes.forEach(function (box) {
        // Say which projects no longer fit, without stopping anyone from choosing them.
        var cost = parseInt(box.getAttribute("data-cost"), 10);
        var tooDear = !box.checked && spent + cost > budget;
        var item = box.closest(".ballot-project");
        item.classList.toggle("does-not-fit", tooDear);
        var note = item.querySelector(".nofit");
        if (note) { note.hidden = !tooDear; }
      });
    };
    boxes.forEach(function (box) { box.addEventListener("change", update); });
    budgetMeter.hidden = false;
    update();
  }

  var pointsMeter = document.getElementById("points-meter");
  if (pointsMeter) {
    var points = parseInt(form.getAttribute("data-points"), 10);
    var inputs = form.querySelectorAll("input.points");
    var count = function () {
      var used = 0;
      inputs.forEach(function (input) {
        var n = parseInt(input.value, 10);
        if (n > 0) { used += n; }
      });
      pointsMeter.textContent = pointsMeter.getAttribute("data-template")
        .replace("__USED__", used).replace("__POINTS__", points);
      pointsMeter.classList.toggle("meter-over", used > points);
    };
    inputs.forEach(function (input) { input.addEventListener("input", count); });
    pointsMeter.hidden = false;
    count();
  }
})();
