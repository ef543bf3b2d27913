// The site's accessibility script, shared by both engines (kit.site writes it into the built
// site: Quarto pages load it through _quarto.yml's include-after-body, preview pages through
// preview_page.html). Plain JavaScript, no network. What it does, WCAG 2.2 AA:
// - the skip link is the first tab stop (SC 2.4.1);
// - a table wider than the column scrolls inside a named region that the keyboard can reach
//   (SC 2.1.1; axe rule scrollable-region-focusable), with a visible cue while it overflows;
// - Quarto's listing categories (divs) become buttons for the keyboard (role, tabindex,
//   Enter and Space, aria-pressed: SC 2.1.1, 4.1.2), grouped by kind ("confidence: high" goes
//   under "Confidence"; a category without a prefix is a product area or a tag), each group
//   collapsible and collapsed on a phone.
(function () {
  "use strict";
  var PHONE = window.matchMedia("(max-width: 767.98px)");

  function labelFor(table) {
    var caption = table.querySelector("caption");
    if (caption && caption.textContent.trim()) { return caption.textContent.trim(); }
    // The nearest heading before the table names it ("Responsibilities (RACI)").
    var node = table;
    while (node && node !== document.body) {
      var prev = node.previousElementSibling;
      while (prev) {
        var heading = /^H[1-6]$/.test(prev.tagName) ? prev : prev.querySelector && prev.querySelector("h1,h2,h3,h4,h5,h6");
        if (heading && heading.textContent.trim()) { return heading.textContent.trim(); }
        prev = prev.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  var regions = [];
  function scrollRegion(box, label) {
    box.classList.add("kit-scroll");
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", label + " (table)");
    var cue = document.createElement("p");
    cue.className = "kit-scroll-cue text-muted muted";
    cue.textContent = "More columns: scroll the table sideways \u2192";
    cue.hidden = true;
    box.parentNode.insertBefore(cue, box); // above the table: read before the cut-off columns
    regions.push({ box: box, cue: cue });
  }

  function wrapTables() {
    var main = document.querySelector("main");
    if (!main) { return; }
    Array.prototype.forEach.call(main.querySelectorAll("table"), function (table) {
      if (table.closest(".kit-scroll, .quarto-listing")) { return; }
      var box = document.createElement("div");
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
      scrollRegion(box, labelFor(table));
    });
    // Quarto's table listings scroll inside their own container (site-theme.scss).
    Array.prototype.forEach.call(main.querySelectorAll(".quarto-listing-table"), function (table) {
      var box = table.closest(".quarto-listing");
      if (box && !box.classList.contains("kit-scroll")) { scrollRegion(box, labelFor(box)); }
    });
  }

  // Only a region that overflows is a tab stop (and shows its cue): on a desktop the tab
  // order keeps no stop that does nothing.
  function updateRegions() {
    regions.forEach(function (r) {
      var overflows = r.box.scrollWidth > r.box.clientWidth + 1;
      if (overflows) { r.box.setAttribute("tabindex", "0"); } else { r.box.removeAttribute("tabindex"); }
      r.cue.hidden = !overflows;
    });
  }

  // A category without a prefix is a tag or a product area (one category when they differ
  // only by case: kit.site.categories), so they share a group.
  var GROUP_NAMES = { "": "Product areas and tags", "recommendation": "Recommendation status" };
  var GROUP_ORDER = ["product area", "confidence", "recommendation", "status"];
  function groupOf(text) {
    var m = /^([^:]{1,40}):\s/.exec(text);
    if (!m) { return { key: "", name: GROUP_NAMES[""] }; }
    var key = m[1].toLowerCase();
    return { key: key, name: GROUP_NAMES[key] || key.charAt(0).toUpperCase() + key.slice(1) };
  }

  function categoryButtons() {
    Array.prototype.forEach.call(document.querySelectorAll(".quarto-listing-category"), function (list) {
      var items = Array.prototype.slice.call(list.querySelectorAll(".category"));
      items.forEach(function (el) {
        el.setAttribute("role", "button");
        el.setAttribute("tabindex", "0");
        el.setAttribute("aria-pressed", el.classList.contains("active") ? "true" : "false");
        el.addEventListener("keydown", function (ev) {
          if (ev.key === "Enter" || ev.key === " ") { ev.preventDefault(); el.click(); }
        });
        // Quarto marks the chosen category with class "active": mirror it for screen readers.
        new MutationObserver(function () {
          el.setAttribute("aria-pressed", el.classList.contains("active") ? "true" : "false");
        }).observe(el, { attributes: true, attributeFilter: ["class"] });
      });
      var groups = {};
      var order = [];
      items.forEach(function (el) {
        if (!el.getAttribute("data-category")) { return; } // "All" stays on top
        var text = el.firstChild && el.firstChild.nodeType === 3 ? el.firstChild.nodeValue.trim() : "";
        var g = groupOf(text);
        if (!groups[g.key]) { groups[g.key] = { name: g.name, items: [] }; order.push(g.key); }
        // The label stays as Quarto wrote it ("confidence: high"): links and tests name it so.
        groups[g.key].items.push(el);
      });
      if (order.length < 2) { return; }
      // The order of kit.site.pages.CATEGORY_KINDS; tags, the longest group, last.
      var rank = function (key) { var i = GROUP_ORDER.indexOf(key); return key === "" ? 99 : i < 0 ? 50 : i; };
      order.sort(function (a, b) { return rank(a) - rank(b); });
      order.forEach(function (key) {
        var details = document.createElement("details");
        details.className = "kit-category-group";
        details.open = !PHONE.matches || groups[key].items.some(function (el) { return el.classList.contains("active"); });
        var summary = document.createElement("summary");
        summary.textContent = groups[key].name;
        details.appendChild(summary);
        groups[key].items.forEach(function (el) { details.appendChild(el); });
        list.appendChild(details);
      });
    });
  }

  // The preview renders its groups itself (open): collapse them on a phone.
  function collapseOnPhone() {
    if (!PHONE.matches) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".kit-filter details.kit-category-group"), function (d) {
      d.open = false;
    });
  }

  // On a phone a chart's one-line title runs past its edge (plotly never wraps it): break it
  // into lines that fit, a size smaller, with the top margin to hold them. Texts are plotly's
  // escaped text (kit.display); only whole words move, so no entity is split.
  function wrapWords(text, perLine) {
    var lines = [];
    text.split("<br>").forEach(function (part) {
      var line = "";
      part.split(" ").forEach(function (word) {
        if (line && (line + " " + word).length > perLine) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
      });
      lines.push(line);
    });
    return lines;
  }

  // Category labels under the bars are wrapped to the width of a bar and kept level: rotated
  // multi-line labels overlap one another.
  function categoryLabels(div) {
    var data = div.data || [];
    var categories = data.length && data[0].x;
    if (!categories || !categories.length || typeof categories[0] !== "string") { return null; }
    var perLine = Math.max(8, Math.floor(div.clientWidth / categories.length / 8));
    var xs = data.map(function (trace) {
      if (!trace.x || typeof trace.x[0] !== "string") { return trace.x; }
      return trace.x.map(function (x) { return wrapWords(x, perLine).join("<br>"); });
    });
    return { x: xs };
  }

  function fitCharts() {
    if (!PHONE.matches || !window.Plotly) { return; }
    Array.prototype.forEach.call(document.querySelectorAll(".kit-chart .js-plotly-plot"), function (div) {
      // Narrow side margins: plotly's 80 px each would leave the bars half the width.
      var layout = { "margin.l": 50, "margin.r": 10, "yaxis.automargin": true, "xaxis.automargin": true };
      var title = div.layout && div.layout.title;
      var text = title && typeof title === "object" ? title.text : title;
      if (typeof text === "string") {
        var lines = wrapWords(text, Math.max(16, Math.floor(div.clientWidth / 8.5))); // about 8.5 px a character at 15 px
        layout["title.text"] = lines.join("<br>");
        layout["title.font.size"] = 15;
        layout["margin.t"] = Math.max((div.layout.margin && div.layout.margin.t) || 80, 30 + 20 * lines.length);
      }
      var labels = categoryLabels(div);
      if (labels) { layout["xaxis.tickangle"] = 0; }
      window.Plotly.update(div, labels || {}, layout);
    });
  }

  function afterLoad() {
    fitCharts();
    updateRegions();
    document.documentElement.setAttribute("data-kit-a11y", "ready"); // tests wait on it
  }

  // Quarto puts include-before-body after its navbar: the skip link must be the first stop.
  function skipLinkFirst() {
    var skip = document.querySelector(".kit-skip-link");
    if (!skip) { return; }
    if (document.body.firstElementChild !== skip) { document.body.insertBefore(skip, document.body.firstChild); }
    // Move focus itself: Quarto rewrites links to index.html as "./", which turned the skip link of
    // the home page into a reload.
    skip.addEventListener("click", function (ev) {
      var target = document.getElementById(decodeURIComponent(skip.hash.slice(1)));
      if (!target) { return; }
      ev.preventDefault();
      if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
      target.focus();
      target.scrollIntoView();
    });
  }

  function start() {
    skipLinkFirst();
    wrapTables();
    categoryButtons();
    collapseOnPhone();
    updateRegions();
    window.addEventListener("resize", updateRegions);
    // Charts and late content change widths after load.
    if (document.readyState === "complete") { afterLoad(); } else { window.addEventListener("load", afterLoad); }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
