// Money, written exactly as the server writes it (pb.i18n.formats.money). A page carries the
// server's own description of the format in a data-money attribute (the `money_style`
// template filter), since a browser's Intl data differs from Babel's: Chromium writes
// "£ 9,000" in Welsh where the server writes "£9,000". Used by the live pages (through
// PbLive.money) and by the ballot's budget meter.
(function (global) {
  "use strict";
  var moneyStyles = null;

  function styleFor(currency) {
    if (moneyStyles === null) {
      moneyStyles = {};
      document.querySelectorAll("[data-money]").forEach(function (element) {
        try {
          var style = JSON.parse(element.getAttribute("data-money"));
          moneyStyles[style.currency] = style;
        } catch (e) { /* a page without a usable description falls back to Intl below */ }
      });
    }
    return moneyStyles[currency] || null;
  }

  function grouped(digits, shape) {
    if (!shape.primary || digits.length < shape.primary + shape.min) { return digits; }
    var parts = [digits.slice(-shape.primary)];
    var rest = digits.slice(0, -shape.primary);
    while (rest.length > shape.secondary) {
      parts.unshift(rest.slice(-shape.secondary));
      rest = rest.slice(0, -shape.secondary);
    }
    if (rest) { parts.unshift(rest); }
    return parts.join(shape.group);
  }

  function written(minor, style) {
    var unit = Math.pow(10, style.digits);
    var sign = minor < 0 ? "-" : "";
    var amount = Math.abs(Math.round(minor));
    var whole = String(Math.floor(amount / unit));
    var part = amount % unit;
    if (!part || !style.part) {
      return sign + style.whole.prefix + grouped(whole, style.whole) + style.whole.suffix;
    }
    var decimals = String(part);
    while (decimals.length < style.digits) { decimals = "0" + decimals; }
    var shape = style.part;
    return sign + shape.prefix + grouped(whole, shape) + shape.decimal + decimals + shape.suffix;
  }

  function money(minor, currency, locale) {
    var style = styleFor(currency);
    if (style) { return written(minor, style); }
    try {
      var format = new Intl.NumberFormat(locale, { style: "currency", currency: currency });
      var major = minor / Math.pow(10, format.resolvedOptions().maximumFractionDigits);
      if (major % 1 === 0) {
        format = new Intl.NumberFormat(locale, { style: "currency", currency: currency,
                                                 minimumFractionDigits: 0, maximumFractionDigits: 0 });
      }
      return format.format(major);
    } catch (e) {
      return (minor / 100).toFixed(2) + " " + currency;
    }
  }

  global.PbMoney = money;
}(window));
