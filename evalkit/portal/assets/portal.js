/* evalkit portal: turns the page's JSON (<script type="application/json" id="ek-data">) into
   tables and charts. Shipped with evalkit, no library, no network.
   Safety: every text from the data is set with textContent or setAttribute, never innerHTML;
   links are the site's own relative paths (checked), their query strings built by URLSearchParams. */
(function () {
  "use strict";
  var doc = document, root = doc.documentElement;
  var SVG = "http://www.w3.org/2000/svg";
  /* Okabe-Ito (colour-blind safe, as the reports' charts), with a marker and a dash each */
  var COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
  var DASHES = ["", "6 4", "2 3", "8 3 2 3", "1 2", "4 4"];

  function readJSON(id) {
    var node = doc.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }
  var M = readJSON("ek-messages"), D = readJSON("ek-data");
  var base = root.getAttribute("data-root") || "";
  var page = root.getAttribute("data-page");
  var query = new URLSearchParams(window.location.search);
  var lang = M[query.get("lang")] ? query.get("lang") : root.getAttribute("data-language");

  /* ---- helpers ---------------------------------------------------------------------- */
  function t(key, fields) {
    var text = M[lang][key];
    if (text === undefined) return key;
    if (!fields) return text;
    return text.replace(/\{(\w+)\}/g, function (all, name) {
      return fields[name] === undefined || fields[name] === null ? all : String(fields[name]);
    });
  }
  function el(tag, attrs, kids) {
    var node = doc.createElement(tag);
    var name;
    for (name in attrs || {}) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    (kids || []).forEach(function (kid) {
      if (kid === null || kid === undefined || kid === "") return;
      node.appendChild(typeof kid === "string" ? doc.createTextNode(kid) : kid);
    });
    return node;
  }
  function svg(tag, attrs, text) {
    var node = doc.createElementNS(SVG, tag);
    for (var name in attrs) node.setAttribute(name, String(attrs[name]));
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }
  function byId(id) { return doc.getElementById(id); }
  var SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]*$/;
  /* a path of the site (from the reports folder) as a link from this page, or null */
  function href(path, params) {
    if (!path || !SAFE_PATH.test(path) || path.indexOf("..") >= 0) return null;
    var q = new URLSearchParams(params || {});
    if (lang !== D.language && (path === "index.html" || /^portal\/.*\.html$/.test(path))) q.set("lang", lang);
    var s = q.toString();
    return base + path + (s ? "?" + s : "");
  }
  function link(path, text, attrs, params) {
    var target = href(path, params);
    var a = el(target ? "a" : "span", attrs || {}, [text]);
    if (target) a.setAttribute("href", target);
    return a;
  }
  function uname(u) { return u ? (lang === "zh" ? u.zh : u.en) : ""; }
  function lab(kind, code) {
    var l = D.labels && D.labels[kind] && D.labels[kind][code];
    return l ? l[lang] : (code === null || code === undefined ? t("missing") : String(code));
  }
  function bands(year) { return (D.grades && D.grades[String(year)]) || []; }
  function band(year, grade) {
    var list = bands(year);
    for (var i = 0; i < list.length; i++) if (list[i].name === grade) return list[i];
    return null;
  }
  function gradeCell(year, grade, provisional) {
    var b = band(year, grade);
    var text = grade === null || grade === undefined ? t("missing") : (b ? b[lang] : String(grade));
    if (provisional && b) text += t("provisional_mark");
    return el("span", {"class": "ek-grade ek-grade-" + (b ? b.style : "other")}, [text]);
  }
  function change(n) {
    if (n === null || n === undefined) return t("missing");
    return n > 0 ? t("change_up", {n: n}) : n < 0 ? t("change_down", {n: -n}) : t("change_same");
  }
  function changeCell(n) {
    var cls = n > 0 ? "ek-up" : n < 0 ? "ek-down" : "";
    var span = el("span", {"class": cls}, [change(n)]);
    return span;
  }
  function flags(r) {
    var out = el("span", {"class": "ek-flags"});
    if (r.veto) out.appendChild(el("span", {"class": "ek-flag ek-flag-veto"}, [t("flag_veto")]));
    if (r.bar_top) out.appendChild(el("span", {"class": "ek-flag ek-flag-bar"}, [t("flag_bar_top")]));
    if (r.provisional) out.appendChild(el("span", {"class": "ek-flag ek-flag-prov"}, [t("flag_provisional")]));
    if (r.attention) out.appendChild(el("span", {"class": "ek-flag ek-flag-att"}, [t("flag_attention")]));
    return out;
  }
  function reportLinks(r, name) {
    var out = el("span", {"class": "ek-reports"});
    if (r.html) out.appendChild(link(r.html, t("link_html"), {"aria-label": t("link_html_label", {name: name, year: r.year}), "class": "ek-report-html"}));
    if (r.pdf) out.appendChild(link(r.pdf, t("link_pdf"), {"aria-label": t("link_pdf_label", {name: name, year: r.year}), "class": "ek-report-pdf", type: "application/pdf"}));
    return out;
  }
  /* a table in a focusable scroll region (keyboard users can scroll it) */
  function table(caption, head, rows, attrs) {
    var thead = el("thead", {}, [el("tr", {}, head.map(function (h) {
      return h.nodeType ? h : el("th", {scope: "col"}, [h]);
    }))]);
    var tbody = el("tbody", {}, rows);
    var tab = el("table", attrs || {}, [el("caption", {}, [caption]), thead, tbody]);
    return el("div", {"class": "ek-scroll", role: "region", tabindex: "0", "aria-label": caption}, [tab]);
  }
  function td(kid, cls) { return el("td", {"class": cls || null}, [kid]); }
  function nh(text) { return el("th", {scope: "col", "class": "ek-num"}, [text]); }
  function num(text) { return text === null || text === undefined ? null : parseFloat(String(text).replace(/,/g, "")); }
  function setQuery(params) {
    var q = new URLSearchParams(params);
    if (lang !== D.language) q.set("lang", lang);
    var s = q.toString();
    try { window.history.replaceState(null, "", window.location.pathname + (s ? "?" + s : "")); } catch (e) { /* file:// may refuse */ }
  }

  /* ---- a line chart (SVG built node by node) -------------------------------------- */
  function lineChart(series, years, label) {
    var W = 640, H = 240, L = 48, R = 150, T = 14, B = 30;
    var values = [];
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] !== null) values.push(p[1]); }); });
    if (!values.length || !years.length) return null;
    var lo = Math.floor(Math.min.apply(null, values) - 2), hi = Math.ceil(Math.max.apply(null, values) + 2);
    if (hi > 100 && Math.max.apply(null, values) <= 100) hi = 100;
    if (lo >= hi) lo = hi - 4;
    hi = lo + 4 * Math.ceil((hi - lo) / 4);  /* four whole-number steps */
    function x(year) {
      var i = years.indexOf(year);
      return years.length === 1 ? L + (W - L - R) / 2 : L + i * (W - L - R) / (years.length - 1);
    }
    function y(v) { return T + (hi - v) * (H - T - B) / (hi - lo); }
    var chart = svg("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "class": "ek-chart", "aria-label": label});
    chart.appendChild(svg("title", {}, label));
    var ticks = 4;
    for (var k = 0; k <= ticks; k++) {
      var v = lo + (hi - lo) * k / ticks;
      chart.appendChild(svg("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), "class": "ek-grid"}));
      chart.appendChild(svg("text", {x: L - 6, y: y(v) + 4, "text-anchor": "end", "class": "ek-axis"}, v.toFixed(0)));
    }
    years.forEach(function (year) {
      chart.appendChild(svg("text", {x: x(year), y: H - 8, "text-anchor": "middle", "class": "ek-axis"}, String(year)));
    });
    series.forEach(function (s, i) {
      var colour = COLOURS[i % COLOURS.length];
      var pts = s.points.filter(function (p) { return p[1] !== null; });
      if (pts.length > 1) {
        chart.appendChild(svg("polyline", {points: pts.map(function (p) { return x(p[0]) + "," + y(p[1]); }).join(" "),
          fill: "none", stroke: colour, "stroke-width": 2.2, "stroke-dasharray": DASHES[i % DASHES.length]}));
      }
      pts.forEach(function (p) {
        var cx = x(p[0]), cy = y(p[1]), shape = i % 3;
        var mark = shape === 0 ? svg("circle", {cx: cx, cy: cy, r: 4}) :
          shape === 1 ? svg("rect", {x: cx - 4, y: cy - 4, width: 8, height: 8}) :
          svg("polygon", {points: cx + "," + (cy - 5) + " " + (cx - 5) + "," + (cy + 4) + " " + (cx + 5) + "," + (cy + 4)});
        mark.setAttribute("fill", colour);
        chart.appendChild(mark);
      });
      var last = pts[pts.length - 1];
      if (last) chart.appendChild(svg("text", {x: x(last[0]) + 9, y: y(last[1]) + 4 + (i - (series.length - 1) / 2) * 2,
        fill: colour, "class": "ek-series"}, s.name));
    });
    return el("figure", {"class": "ek-figure", "aria-hidden": null}, [chart]);
  }

  /* ---- static words -------------------------------------------------------------- */
  function applyWords() {
    root.setAttribute("lang", t("html_lang"));
    Array.prototype.forEach.call(doc.querySelectorAll("[data-msg]"), function (node) {
      var key = node.getAttribute("data-msg");
      node.textContent = key === "site_subtitle" ? t(key, {years: node.getAttribute("data-years")}) : t(key);
    });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-msg-aria]"), function (node) {
      node.setAttribute("aria-label", t(node.getAttribute("data-msg-aria")));
    });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-msg-placeholder]"), function (node) {
      node.setAttribute("placeholder", t(node.getAttribute("data-msg-placeholder")));
    });
    Array.prototype.forEach.call(doc.querySelectorAll("[data-nav]"), function (node) {
      var target = href(node.getAttribute("data-nav"));
      if (target) node.setAttribute("href", target);
    });
    var button = byId("ek-lang");
    button.setAttribute("lang", lang === "zh" ? "en" : "zh-CN");
  }
  function options(select, items, keep) {
    var value = keep === undefined ? select.value : keep;
    clear(select);
    items.forEach(function (it) { select.appendChild(el("option", {value: it[0]}, [it[1]])); });
    if (items.some(function (it) { return it[0] === value; })) select.value = value;
  }

  /* ---- index: league tables, warnings, trend ------------------------------------- */
  var state = {year: null, sort: "rank", dir: 1};
  var COLUMNS = [
    ["rank", "col_rank", "num"], ["name", "col_unit", ""], ["id", "col_id", ""], ["class", "col_class", ""],
    ["score", "col_score", "num"], ["grade", "col_grade", ""], ["change", "col_change", "num"],
    [null, "col_flags", ""], [null, "col_reports", ""]];

  function sortValue(r, key) {
    if (key === "rank") return r.rank;
    if (key === "score") return num(r.score);
    if (key === "change") return r.change;
    if (key === "name") return uname(D.units[r.id]);
    if (key === "id") return r.id;
    if (key === "class") return lab("unit_class", r["class"]);
    if (key === "grade") {
      var list = bands(r.year);
      for (var i = 0; i < list.length; i++) if (list[i].name === r.grade) return i;
      return null;
    }
    return null;
  }
  function compareRows(a, b) {
    var va = sortValue(a, state.sort), vb = sortValue(b, state.sort);
    if (va === null || va === undefined) return vb === null || vb === undefined ? tieBreak(a, b) : 1;
    if (vb === null || vb === undefined) return -1;
    var c = typeof va === "number" ? va - vb : String(va).localeCompare(String(vb), t("html_lang"));
    return c !== 0 ? c * state.dir : tieBreak(a, b);
  }
  function tieBreak(a, b) {
    var ra = a.rank === null ? 1e9 : a.rank, rb = b.rank === null ? 1e9 : b.rank;
    return ra !== rb ? ra - rb : (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  }
  function filters() {
    return {group: byId("ek-f-group").value, cls: byId("ek-f-class").value, grade: byId("ek-f-grade").value,
      prov: byId("ek-f-provisional").value, q: byId("ek-search").value.trim().toLowerCase()};
  }
  function matches(r, f) {
    if (f.group && r.group !== f.group) return false;
    if (f.cls && r["class"] !== f.cls) return false;
    if (f.grade && r.grade !== f.grade) return false;
    if (f.prov === "only" && !r.provisional) return false;
    if (f.prov === "none" && r.provisional) return false;
    if (f.q) {
      var u = D.units[r.id] || {};
      var hay = [r.id, u.zh, u.en].join("\n").toLowerCase();
      if (hay.indexOf(f.q) < 0) return false;
    }
    return true;
  }
  function sortHeader(col) {
    var key = col[0], th = el("th", {scope: "col", "class": col[2] === "num" ? "ek-num" : null});
    if (!key) { th.textContent = t(col[1]); return th; }
    var active = state.sort === key;
    th.setAttribute("aria-sort", active ? (state.dir > 0 ? "ascending" : "descending") : "none");
    var button = el("button", {type: "button", "class": "ek-sort", "data-sort": key,
      "aria-label": t("sort_by", {column: t(col[1])}) + (active ? " (" + t(state.dir > 0 ? "sorted_ascending" : "sorted_descending") + ")" : "")},
      [t(col[1]), el("span", {"aria-hidden": "true", "class": "ek-arrow"}, [active ? (state.dir > 0 ? "▲" : "▼") : "↕"])]);
    button.addEventListener("click", function () {
      /* a first click puts the best first: highest score, biggest rise, first rank */
      if (state.sort === key) state.dir = -state.dir; else { state.sort = key; state.dir = key === "score" || key === "change" ? -1 : 1; }
      renderLeague();
      var again = doc.querySelector('button.ek-sort[data-sort="' + key + '"]');
      if (again) again.focus();
    });
    th.appendChild(button);
    return th;
  }
  function renderLeague() {
    var f = filters(), year = state.year;
    var all = D.rows.filter(function (r) { return r.year === year; });
    var shown = 0, box = clear(byId("ek-league"));
    D.groups.forEach(function (group) {
      if (f.group && f.group !== group) return;
      var rows = all.filter(function (r) { return r.group === group; });
      if (!rows.length) return;
      var list = rows.filter(function (r) { return matches(r, f); }).sort(compareRows);
      shown += list.length;
      var caption = t("league_group_caption", {year: year, group: lab("peer_group", group)});
      var body = list.map(function (r) {
        var u = D.units[r.id], name = uname(u);
        var rank = r.rank === null ? t("missing") : String(r.rank) + (r.tied ? t("rank_tied") : "");
        return el("tr", {"data-id": r.id}, [
          td(rank, "ek-num"),
          el("th", {scope: "row"}, [link(u.page, name, {"class": "ek-unit-link"})]),
          td(r.id, "ek-id"), td(lab("unit_class", r["class"])), td(r.score === null ? t("missing") : r.score, "ek-num ek-score"),
          td(gradeCell(year, r.grade, r.provisional)), td(changeCell(r.change), "ek-num"), td(flags(r)), td(reportLinks(r, name))]);
      });
      if (!list.length) body = [el("tr", {}, [el("td", {colspan: COLUMNS.length, "class": "ek-muted"}, [t("no_match")])])];
      var head = COLUMNS.map(sortHeader);
      box.appendChild(table(caption, head, body, {"class": "ek-league", "data-group": group}));
    });
    byId("ek-status").textContent = t("shown", {n: shown, total: all.length});
  }
  function renderWarnings() {
    var year = state.year, box = clear(byId("ek-warnings"));
    var flagged = D.warnings.filter(function (w) { return w.year === year; });
    var rects = D.rectifications.filter(function (r) { return r.year === year; });
    if (!flagged.length && !rects.length) { box.appendChild(el("p", {"class": "ek-muted"}, [t("warnings_none")])); return; }
    if (flagged.length) {
      box.appendChild(table(t("attention_heading"), [t("col_unit"), t("col_group"), t("col_reasons")], flagged.map(function (w) {
        var u = D.units[w.id];
        return el("tr", {}, [el("th", {scope: "row"}, [link(u.page, uname(u))]), td(lab("peer_group", u.group)),
          td(w.reasons[lang].join(t("list_sep")))]);
      }), {"class": "ek-warn-table", id: "ek-attention"}));
    }
    if (rects.length) {
      box.appendChild(table(t("rect_heading"), [t("col_unit"), t("col_rect_source"), t("col_rect_deadline"), t("col_flags")], rects.map(function (r) {
        var u = D.units[r.id] || {zh: r.id, en: r.id, page: null};
        return el("tr", {}, [el("th", {scope: "row"}, [link(u.page, uname(u))]), td(lab("rect_source", r.source)),
          td(r.deadline || t("missing")), td(el("span", {"class": "ek-flag ek-flag-veto"}, [t("rect_overdue")]))]);
      }), {"class": "ek-warn-table", id: "ek-rectifications"}));
    }
  }
  function renderTrend() {
    var box = clear(byId("ek-trend"));
    var groups = [""].concat(D.groups);
    var series = groups.map(function (g) {
      return {name: g ? lab("peer_group", g) : t("group_all"), points: D.years.map(function (y) {
        var row = D.trend.filter(function (r) { return r.year === y && r.group === g; })[0];
        return [y, row && row.mean_value !== null ? row.mean_value : null];
      })};
    });
    var chart = lineChart(series, D.years, t("trend_chart_label"));
    if (chart) box.appendChild(chart);
    var rows = D.trend.slice().sort(function (a, b) { return b.year - a.year || groups.indexOf(a.group) - groups.indexOf(b.group); });
    box.appendChild(table(t("trend_table_caption"), [t("col_year"), t("col_group"), nh(t("col_units")), nh(t("col_mean")), nh(t("col_median")), t("col_grades")],
      rows.map(function (r) {
        var grades = r.grades.map(function (g) { var b = band(r.year, g[0]); return t("grade_count", {grade: b ? b[lang] : g[0], n: g[1]}); });
        return el("tr", {}, [el("th", {scope: "row"}, [t("year_value", {year: r.year})]),
          td(r.group ? lab("peer_group", r.group) : t("group_all")), td(String(r.n), "ek-num"),
          td(r.mean === null ? t("missing") : r.mean, "ek-num"), td(r.median === null ? t("missing") : r.median, "ek-num"),
          td(grades.join(t("list_sep")))]);
      }), {"class": "ek-trend-table"}));
  }
  function renderOverviewLinks() {
    var box = clear(byId("ek-overview-links")), links = D.overviews[String(state.year)];
    if (!links) return;
    if (links.html) box.appendChild(link(links.html, t("overview_link", {year: state.year})));
    if (links.pdf) { box.appendChild(doc.createTextNode(" · ")); box.appendChild(link(links.pdf, t("overview_pdf_link"), {"aria-label": t("overview_link", {year: state.year}) + " (PDF)"})); }
  }
  function indexControls() {
    var years = D.years.slice().reverse();
    options(byId("ek-year"), years.map(function (y) { return [String(y), t("year_value", {year: y})]; }), String(state.year));
    options(byId("ek-f-group"), [["", t("opt_all")]].concat(D.groups.map(function (g) { return [g, lab("peer_group", g)]; })));
    options(byId("ek-f-class"), [["", t("opt_all")]].concat(D.classes.map(function (c) { return [c, lab("unit_class", c)]; })));
    options(byId("ek-f-grade"), [["", t("opt_all")]].concat(bands(state.year).map(function (b) { return [b.name, b[lang]]; })));
    options(byId("ek-f-provisional"), [["", t("opt_all")], ["only", t("opt_provisional_only")], ["none", t("opt_provisional_none")]]);
  }
  function renderIndex() {
    indexControls(); renderOverviewLinks(); renderWarnings(); renderLeague(); renderTrend();
  }
  function initIndex() {
    var wanted = parseInt(query.get("year"), 10);
    state.year = D.years.indexOf(wanted) >= 0 ? wanted : D.years[D.years.length - 1];
    renderIndex();
    byId("ek-year").addEventListener("change", function () {
      state.year = parseInt(this.value, 10);
      setQuery({year: state.year});
      indexControls(); renderOverviewLinks(); renderWarnings(); renderLeague();
    });
    ["ek-f-group", "ek-f-class", "ek-f-grade", "ek-f-provisional"].forEach(function (id) {
      byId(id).addEventListener("change", renderLeague);
    });
    byId("ek-search").addEventListener("input", renderLeague);
    byId("ek-filters").addEventListener("submit", function (e) { e.preventDefault(); });
  }

  /* ---- unit page ------------------------------------------------------------------ */
  function areaCell(a) {
    if (!a) return td(t("missing"), "ek-num ek-muted");
    if (a.status === "not_applicable") return td(t("area_not_applicable"), "ek-num ek-muted");
    if (a.rate === null || a.rate === undefined) return td(t("area_no_data"), "ek-num ek-muted");
    var cell = td(a.rate, "ek-num");
    if (a.score !== undefined && a.score !== null) cell.appendChild(el("span", {"class": "ek-sub"}, [a.score + " / " + a.points]));
    return cell;
  }
  function renderUnit() {
    var u = D.unit, name = uname(u);
    doc.title = name + " · " + t("site_title");
    byId("ek-unit-name").textContent = name;
    byId("ek-unit-subtitle").textContent = t("unit_subtitle", {group: lab("peer_group", u.group), "class": lab("unit_class", u["class"]), id: u.id});
    var years = D.years.slice().reverse();
    var box = clear(byId("ek-unit-years"));
    box.appendChild(table(t("unit_years_caption", {name: name}),
      [t("col_year"), nh(t("col_score")), t("col_grade"), t("col_rank_or_band"), nh(t("col_change")), nh(t("col_score_change")), t("col_flags"), t("col_reports")],
      years.map(function (y) {
        return el("tr", {"data-year": y.year}, [el("th", {scope: "row"}, [t("year_value", {year: y.year})]),
          td(y.score === null ? t("missing") : y.score, "ek-num ek-score"), td(gradeCell(y.year, y.grade, y.provisional)),
          td(y.rank_text[lang]), td(changeCell(y.change), "ek-num"), td(y.score_change === null ? t("missing") : y.score_change, "ek-num"),
          td(flags(y)), td(reportLinks(y, name))]);
      }), {"class": "ek-unit-years"}));
    var trend = clear(byId("ek-unit-trend"));
    var chart = lineChart([{name: name, points: D.years.map(function (y) { return [y.year, y.score_value]; })}],
      D.years.map(function (y) { return y.year; }), t("unit_trend_label", {name: name}));
    if (chart) trend.appendChild(chart);
    var areas = clear(byId("ek-unit-areas"));
    areas.appendChild(table(t("unit_areas_caption", {name: name}), [t("col_area")].concat(years.map(function (y) { return nh(t("year_value", {year: y.year})); })),
      D.areas.map(function (a) {
        return el("tr", {}, [el("th", {scope: "row"}, [a[lang]])].concat(years.map(function (y) { return areaCell(y.areas[a.code]); })));
      }), {"class": "ek-unit-areas"}));
    var warn = clear(byId("ek-unit-warnings")), items = [];
    years.forEach(function (y) {
      y.notes[lang].forEach(function (n) { items.push(el("li", {}, [el("strong", {}, [t("year_value", {year: y.year})]), " ", n])); });
      y.rectifications.forEach(function (r) {
        items.push(el("li", {}, [el("strong", {}, [t("year_value", {year: y.year})]), " ",
          t("rect_overdue") + " · " + lab("rect_source", r.source) + " · " + t("col_rect_deadline") + " " + (r.deadline || t("missing"))]));
      });
    });
    warn.appendChild(items.length ? el("ul", {"class": "ek-warn-list"}, items) : el("p", {"class": "ek-muted"}, [t("unit_warnings_none")]));
    var cmp = byId("ek-compare-link"), target = href("portal/compare.html", {a: u.id});
    if (target) cmp.setAttribute("href", target);
  }

  /* ---- compare page --------------------------------------------------------------- */
  function unitById(id) {
    for (var i = 0; i < D.units.length; i++) if (D.units[i].id === id) return D.units[i];
    return null;
  }
  function yearOf(u, year) {
    for (var i = 0; i < u.years.length; i++) if (u.years[i].year === year) return u.years[i];
    return null;
  }
  function compareControls() {
    var items = D.units.map(function (u) { return [u.id, uname(u) + " (" + u.id + ")"]; });
    options(byId("ek-unit-a"), items);
    options(byId("ek-unit-b"), items);
    options(byId("ek-year"), D.years.slice().reverse().map(function (y) { return [String(y), t("year_value", {year: y})]; }));
  }
  function renderCompare() {
    var a = unitById(byId("ek-unit-a").value), b = unitById(byId("ek-unit-b").value);
    var year = parseInt(byId("ek-year").value, 10), box = clear(byId("ek-compare"));
    byId("ek-status").textContent = a && b && a.id === b.id ? t("compare_same_unit") : "";
    if (!a || !b) return;
    setQuery({a: a.id, b: b.id, year: year});
    var pair = [a, b];
    var head = [t("col_year")];
    pair.forEach(function (u) {
      head.push(el("th", {scope: "col", colspan: 3}, [link(u.page, uname(u), {"class": "ek-unit-link"}), el("span", {"class": "ek-sub"}, [lab("peer_group", u.group) + " · " + u.id])]));
    });
    var years = D.years.slice().reverse();
    box.appendChild(table(t("compare_years_caption"), head, years.map(function (y) {
      var cells = [el("th", {scope: "row"}, [t("year_value", {year: y})])];
      pair.forEach(function (u) {
        var r = yearOf(u, y);
        if (!r) { cells.push(el("td", {colspan: 3, "class": "ek-muted"}, [t("not_in_year")])); return; }
        cells.push(td(r.score === null ? t("missing") : r.score, "ek-num ek-score"), td(gradeCell(y, r.grade, r.provisional)), td(r.rank_text[lang]));
      });
      return el("tr", {}, cells);
    }), {"class": "ek-compare-years"}));
    var rows = D.areas.map(function (area) {
      var cells = [el("th", {scope: "row"}, [area[lang]])];
      pair.forEach(function (u, i) {
        var r = yearOf(u, year), v = r && r.areas[area.code];
        if (!v) { cells.push(td(t("missing"), "ek-num ek-muted")); return; }
        if (v[1] === "not_applicable") { cells.push(td(t("area_not_applicable"), "ek-num ek-muted")); return; }
        if (v[0] === null) { cells.push(td(t("area_no_data"), "ek-num ek-muted")); return; }
        var cell = td(v[0], "ek-num");
        var bar = el("span", {"class": "ek-meter ek-meter-" + (i ? "b" : "a"), "aria-hidden": "true"});
        bar.style.width = Math.max(0, Math.min(100, num(v[0]))) + "%";
        cell.appendChild(el("span", {"class": "ek-meter-track", "aria-hidden": "true"}, [bar]));
        cells.push(cell);
      });
      return el("tr", {}, cells);
    });
    box.appendChild(table(t("compare_areas_caption", {year: year}), [t("col_area"), nh(uname(a)), nh(uname(b))], rows, {"class": "ek-compare-areas"}));
  }
  function initCompare() {
    compareControls();
    var ids = D.units.map(function (u) { return u.id; });
    var a = query.get("a"), b = query.get("b"), y = query.get("year");
    byId("ek-unit-a").value = ids.indexOf(a) >= 0 ? a : ids[0];
    byId("ek-unit-b").value = ids.indexOf(b) >= 0 ? b : (ids[1] !== undefined && ids[1] !== byId("ek-unit-a").value ? ids[1] : ids[0]);
    if (D.years.indexOf(parseInt(y, 10)) >= 0) byId("ek-year").value = y;
    renderCompare();
    ["ek-unit-a", "ek-unit-b", "ek-year"].forEach(function (id) { byId(id).addEventListener("change", renderCompare); });
  }
  function rerenderCompare() {
    var a = byId("ek-unit-a").value, b = byId("ek-unit-b").value, y = byId("ek-year").value;
    compareControls();
    byId("ek-unit-a").value = a; byId("ek-unit-b").value = b; byId("ek-year").value = y;
    renderCompare();
  }

  /* ---- start ---------------------------------------------------------------------- */
  function render() {
    applyWords();
    if (page === "index") renderIndex();
    else if (page === "unit") renderUnit();
    else if (page === "compare") rerenderCompare();
  }
  function init() {
    applyWords();
    if (page === "index") initIndex();
    else if (page === "unit") renderUnit();
    else if (page === "compare") initCompare();
    byId("ek-lang").addEventListener("click", function () {
      lang = lang === "zh" ? "en" : "zh";
      render();
      if (page === "index") setQuery(state.year === D.years[D.years.length - 1] ? {} : {year: state.year});
      else if (page === "unit") setQuery({});
      byId("ek-lang").focus();
    });
    window.ekReady = window.performance.now();
    root.setAttribute("data-ready", "1");
  }
  init();
})();
