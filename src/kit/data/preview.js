// Preview site (kit.preview): navbar search and the insights filter.
// Plain JavaScript, no network: the search index is a script (assets/search-index.js)
// so pages also work when opened from disk (file://), where fetch() is refused.
(function () {
  "use strict";
  var root = document.body.getAttribute("data-root") || "";

  function words(text) { return (text || "").toLowerCase().split(/\s+/).filter(Boolean); }

  function matches(entry, query) {
    var hay = (entry.t + " " + entry.x).toLowerCase();
    return query.every(function (w) { return hay.indexOf(w) >= 0; });
  }

  var input = document.getElementById("kit-search");
  var list = document.getElementById("kit-search-results");
  if (input && list) {
    input.addEventListener("input", function () {
      var query = words(input.value);
      list.textContent = "";
      if (!query.length) { list.hidden = true; return; }
      var hits = (window.KIT_SEARCH || []).filter(function (e) { return matches(e, query); }).slice(0, 12);
      if (!hits.length) {
        var none = document.createElement("li");
        none.textContent = "No matches";
        list.appendChild(none);
      }
      hits.forEach(function (e) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + e.u;
        a.textContent = e.t;
        var kind = document.createElement("small");
        kind.textContent = e.k;
        li.appendChild(a);
        li.appendChild(kind);
        list.appendChild(li);
      });
      list.hidden = false;
    });
    input.addEventListener("keydown", function (ev) {
      if (ev.key === "Escape") { input.value = ""; list.hidden = true; }
    });
  }

  // Insights and Decisions pages: category buttons (AND across the pressed ones) and a text filter.
  var cards = Array.prototype.slice.call(document.querySelectorAll(".kit-insight, .kit-decision"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll(".kit-filter button[data-category]"));
  var text = document.getElementById("insight-filter");
  var count = document.getElementById("insight-count");
  function apply() {
    var active = buttons.filter(function (b) { return b.getAttribute("aria-pressed") === "true"; })
                        .map(function (b) { return b.getAttribute("data-category"); });
    var query = words(text ? text.value : "");
    var shown = 0;
    cards.forEach(function (card) {
      var cats = JSON.parse(card.getAttribute("data-categories") || "[]");
      var ok = active.every(function (c) { return cats.indexOf(c) >= 0; }) &&
               query.every(function (w) { return card.textContent.toLowerCase().indexOf(w) >= 0; });
      card.hidden = !ok;
      if (ok) { shown += 1; }
    });
    if (count) { count.textContent = shown + " of " + cards.length + " " + (count.getAttribute("data-noun") || "insights"); }
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () {
      b.setAttribute("aria-pressed", b.getAttribute("aria-pressed") === "true" ? "false" : "true");
      apply();
    });
  });
  if (text) { text.addEventListener("input", apply); }
  var clear = document.getElementById("insight-clear");
  if (clear) {
    clear.addEventListener("click", function () {
      buttons.forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
      if (text) { text.value = ""; }
      apply();
    });
  }
  if (cards.length) { apply(); }

  // Decisions page: sort by the date of the decision; recommendations awaiting one stay last.
  var sorter = document.getElementById("decision-sort");
  if (sorter) {
    sorter.addEventListener("change", function () {
      var body = document.querySelector("#decision-listing tbody");
      var sign = sorter.value === "asc" ? 1 : -1;
      cards.slice().sort(function (a, b) {
        var da = a.getAttribute("data-date"), db = b.getAttribute("data-date");
        if (!da || !db) { return (da ? 0 : 1) - (db ? 0 : 1); }
        return da < db ? -sign : (da > db ? sign : 0);
      }).forEach(function (row) { body.appendChild(row); });
    });
  }
})();
