
(function () {
  "use strict";
  function key(row, col, type) {
    var cell = row.cells[col];
    var raw = !cell ? "" : cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    if (type === "num") { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.trim().toLowerCase();
  }
  function sortBy(table, th, col) {
    var ascending = nextSort(table, th);
    var type = th.getAttribute("data-type") || "text";
    var body = table.tBodies[0];
    var keyed = Array.prototype.map.call(body.rows, function (row, index) {
      return [key(row, col, type), index, row];
    });
    keyed.sort(function (a, b) {
      var r = a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
      return r === 0 ? a[1] - b[1] : (ascending ? r : -r);
    });
    var fragment = document.createDocumentFragment();
    keyed.forEach(function (k) { fragment.appendChild(k[2]); });
    body.appendChild(fragment);
  }
  function sortable(table, sort) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.classList.add("sortable");
      th.tabIndex = 0;
      th.addEventListener("click", function () { sort(th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(th, col); }
      });
    });
  }
  function nextSort(table, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    var heads = table.tHead.rows[0].cells;
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    return ascending;
  }
  function int(n) { return n.toLocaleString("en-US"); }

  // A table whose rows live in a JSON data block (data-source): one page of them is in the DOM.
  // Each row is an array of cells, one per column: a string; [text, number or null] in a "num"
  // column (the number sorts); [left, unit, right, detail] for a snippet with its unit marked.
  function cellText(v, type) {
    if (!Array.isArray(v)) { return v; }
    if (type === "num") { return v[0]; }
    var s = v[0] + v[1] + v[2];
    return s ? (v[3] ? s + " (" + v[3] + ")" : s) : v[3];
  }
  function snippetNode(v) {
    var div = document.createElement("div");
    div.className = "snippet";
    if (!(v[0] || v[1] || v[2])) { div.textContent = v[3]; return div; }
    div.appendChild(document.createTextNode(v[0]));
    if (v[1]) { var mark = document.createElement("mark"); mark.textContent = v[1]; div.appendChild(mark); }
    div.appendChild(document.createTextNode(v[2]));
    if (v[3]) {
      var ci = document.createElement("span");
      ci.className = "ci";
      ci.textContent = "(" + v[3] + ")";
      div.appendChild(document.createTextNode(" "));
      div.appendChild(ci);
    }
    return div;
  }
  function dataTable(table) {
    var source = document.getElementById(table.getAttribute("data-source"));
    if (!source) { return; }
    var heads = table.tHead.rows[0].cells;
    var types = Array.prototype.map.call(heads, function (th) { return th.getAttribute("data-type") || "text"; });
    var body = table.tBodies[0];
    var box = document.querySelector('.filters[data-table="' + table.id + '"]');
    var search = box ? box.querySelector("input[type=search]") : null;
    var selects = box ? box.querySelectorAll("select[data-col]") : [];
    var count = box ? box.querySelector(".count") : null;
    var pager = document.querySelector('.pager[data-table="' + table.id + '"]');
    var size = parseInt(table.getAttribute("data-page-size"), 10) || 100;
    var rows = JSON.parse(source.textContent);
    var n = rows.length;
    var order = new Array(n);  // row numbers in the order of the last sort
    for (var i = 0; i < n; i++) { order[i] = i; }
    var view = order;  // those that pass the filters
    var first = 0;  // the first of view on the page
    var texts = [];  // each row's search text, made while the page is idle (or all at once when needed)
    var shown = {};
    var keys = {};

    function column(c) {  // each row's cell text in column c, trimmed (cached)
      if (!shown[c]) {
        var out = new Array(n);
        for (var i = 0; i < n; i++) { out[i] = String(cellText(rows[i][c], types[c])).trim(); }
        shown[c] = out;
      }
      return shown[c];
    }
    function sortKeys(c) {
      if (!keys[c]) {
        var out = new Array(n);
        if (types[c] === "num") {
          for (var i = 0; i < n; i++) { var v = rows[i][c][1]; out[i] = v === null ? -Infinity : v; }
        } else {
          var text = column(c);
          for (var j = 0; j < n; j++) { out[j] = text[j].toLowerCase(); }
        }
        keys[c] = out;
      }
      return keys[c];
    }
    function makeTexts(end) {  // all cells of a row, lower case, one per line (a term never spans two)
      for (var i = texts.length; i < end; i++) {
        var r = rows[i];
        var line = String(cellText(r[0], types[0])).trim();
        for (var c = 1; c < types.length; c++) { line += "\n" + String(cellText(r[c], types[c])).trim(); }
        texts.push(line.toLowerCase());
      }
    }
    function searchTexts() {
      makeTexts(n);
      return texts;
    }
    function idle() {  // the search texts in slices of 2,000 rows, none long enough to hold up a frame
      var later = window.requestIdleCallback || function (f) { return setTimeout(f, 20); };
      later(function () {
        makeTexts(Math.min(n, texts.length + 2000));
        if (texts.length < n) { idle(); }
      });
    }
    function filtered() {
      var terms = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var wanted = [];
      Array.prototype.forEach.call(selects, function (s) {
        if (s.value) { wanted.push([column(parseInt(s.getAttribute("data-col"), 10)), s.value]); }
      });
      if (!terms.length && !wanted.length) { return order; }
      var text = terms.length ? searchTexts() : null;
      var out = [];
      for (var k = 0; k < order.length; k++) {
        var i = order[k];
        var ok = true;
        for (var w = 0; ok && w < wanted.length; w++) { ok = wanted[w][0][i] === wanted[w][1]; }
        for (var t = 0; ok && t < terms.length; t++) { ok = text[i].indexOf(terms[t]) >= 0; }
        if (ok) { out.push(i); }
      }
      return out;
    }
    function rowNode(r) {
      var tr = document.createElement("tr");
      for (var c = 0; c < types.length; c++) {
        var v = r[c];
        var td = document.createElement("td");
        if (types[c] === "num") {
          td.className = "num";
          td.textContent = v[0];
          if (v[1] !== null) { td.setAttribute("data-sort", String(v[1])); }
        } else if (Array.isArray(v)) {
          td.appendChild(snippetNode(v));
        } else {
          td.textContent = v;
        }
        tr.appendChild(td);
      }
      return tr;
    }
    function status() {  // the counts and the pager's state, for rows first.. of total
      var total = view.length;
      var pages = Math.max(1, Math.ceil(total / size));
      first = Math.min(Math.max(0, first), (pages - 1) * size);
      if (count) { count.textContent = total + " of " + n + " shown"; }
      if (!pager) { return; }
      var last = Math.min(first + size, total);
      var page = Math.floor(first / size) + 1;
      pager.querySelector(".status").textContent = !total ? "No rows match"
        : "Rows " + int(first + 1) + "–" + int(last) + " of " + int(total) + " · page " + int(page) + " of "
          + int(pages);
      pager.querySelector("[data-go=first]").disabled = page === 1;
      pager.querySelector("[data-go=prev]").disabled = page === 1;
      pager.querySelector("[data-go=next]").disabled = page === pages;
      pager.querySelector("[data-go=last]").disabled = page === pages;
      var input = pager.querySelector("input.page");
      input.max = String(pages);
      input.value = String(page);
    }
    function show() {
      status();
      var last = Math.min(first + size, view.length);
      var fragment = document.createDocumentFragment();
      for (var k = first; k < last; k++) { fragment.appendChild(rowNode(rows[view[k]])); }
      body.textContent = "";
      body.appendChild(fragment);
    }
    function refilter() { view = filtered(); first = 0; show(); }
    sortable(table, function (th, c) {
      var ascending = nextSort(table, th);
      var k = sortKeys(c);
      order.sort(function (a, b) {  // stable: ties keep the order of the previous sort
        var x = k[a];
        var y = k[b];
        return x < y ? (ascending ? -1 : 1) : x > y ? (ascending ? 1 : -1) : 0;
      });
      refilter();
    });
    if (search) { search.addEventListener("input", refilter); }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", refilter); });
    if (pager) {
      pager.addEventListener("click", function (e) {
        var go = e.target.closest ? e.target.closest("button[data-go]") : null;
        if (!go) { return; }
        var where = go.getAttribute("data-go");
        first = where === "first" ? 0 : where === "prev" ? first - size : where === "next" ? first + size
          : Math.floor(Math.max(0, view.length - 1) / size) * size;
        show();
      });
      pager.querySelector("input.page").addEventListener("change", function (e) {
        var p = parseInt(e.target.value, 10);
        if (!isNaN(p)) { first = (p - 1) * size; }
        show();
      });
      pager.querySelector("select.size").addEventListener("change", function (e) {
        size = parseInt(e.target.value, 10) || size;
        first = Math.floor(first / size) * size;
        show();
      });
      pager.hidden = false;
    }
    document.querySelectorAll('.js-off[data-table="' + table.id + '"]').forEach(function (p) { p.hidden = true; });
    var filtering = (search && search.value) || Array.prototype.some.call(selects, function (s) { return s.value; });
    if (filtering) {  // the browser kept what was typed before a reload
      refilter();
    } else {
      status();  // the first page is in the HTML already
    }
    if (document.readyState === "complete") { idle(); } else { window.addEventListener("load", idle); }
  }
  document.querySelectorAll("table[data-source]").forEach(dataTable);

  document.querySelectorAll("table.sortable:not([data-source])").forEach(function (table) {
    sortable(table, function (th, col) { sortBy(table, th, col); });
  });
  document.querySelectorAll(".filters[data-table]").forEach(function (box) {
    var table = document.getElementById(box.getAttribute("data-table"));
    if (!table || table.hasAttribute("data-source")) { return; }
    var search = box.querySelector("input[type=search]");
    var selects = box.querySelectorAll("select[data-col]");
    var count = box.querySelector(".count");
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var texts = new Map(rows.map(function (row) { return [row, row.textContent.toLowerCase()]; }));
    function apply() {
      var terms = search ? search.value.toLowerCase().split(/\s+/).filter(Boolean) : [];
      var wanted = Array.prototype.map.call(selects, function (s) {
        return [parseInt(s.getAttribute("data-col"), 10), s.value];
      }).filter(function (w) { return w[1]; });
      var shown = 0;
      rows.forEach(function (row) {
        var text = texts.get(row);
        var ok = terms.every(function (t) { return text.indexOf(t) >= 0; }) && wanted.every(function (w) {
          var cell = row.cells[w[0]];
          return cell && cell.textContent.trim() === w[1];
        });
        if (row.hidden === ok) { row.hidden = !ok; }
        if (ok) { shown++; }
      });
      if (count) { count.textContent = shown + " of " + rows.length + " shown"; }
    }
    if (search) { search.addEventListener("input", apply); }
    Array.prototype.forEach.call(selects, function (s) { s.addEventListener("change", apply); });
    apply();
  });
})();
