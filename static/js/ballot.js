// The ballot page's meters: the budget a knapsack ballot has used, the points given on a
// cumulative ballot and the projects ticked on an approval ballot with a limit, updated as
// the voter chooses; an error summary about the choices goes once they are right. The form
// works without this script: "Check my total" shows the same figures from the server, which
// checks every ballot and says what to change.
(function () {
  "use strict";
  var form = document.querySelector("form.ballot");
  if (!form) { return; }
  var checkTotal = document.getElementById("check-total");
  if (checkTotal) { checkTotal.hidden = true; }  // the meters below are live instead

  // A summary of what was wrong with the choices is removed as soon as they are right, so
  // it never contradicts the meter. Other errors (an expired form) stay until the next send.
  // Only a change the voter makes counts, not the meters' first reading of the page.
  var errors = document.getElementById("ballot-errors");
  var touched = false;
  var touch = function () { touched = true; };
  form.addEventListener("change", touch, true);
  form.addEventListener("input", touch, true);
  function fixed(ok) {
    if (ok && touched && errors && errors.hasAttribute("data-fixable")) { errors.textContent = ""; }
  }

  // Written exactly as the server writes money (static/js/money.js).
  function money(minor, currency, locale) {
    return window.PbMoney(minor, currency, locale);
  }

  // Without a connection the ballot is not posted: static/js/offline-guard.js.

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
      var chosen = form.querySelectorAll("input[name=pick]:checked").length;
      var needed = Math.ceil(budget * (parseInt(form.getAttribute("data-min-spend"), 10) || 0) / 100);
      fixed(chosen > 0 && !over && spent >= needed);
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

  // An approval ballot with a limit: count the ticks, and refuse one more at once, saying why
  // (the server refuses it too).
  var choiceMeter = document.getElementById("choice-meter");
  if (choiceMeter) {
    var limit = parseInt(form.getAttribute("data-limit"), 10);
    var picks = form.querySelectorAll("input[name=pick]");
    var counter = choiceMeter.querySelector(".meter-text");
    var note = document.getElementById("limit-note");
    var tick = function (event) {
      var chosen = form.querySelectorAll("input[name=pick]:checked").length;
      if (event && event.target.checked && chosen > limit) {
        event.target.checked = false;
        chosen -= 1;
        note.textContent = note.getAttribute("data-message");
        note.hidden = false;
      } else if (chosen < limit) {
        note.hidden = true;
        note.textContent = "";
      }
      counter.textContent = counter.getAttribute("data-template")
        .replace("__CHOSEN__", chosen).replace("__LIMIT__", limit);
      choiceMeter.classList.toggle("meter-over", chosen > limit);
      fixed(chosen > 0 && chosen <= limit);
    };
    picks.forEach(function (box) { box.addEventListener("change", tick); });
    tick(null);
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
      var pointsText = pointsMeter.querySelector(".meter-text");
      pointsText.textContent = pointsMeter.getAttribute("data-template")
        .replace("__USED__", used).replace("__POINTS__", points);
      pointsMeter.classList.toggle("meter-over", used > points);
      var cap = 0;
      inputs.forEach(function (input) {
        var max = parseInt(input.getAttribute("max"), 10);
        if (max && parseInt(input.value, 10) > max) { cap += 1; }
      });
      fixed(used > 0 && used <= points && cap === 0);
    };
    inputs.forEach(function (input) { input.addEventListener("input", count); });
    pointsMeter.hidden = false;
    count();
  }
})();
