/* The questionnaire page, live: skip logic, checks and calculations as the
   respondent types, and nothing lost on a weak connection.

   The server compiles every rule into a JSON syntax tree (questionnaires/
   live_rules.py) and puts the page's trees, messages and the earlier answers
   they read in <script type="application/json" id="live-rules">. This file
   interprets the trees the way questionnaires/expressions.py evaluates them
   (a differential test holds the two to the same results) -- no eval, no
   framework. The server remains the judge: it checks everything again when
   the page is saved, and the page works without this script. */
(function () {
  "use strict";

  /* ---- the interpreter (also loaded by Node in the differential test) ---- */

  var WS = "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
  var SPLIT = new RegExp("[" + WS + "]+");
  var STRIP = new RegExp("^[" + WS + "]+|[" + WS + "]+$", "g");
  var NUMBER_TEXT = /^[ \t\r\n]*-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[ \t\r\n]*$/;
  var ISO = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/;
  var LEVELS = { or: 1, and: 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4,
    "+": 5, "-": 5, "*": 6, div: 6, mod: 6 };

  function Fail(message) { this.message = message; }
  function fail(message) { throw new Fail(message); }

  /* A date, as its day count since 1970-01-01. */
  function Day(days) { this.days = days; }
  function daysFrom(y, m, d) {
    y -= m <= 2 ? 1 : 0;
    var era = Math.floor(y / 400), yoe = y - era * 400;
    var doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
  }
  function isoOf(day) {
    var z = day.days + 719468, era = Math.floor(z / 146097), doe = z - era * 146097;
    var yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
    var doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
    var mp = Math.floor((5 * doy + 2) / 153), d = doy - Math.floor((153 * mp + 2) / 5) + 1;
    var m = mp + (mp < 10 ? 3 : -9), y = yoe + era * 400 + (m <= 2 ? 1 : 0);
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
  }
  function pad(n, width) { var s = String(n); while (s.length < width) s = "0" + s; return s; }
  function asDate(v) {
    if (v instanceof Day) return v;
    var m = typeof v === "string" && ISO.exec(v);
    if (!m) return null;
    var y = +m[1], mo = +m[2], d = +m[3];
    var last = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
    return y >= 1 && last && d >= 1 && d <= last ? new Day(daysFrom(y, mo, d)) : null;
  }

  /* An answer as the server encodes it (live_rules.encode_value), as a value. */
  function fromJSON(v, what) {
    if (v === null || v === undefined) return "";
    var t = typeof v;
    if (t === "boolean" || t === "number" || t === "string") return v;
    if (Array.isArray(v)) {
      for (var i = 0; i < v.length; i++) if (typeof v[i] !== "string") fail(what + " has an unsupported value");
      return v.join(" ");
    }
    if (v instanceof Day) return v;
    if (typeof v.d === "string" && asDate(v.d)) return asDate(v.d);
    if (typeof v.n === "string") return Number(v.n);
    return fail(what + " has an unsupported value");
  }

  /* Digits of a number without an exponent, as Python's format(Decimal(repr(x)), "f"). */
  function plain(x) {
    var s = String(x), e = s.indexOf("e");
    if (e < 0) return s;
    var sign = s[0] === "-" ? "-" : "", mant = s.slice(sign.length, e), exp = +s.slice(e + 1);
    var dot = mant.indexOf("."), digits = mant.replace(".", "");
    var point = (dot < 0 ? mant.length : dot) + exp;
    if (point <= 0) return sign + "0." + new Array(1 - point).join("0") + digits;
    if (point >= digits.length) return sign + digits + new Array(point - digits.length + 1).join("0");
    return sign + digits.slice(0, point) + "." + digits.slice(point);
  }
  function asString(v) {
    if (typeof v === "boolean") return v ? "true" : "false";
    if (typeof v === "number") {
      if (v !== v) return "NaN";
      if (v === Infinity) return "Infinity";
      if (v === -Infinity) return "-Infinity";
      if (Number.isInteger(v)) return BigInt(v).toString();
      return plain(v);
    }
    if (v instanceof Day) return isoOf(v);
    return v;
  }
  function number(v) {
    if (typeof v === "boolean") return v ? 1 : 0;
    if (typeof v === "number") return v;
    if (v instanceof Day) return v.days;
    return NUMBER_TEXT.test(v) ? parseFloat(v.trim()) : NaN;
  }
  function bool(v) {
    if (typeof v === "boolean") return v;
    if (typeof v === "number") return v !== 0 && v === v;
    if (v instanceof Day) return true;
    return v !== "";
  }
  function words(s) { return s.split(SPLIT).filter(function (w) { return w !== ""; }); }
  function codePoints(s) { return Array.from(s).length; }

  function relation(symbol, a, b) {
    return symbol === "<" ? a < b : symbol === "<=" ? a <= b : symbol === ">" ? a > b : a >= b;
  }
  function compare(symbol, l, r) {
    var dates = null, lb = typeof l === "boolean", rb = typeof r === "boolean";
    if (l instanceof Day || r instanceof Day) {
      var a = asDate(l), b = asDate(r);
      if (a && b) dates = [a.days, b.days];
    }
    if (symbol === "=" || symbol === "!=") {
      var equal;
      if (lb || rb) equal = bool(l) === bool(r);
      else if (dates) equal = dates[0] === dates[1];
      else if (typeof l === "number" || typeof r === "number") equal = number(l) === number(r);
      else equal = asString(l) === asString(r);
      return symbol === "=" ? equal : !equal;
    }
    if (dates && !lb && !rb) return relation(symbol, dates[0], dates[1]);
    var clock = moments(l, r);
    if (clock) return relation(symbol, clock[0], clock[1]);
    return relation(symbol, number(l), number(r));
  }
  // Times of day ("09:30" < '12:00') and ISO dates and times in time order, as the
  // server compares them (expressions._moments): a wall-clock time when either has no offset.
  var TIME_TEXT = /^\d{2}:\d{2}(:\d{2})?$/;
  var MOMENT_TEXT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;
  function moments(l, r) {
    if (typeof l !== "string" || typeof r !== "string") return null;
    if (TIME_TEXT.test(l) && TIME_TEXT.test(r)) return [(l + ":00").slice(0, 8), (r + ":00").slice(0, 8)];
    var a = MOMENT_TEXT.exec(l), b = MOMENT_TEXT.exec(r);
    if (!a || !b) return null;
    if (a[2] && b[2]) return [Date.parse(l), Date.parse(r)];
    return [l.slice(0, 16) + (a[1] || ":00").slice(0, 3), r.slice(0, 16) + (b[1] || ":00").slice(0, 3)];
  }
  function arithmetic(symbol, a, b) {
    return symbol === "+" ? a + b : symbol === "-" ? a - b : symbol === "*" ? a * b
      : symbol === "div" ? a / b : a % b;
  }

  /* round(): half away from zero on the shortest decimal form, as Decimal.quantize. */
  function increment(digits) {
    var out = digits.split(""), i = out.length - 1;
    while (i >= 0) {
      if (out[i] === "9") { out[i] = "0"; i--; } else { out[i] = String(+out[i] + 1); return out.join(""); }
    }
    return "1" + out.join("");
  }
  function round(value, places) {
    if (places !== places) return NaN;
    if (value !== value || value === Infinity || value === -Infinity) return value;
    places = Math.trunc(Math.max(-400, Math.min(400, places)));
    var text = plain(Math.abs(value)), sign = value < 0 || Object.is(value, -0) ? "-" : "";
    var dot = text.indexOf("."), whole = dot < 0 ? text : text.slice(0, dot), frac = dot < 0 ? "" : text.slice(dot + 1);
    if (places >= 0) {
      if (frac.length <= places) return value;
      var kept = whole + frac.slice(0, places);
      if (frac[places] >= "5") kept = increment(kept);
      var cut = kept.length - places;
      return parseFloat(sign + kept.slice(0, cut) + "." + kept.slice(cut) + "0");
    }
    var k = -places, head = whole.length > k ? whole.slice(0, whole.length - k) : "0";
    var next = whole.length >= k ? whole[whole.length - k] : "0";
    if (whole.length === k) head = "0";
    if (next >= "5") head = increment(head);
    return parseFloat(sign + head + new Array(k + 1).join("0"));
  }

  /* regex(): the server's limits (expressions._regex_problem), then the browser's RegExp. */
  var BRACES = /\{([0-9]*)(,?)([0-9]*)\}/y;
  function regexProblem(p) {
    var groups = [false], closedRepeats = false, i = 0;
    while (i < p.length) {
      var c = p[i], repeat = null;
      if (c === "\\") i += 2;
      else if (c === "[") {
        i++;
        if (p[i] === "^") i++;
        if (p[i] === "]") i++;
        while (i < p.length && p[i] !== "]") i += p[i] === "\\" ? 2 : 1;
        i++;
      } else if (c === "(") {
        groups.push(false);
        if (groups.length > 21) return "groups nested too deep";
        i++;
      } else if (c === ")" && groups.length > 1) {
        var inner = groups.pop();
        groups[groups.length - 1] = groups[groups.length - 1] || inner;
        closedRepeats = inner;
        i++;
        continue;
      } else if (c === "*" || c === "+") { repeat = [true, true]; i++; }
      else if (c === "{" && (BRACES.lastIndex = i, BRACES.test(p))) {
        BRACES.lastIndex = i;
        var b = BRACES.exec(p), unbounded = !!b[2] && !b[3];
        repeat = [unbounded || +(b[3] || b[1] || "0") > 1, unbounded];
        i = BRACES.lastIndex;
      } else i++;
      if (repeat) {
        if (closedRepeats && repeat[0]) return "a repeated group contains an unbounded repetition";
        groups[groups.length - 1] = groups[groups.length - 1] || repeat[1];
      }
      closedRepeats = false;
    }
    return null;
  }
  /* A pattern as Python's re (ASCII) reads it, for the browser's RegExp: "." never
     matches only "\n", "$" also matches before a final "\n", \s is ASCII, and a "]"
     first in a class is a character. */
  function jsPattern(p) {
    var out = "", inClass = false, first = false;
    for (var i = 0; i < p.length; i++) {
      var c = p[i], n = p[i + 1];
      if (c === "\\") {
        if (n === "s") out += inClass ? " \\t\\n\\r\\f\\v" : "[ \\t\\n\\r\\f\\v]";
        else if (n === "S" && !inClass) out += "[^ \\t\\n\\r\\f\\v]";
        else out += c + (n === undefined ? "" : n);
        i++;
        first = false;
        continue;
      }
      if (inClass) {
        if (c === "^" && first && p[i - 1] === "[") { out += c; continue; }
        if (c === "]") { if (first) out += "\\]"; else { inClass = false; out += c; } }
        else out += c;
        first = false;
        continue;
      }
      if (c === "[") { inClass = true; first = true; out += c; }
      else if (c === ".") out += "[^\\n]";
      else if (c === "$" && (n === undefined || "*+?{".indexOf(n) < 0)) out += "(?=\\n?$)";
      else out += c;
    }
    return out;
  }
  var regexCache = {};
  function regex(text, pattern) {
    if (codePoints(pattern) > 500) fail("regular expression too long");
    var compiled = regexCache[pattern];
    if (!compiled) {
      var problem = regexProblem(pattern);
      if (problem) fail(problem);
      try { compiled = new RegExp(jsPattern(pattern)); } catch (e) { fail("invalid regular expression"); }
      regexCache[pattern] = compiled;
    }
    return codePoints(text) <= 1000 && compiled.test(text);
  }

  function current(ctx) { return fromJSON(ctx.current, "the current question"); }
  function one(f) { return function (ctx, args) { return f(ev(args[0], ctx)); }; }
  function two(f) { return function (ctx, args) { return f(ev(args[0], ctx), ev(args[1], ctx)); }; }
  function dot(f) { return function (ctx, args) { return f(args.length ? ev(args[0], ctx) : current(ctx)); }; }
  var FUNCTIONS = {
    selected: two(function (v, c) { return words(asString(v)).indexOf(asString(c).replace(STRIP, "")) >= 0; }),
    "count-selected": one(function (v) { return words(asString(v)).length; }),
    "string-length": dot(function (v) { return codePoints(asString(v)); }),
    regex: two(function (t, p) { return regex(asString(t), asString(p)); }),
    "if": function (ctx, a) { return ev(bool(ev(a[0], ctx)) ? a[1] : a[2], ctx); },
    not: one(function (v) { return !bool(v); }),
    number: dot(number),
    string: dot(asString),
    "boolean": one(bool),
    "true": function () { return true; },
    "false": function () { return false; },
    "int": one(function (v) { v = number(v); return v !== v || v === Infinity || v === -Infinity ? v : Math.trunc(v) + 0; }),
    round: function (ctx, a) { return round(number(ev(a[0], ctx)), a.length > 1 ? number(ev(a[1], ctx)) : 0); },
    concat: function (ctx, a) { return a.map(function (n) { return asString(ev(n, ctx)); }).join(""); },
    contains: two(function (t, p) { return asString(t).indexOf(asString(p)) >= 0; }),
    "starts-with": two(function (t, s) { return asString(t).startsWith(asString(s)); }),
    coalesce: function (ctx, a) { var f = ev(a[0], ctx); return asString(f) !== "" ? f : ev(a[1], ctx); },
    today: function (ctx) { return ctx.today; },
    date: one(function (v) { return asDate(v) || ""; }),
    now: function (ctx) { return ctx.today; },
    "selected-at": two(function (v, n) {
      n = number(n);
      var w = words(asString(v)), at = n === n && Math.abs(n) !== Infinity ? Math.trunc(n) : -1;
      return at >= 0 && at < w.length ? w[at] : "";
    }),
    "jr:choice-name": function (ctx, a) {
      var v = asString(ev(a[0], ctx)).replace(STRIP, ""), q = /^\$\{(.*)\}$/.exec(a[1].replace(STRIP, ""));
      var labels = q && own(ctx.labels, q[1]) ? ctx.labels[q[1]] : {};
      return own(labels, v) ? labels[v] : "";
    },
    substr: function (ctx, a) {
      var s = Array.from(asString(ev(a[0], ctx)));
      function bound(v) { v = number(v); return v !== v ? 0 : Math.trunc(Math.max(0, Math.min(s.length, v))); }
      var first = bound(ev(a[1], ctx)), last = a.length > 2 ? bound(ev(a[2], ctx)) : s.length;
      return s.slice(first, last).join("");
    },
    "ends-with": two(function (t, e) { return asString(t).endsWith(asString(e)); }),
    "boolean-from-string": one(function (v) { v = asString(v); return v === "true" || v === "1"; }),
    pow: two(function (x, y) { return sig(Math.pow(number(x), number(y))); }),
    exp10: one(function (y) { return sig(Math.pow(10, number(y))); }),
    abs: one(function (v) { return Math.abs(number(v)); }),
    floor: one(function (v) { return Math.floor(number(v)) + 0; }),
    ceiling: one(function (v) { return Math.ceil(number(v)) + 0; }),
    pi: function () { return Math.PI; },
    "format-date": two(function (v, p) {
      var d = asDate(v);
      if (!d) return "";
      var iso = isoOf(d), parts = { Y: iso.slice(0, 4), y: iso.slice(2, 4), m: iso.slice(5, 7),
        n: String(+iso.slice(5, 7)), d: iso.slice(8, 10), e: String(+iso.slice(8, 10)) };
      return asString(p).replace(/%([Yymnde])/g, function (all, c) { return parts[c]; });
    })
  };
  /* Mathematical functions to 15 significant digits, as the server gives them. */
  function sig(x) { return x === 0 || !isFinite(x) ? x : parseFloat(x.toPrecision(15)); }
  function own(o, k) { return Object.prototype.hasOwnProperty.call(o, k); }
  ["sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan"].forEach(function (name) {
    FUNCTIONS[name] = one(function (v) { return sig(Math[name](number(v))); });
  });

  /* ---- repeats (as questionnaires/expressions.py's "Repeats" block): values may hold
     "@repeats" {repeat: [{name: value}]} and "@position"; the server sends none yet, as a
     repeat page has no live rules, so these give what the server gives outside a repeat. */
  function entriesOf(ctx, node) {
    var repeats = ctx.values["@repeats"], name, k;
    if (!Array.isArray(node) || node[0] !== "$" || !repeats || typeof repeats !== "object") return null;
    name = node[1];
    if (Object.prototype.hasOwnProperty.call(repeats, name)) return { entries: repeats[name], q: null };
    for (k in repeats) {
      if (repeats[k].length && Object.prototype.hasOwnProperty.call(repeats[k][0], name)) return { entries: repeats[k], q: name };
    }
    return null;
  }
  FUNCTIONS.count = function (ctx, a) {
    var found = entriesOf(ctx, a[0]);
    if (found) return found.entries.length;
    ev(a[0], ctx);
    return 1;
  };
  FUNCTIONS.sum = function (ctx, a) {
    var found = entriesOf(ctx, a[0]), total = 0;
    if (!found || found.q === null) return number(ev(a[0], ctx));
    found.entries.forEach(function (entry) {
      var v = fromJSON(entry[found.q], found.q);
      if (asString(v) !== "") total += number(v);
    });
    return total;
  };
  FUNCTIONS.position = function (ctx) {
    var p = ctx.values["@position"];
    if (typeof p !== "number") fail("position() is only known inside a repeat");
    return p;
  };
  FUNCTIONS["indexed-repeat"] = function (ctx, a) {
    var found = entriesOf(ctx, a[1]);
    if (!found || found.q !== null || !Array.isArray(a[0]) || a[0][0] !== "$") fail("indexed-repeat() needs a question and its repeat");
    var n = number(ev(a[2], ctx));
    if (!(Number.isInteger(n) && n >= 1 && n <= found.entries.length)) return "";
    return fromJSON(found.entries[n - 1][a[0][1]], a[0][1]);
  };

  function ev(node, ctx) {
    if (!Array.isArray(node)) return node;
    var op = node[0], i;
    if (op === "$") {
      if (!Object.prototype.hasOwnProperty.call(ctx.values, node[1])) fail("no value given for " + node[1]);
      return fromJSON(ctx.values[node[1]], node[1]);
    }
    if (op === ".") return current(ctx);
    if (op === "@") {
      if (!ctx.choice) fail("choice column " + node[1] + " needs a choice to filter");
      return fromJSON(own(ctx.choice, node[1]) ? ctx.choice[node[1]] : "", node[1]);
    }
    if (op === "i") return Infinity;
    if (op === "-") return -number(ev(node[1], ctx));
    if (op === "f") {
      var f = FUNCTIONS[node[1]];
      if (!f) fail("unknown function " + node[1]);
      return f(ctx, node.slice(2));
    }
    var level = LEVELS[node[2]];
    if (level <= 2) {
      var deciding = level === 1;
      for (i = 1; i < node.length; i += 2) if (bool(ev(node[i], ctx)) === deciding) return deciding;
      return !deciding;
    }
    var value = ev(node[1], ctx);
    for (i = 2; i < node.length; i += 2) {
      var right = ev(node[i + 1], ctx);
      value = level <= 4 ? compare(node[i], value, right) : arithmetic(node[i], number(value), number(right));
    }
    return value;
  }

  /* Evaluate a tree: values by name (as encoded by the server), the current value, today,
     choice labels by question and choice name (jr:choice-name), the choice row a
     choice_filter tests (its columns by name). */
  function evaluate(node, values, cur, today, labels, choice) {
    return ev(node, { values: values, current: cur === undefined ? null : cur, today: asDate(today), labels: labels || {}, choice: choice });
  }
  var api = { evaluate: evaluate, asString: asString, bool: bool, Fail: Fail, Day: Day };

  if (typeof module === "object" && module.exports) { module.exports = api; return; }
  if (typeof document === "undefined") return;

  /* ---- the page ---- */

  var PREFIX = "surveyapp-live:";
  function store(key, value) {
    try {
      if (value === null) localStorage.removeItem(key); else localStorage.setItem(key, JSON.stringify(value));
    } catch (e) { /* storage full or refused: the server save still runs */ }
  }
  function stored(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function clearScope(scope) {
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i);
        if (key && key.indexOf(PREFIX + scope + ":") === 0) localStorage.removeItem(key);
      }
    } catch (e) { /* nothing kept */ }
  }

  function start() {
    var cleared = document.getElementById("live-clear");
    if (cleared) clearScope(cleared.getAttribute("data-scope"));
    var data = document.getElementById("live-rules"), form = document.getElementById("page-form");
    if (data && form) new Live(JSON.parse(data.textContent), form);
  }

  function Live(rules, form) {
    var self = this;
    rules.calc = rules.calc || [];
    rules.v = rules.v || {};
    rules.t = rules.t || [];
    this.rules = rules;
    this.form = form;
    this.key = PREFIX + rules.scope + ":" + rules.page;
    this.ui = rules.ui;
    this.status = this.element("p", "save-status", form.querySelector(".actions"));
    this.status.hidden = true;
    this.status.id = "live-status";
    for (var state in rules.ui) this.status.setAttribute("data-" + state, rules.ui[state]);
    this.announcer = this.element("div", "visually-hidden", form.lastChild);
    this.announcer.id = "live-announce";
    this.announcer.setAttribute("aria-live", "polite");
    this.touched = {};
    this.shown = {};
    this.dirty = false;
    this.sending = null;
    this.timer = null;
    this.delay = 1500;
    this.submitting = false;
    rules.qs.forEach(function (q) { self.shown[q.n] = true; });
    /* The choices a filter showed, for the server to redraw a page sent without this script. */
    Array.prototype.forEach.call(form.querySelectorAll("[data-drawn]"), function (el) { el.parentNode.remove(); });
    this.landed();
    this.offerRestore();
    this.pointElsewhere();
    this.apply(false);
    form.addEventListener("input", function (e) { self.changed(e, false); });
    form.addEventListener("change", function (e) { self.changed(e, true); });
    form.addEventListener("submit", function (e) { self.submit(e); });
    window.addEventListener("beforeunload", function (e) {
      if (self.dirty && !self.submitting) { e.preventDefault(); e.returnValue = ""; }
    });
    window.addEventListener("online", function () { if (self.dirty) self.save(); });
    // Back to this page from the browser's cache after leaving it: saving again is fine.
    window.addEventListener("pageshow", function (e) { if (e.persisted) self.submitting = false; });
  }

  /* A new element of ``tag`` and ``className``, put after ``after`` (null: nowhere yet). */
  Live.prototype.element = function (tag, className, after, text) {
    var el = document.createElement(tag);
    el.className = className;
    if (text) el.textContent = text;
    if (after) after.parentNode.insertBefore(el, after.nextSibling);
    return el;
  };

  Live.prototype.inputs = function (name) {
    return Array.prototype.slice.call(this.form.elements).filter(function (el) { return el.name === name; });
  };

  /* A question's value as the server's form would read it (None when unusable). */
  Live.prototype.read = function (q) {
    var inputs = this.inputs(q.n);
    if (q.k === "many") return inputs.filter(function (el) { return el.checked; }).map(function (el) { return el.value; });
    if (q.k === "one") {
      var chosen = inputs.filter(function (el) { return el.checked; })[0];
      return chosen ? chosen.value : null;
    }
    var raw = inputs.length ? inputs[0].value.trim() : "";
    if (raw === "") return null;
    if (q.k === "num") {
      var text = raw.replace(/[\u00a0 ]/g, "").replace(/,/g, ".");
      var n = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(text) ? parseFloat(text) : NaN;
      return isFinite(n) ? n : undefined;
    }
    if (q.k === "date") return asDate(raw) ? { d: raw } : undefined;
    return raw.normalize("NFC");
  };

  Live.prototype.safely = function (node, values, cur, otherwise) {
    try { return evaluate(node, values, cur, this.rules.today, this.rules.cl); } catch (e) {
      if (e instanceof Fail) return otherwise;
      throw e;
    }
  };

  /* Show, hide and check every question from the answers as they are now. */
  Live.prototype.apply = function (announce) {
    var self = this, rules = this.rules, qs = rules.qs, values = {}, read = {}, relevant = {}, name;
    for (name in rules.v) values[name] = rules.v[name];
    if (rules.r) values["@repeats"] = rules.r; /* the repeats' entries (count, sum ...) */
    qs.forEach(function (q) { if (q.k !== "note") read[q.n] = self.read(q); relevant[q.n] = true; });
    qs.forEach(function (q) { if (q.k !== "note") values[q.n] = read[q.n]; });
    qs.forEach(function (q) { if (q.cf) read[q.n] = values[q.n] = self.filter(q, values); });
    var pageShown = rules.p == null || bool(this.safely(rules.p, values, null, true));
    // Hidden questions count as unanswered (they are not sent); repeat until settled.
    for (var pass = 0; pass <= qs.length; pass++) {
      qs.forEach(function (q) { values[q.n] = relevant[q.n] && read[q.n] !== undefined ? read[q.n] : null; });
      rules.calc.forEach(function (c) {
        var result;
        try { result = evaluate(c[1], values, null, rules.today, rules.cl); } catch (e) {
          if (!(e instanceof Fail)) throw e;
          result = null;
        }
        if (typeof result === "boolean") result = result ? "true" : "false";
        values[c[0]] = result instanceof Day ? { d: isoOf(result) } : typeof result === "number" && !isFinite(result) ? { n: String(result) } : result;
      });
      var settled = true;
      qs.forEach(function (q) {
        var now = pageShown && (!q.r || bool(self.safely(q.r, values, null, true)));
        if (now !== relevant[q.n]) { relevant[q.n] = now; settled = false; }
      });
      if (settled) break;
    }
    var appeared = [];
    qs.forEach(function (q) {
      var block = document.getElementById(q.n + "-block");
      if (!block) return;
      if (q.lb) self.label(block, q.lb, values);
      if (self.shown[q.n] !== relevant[q.n]) {
        self.shown[q.n] = relevant[q.n];
        block.hidden = !relevant[q.n];
        self.inputs(q.n).forEach(function (el) { el.disabled = !relevant[q.n]; });
        if (relevant[q.n]) appeared.push(block);
      }
      if (q.k !== "note") self.check(q, block, relevant[q.n] ? read[q.n] : null, values);
    });
    if (announce && appeared.length && this.announcer) {
      var labels = appeared.map(function (b) {
        var label = b.querySelector(".question-label, p");
        return label ? label.textContent.replace(/\s+/g, " ").trim() : "";
      });
      this.announcer.textContent = this.ui.appeared.replace("{label}", labels.join("; "));
    }
  };

  /* A choice_filter that reads this page's answers: the choices whose row fits them are
     shown, the others hidden (and unticked: they would not be allowed); the answer after. */
  Live.prototype.filter = function (q, values) {
    var self = this, fits = {};
    q.rows.forEach(function (row) {
      try { fits[row[0]] = fits[row[0]] || bool(evaluate(q.cf, values, null, self.rules.today, self.rules.cl, row[1])); } catch (e) {
        if (!(e instanceof Fail)) throw e;
        fits[row[0]] = true;
      }
    });
    this.inputs(q.n).forEach(function (el) {
      var hide = own(fits, el.value) && !fits[el.value];
      if (el.parentNode.hidden !== hide) el.parentNode.hidden = hide;
      if (hide) el.checked = false;
    });
    return this.read(q);
  };

  /* A label's ${name} references, written in with the answers as they are now; one not
     given is "…", as the server writes it (questionnaires/label_references.py). */
  Live.prototype.label = function (block, text, values) {
    var el = block.querySelector(".question-label, h2, p"), node = el && el.firstChild;
    if (!node || node.nodeType !== 3) return;
    node.nodeValue = text.replace(/\$\{([^}]+)\}/g, function (whole, name) {
      var s = "";
      try { s = asString(fromJSON(values[name], name)); } catch (e) { /* not known here */ }
      return s === "" ? "\u2026" : s;
    });
  };

  /* The message a question shows now, as the server would put it when the page is sent. */
  Live.prototype.problem = function (q, value, values) {
    var t = this.rules.t, m = {};
    for (var key in q.m) m[key] = t[q.m[key]];
    if (value === undefined) return m.f || null;
    if (value === null || (Array.isArray(value) && !value.length)) return q.q && this.touched[q.n] ? m.q : null;
    if (q.k === "num") {
      if (q.lo != null && value < q.lo) return m.lo;
      if (q.hi != null && value > q.hi) return m.hi;
      if (q.int && value !== Math.trunc(value)) return m.w;
    }
    if (q.c && !bool(this.safely(q.c, values, value, true))) return m.c;
    return null;
  };

  /* The message beside the field, tied to it as the server ties its own. */
  Live.prototype.check = function (q, block, value, values) {
    // Until the respondent changes a field, what the server said about it stands
    // (it knows more: date limits, the options offered, what was required); a field
    // without messages (a repeat page's) is checked by the server alone.
    if (!this.touched[q.n] || !q.m) return;
    var inputs = this.inputs(q.n), id = q.n + "-error", error = document.getElementById(id);
    var message = block.hidden ? null : this.problem(q, value, values);
    var target = block.querySelector("fieldset") || inputs[0];
    if (!target) return;
    var described = (target.getAttribute("aria-describedby") || "").split(" ").filter(function (x) { return x && x !== id; });
    if (message) described.push(id);
    if (described.length) target.setAttribute("aria-describedby", described.join(" ")); else target.removeAttribute("aria-describedby");
    block.classList.toggle("has-error", !!message);
    inputs.forEach(function (el) { if (message) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid"); });
    if (!message) {
      if (error) error.parentNode.removeChild(error);
      return;
    }
    if (!error) {
      error = document.createElement("p");
      error.className = "field-error";
      error.id = id;
      var after = document.getElementById(q.n + "-hint") || block.querySelector(".question-label");
      after.parentNode.insertBefore(error, after.nextSibling);
    }
    var word = document.createElement("span");
    word.className = "visually-hidden";
    word.textContent = this.ui.error;
    error.textContent = "";
    error.appendChild(word);
    error.appendChild(document.createTextNode(" " + message));
  };

  Live.prototype.changed = function (event, committed) {
    var name = event.target.name;
    if (!name || name === "csrf_token") return;
    if (committed) this.touched[name] = true;
    this.apply(true);
    this.dirty = true;
    store(this.key, { values: this.snapshot(), at: Date.now(), page: this.rules.page, url: location.pathname });
    this.schedule(committed ? 800 : 1500);
  };

  /* What the form would send now (hidden questions are disabled, so left out). */
  Live.prototype.snapshot = function () {
    var pairs = [];
    new FormData(this.form).forEach(function (value, name) {
      // A chosen file is not an answer this script can keep or send: the page's own
      // submission sends it.
      if (typeof value !== "string") return;
      if (name !== "csrf_token" && name !== "action") pairs.push([name, String(value)]);
    });
    return pairs;
  };

  Live.prototype.schedule = function (delay) {
    var self = this;
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.save(); }, delay);
  };

  Live.prototype.fileInputs = function () {
    return Array.prototype.slice.call(this.form.querySelectorAll("input[type=file]"));
  };

  /* What waits for the page's buttons: a file chosen ("file"), or a stored one ticked
     to be removed ("drop"), so that a tick taken back costs nothing; else "". */
  Live.prototype.fileWaiting = function () {
    var form = this.form, waiting = "";
    this.fileInputs().forEach(function (input) {
      var tick = form.elements[input.name + "-remove"];
      if (input.files && input.files.length) waiting = "file";
      else if (tick && tick.checked && !waiting) waiting = "drop";
    });
    return waiting;
  };

  Live.prototype.show = function (state) {
    if (!this.status) return;
    this.status.hidden = false;
    this.status.textContent = this.ui[state];
  };

  Live.prototype.save = function () {
    var self = this;
    clearTimeout(this.timer);
    if (this.sending || this.submitting) return this.sending;
    var body = new FormData(this.form), sent = JSON.stringify(this.snapshot());
    body.set("action", "autosave");
    // Files go (and go away) with the page's buttons only: a background save keeps
    // the stored file.
    this.fileInputs().forEach(function (input) { body.delete(input.name); body.delete(input.name + "-remove"); });
    this.show("saving");
    this.sending = fetch(this.form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin", redirect: "manual" })
      .then(function (reply) {
        if (reply.status === 204) {
          self.delay = 1500;
          var waiting = self.fileWaiting();
          if (JSON.stringify(self.snapshot()) === sent && waiting) {
            // The other answers are kept; the chosen file is not sent yet: not "saved".
            store(self.key, null);
            self.show(waiting);
          } else if (JSON.stringify(self.snapshot()) === sent) {
            self.dirty = false;
            // Another tab of this link may have kept newer answers under the same key
            // since: only what this save carried is confirmed.
            var kept = stored(self.key);
            if (!kept || JSON.stringify(kept.values) === sent) store(self.key, null);
            self.show("saved");
          } else self.schedule(800);
          return;
        }
        if (reply.type === "opaqueredirect") return self.closed();
        if (reply.status !== 409) throw new Error("not saved");
        return reply.json().then(function (said) {
          if (said.reason === "submitted") return self.closed();
          // The page's security token expired while it sat open: the next try takes
          // the fresh one (and so does the button).
          if (said.csrf) self.form.elements.csrf_token.value = said.csrf;
          throw new Error("not saved");
        });
      })
      .catch(function () {
        self.show("unsaved");
        self.delay = Math.min(self.delay * 2, 60000);
        self.schedule(self.delay);
      })
      .then(function () { self.sending = null; });
    return this.sending;
  };

  /* Submitted meanwhile (another tab): nothing more can be saved here. */
  Live.prototype.closed = function () {
    clearScope(this.rules.scope);
    this.dirty = false;
  };

  /* Next, Back, Later: the page is sent as before; a background save still on its
     way goes first, so that it cannot overwrite what the button sends. */
  Live.prototype.submit = function (event) {
    var self = this;
    clearTimeout(this.timer);
    if (this.sending && !this.submitting) {
      event.preventDefault();
      var button = event.submitter;
      this.sending.then(function () {
        self.submitting = true;
        if (self.form.requestSubmit) self.form.requestSubmit(button || undefined); else self.form.submit();
      });
      return;
    }
    this.submitting = true;
    // Sent with the button: the page the server answers with clears it (landed).
    var kept = stored(this.key);
    if (kept) { kept.sent = true; store(this.key, kept); }
  };

  /* Here by the redirect that answers a page sent with its button: the server has that
     page's answers (stored, or kept as a draft), so what was kept for it can go. Sent
     but not answered (no connection, the tab closed), they stay and are pointed to. */
  Live.prototype.landed = function () {
    var nav = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    var from = document.createElement("a"), prefix = PREFIX + this.rules.scope + ":";
    if (!nav || !nav.redirectCount || !document.referrer) return;
    from.href = document.referrer;
    if (from.host !== location.host) return;
    try {
      for (var i = localStorage.length - 1; i >= 0; i--) {
        var key = localStorage.key(i), kept = key && key.indexOf(prefix) === 0 && stored(key);
        if (kept && kept.sent && kept.url === from.pathname) store(key, null);
      }
    } catch (e) { /* nothing kept */ }
  };

  /* Answers this browser kept that the server has not confirmed: offer them back. */
  Live.prototype.offerRestore = function () {
    var self = this, kept = stored(this.key);
    if (!kept || !Array.isArray(kept.values)) return;
    // Compared with what the server sent (the form's defaults): the browser may have put
    // the kept answers back into the form itself (a reload restores what was typed), and
    // then they are on the screen but still not on the server.
    if (this.same(kept.values, this.served())) { store(this.key, null); return; }
    if (this.same(kept.values, this.snapshot())) {
      kept.values.forEach(function (p) { self.touched[p[0]] = true; });
      this.dirty = true;
      this.schedule(0);
      return;
    }
    var box = this.element("div", "notice live-restore", null);
    box.id = "live-restore";
    box.setAttribute("role", "status");
    box.appendChild(this.element("p", "", null, this.ui.other.replace("{n}", this.rules.page)));
    var actions = box.appendChild(this.element("p", "live-restore-actions", null));
    var yes = actions.appendChild(this.element("button", "button primary", null, this.ui.yes));
    var no = actions.appendChild(this.element("button", "button secondary", null, this.ui.no));
    yes.type = no.type = "button";
    yes.setAttribute("data-live", "restore");
    no.setAttribute("data-live", "discard");
    this.form.parentNode.insertBefore(box, this.form);
    yes.addEventListener("click", function () {
      self.fill(kept.values);
      box.hidden = true;
      self.apply(true);
      self.dirty = true;
      self.save();
    });
    no.addEventListener("click", function () {
      store(self.key, null);
      box.hidden = true;
    });
  };

  /* Answers kept for another page of this link (the link opens where answers are
     missing, which may be elsewhere): say which page, with a way there. */
  Live.prototype.pointElsewhere = function () {
    var prefix = PREFIX + this.rules.scope + ":", other = null;
    try {
      for (var i = 0; i < localStorage.length; i++) {
        var key = localStorage.key(i), kept = key && key.indexOf(prefix) === 0 && key !== this.key && stored(key);
        if (kept && kept.url && kept.page && (!other || kept.page < other.page)) other = kept;
      }
    } catch (e) { return; }
    if (!other || !this.ui.other) return;
    var box = this.element("div", "notice live-elsewhere", null);
    box.setAttribute("role", "status");
    var text = box.appendChild(this.element("p", "", null, this.ui.other.replace("{n}", other.page) + " "));
    var link = text.appendChild(this.element("a", "", null, this.ui.go));
    link.href = other.url;
    this.form.parentNode.insertBefore(box, this.form);
  };

  /* What the server put in the form (a browser restoring typed values leaves these). */
  Live.prototype.served = function () {
    var pairs = [];
    Array.prototype.forEach.call(this.form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "action" || el.disabled) return;
      if (el.type === "radio" || el.type === "checkbox") { if (el.defaultChecked) pairs.push([el.name, el.value]); }
      else if (el.options) Array.prototype.forEach.call(el.options, function (o) { if (o.defaultSelected) pairs.push([el.name, o.value]); });
      else if (el.type !== "submit" && el.type !== "button") pairs.push([el.name, el.defaultValue]);
    });
    return pairs;
  };

  /* Whether kept answers are the answers ``now`` (as the server normalises them). */
  Live.prototype.same = function (pairs, now) {
    var self = this, shown = {}, kept = {};
    function add(into, name, value) { (into[name] = into[name] || []).push(value); }
    function canonical(name, values) {
      var q = self.rules.qs.filter(function (x) { return x.n === name; })[0];
      values = values.map(function (v) { v = v.trim().normalize("NFC"); return q && q.k === "num" && v !== "" ? String(parseFloat(v.replace(/[\u00a0 ]/g, "").replace(/,/g, "."))) : v; });
      return JSON.stringify(values.filter(function (v) { return v !== ""; }).sort());
    }
    now.forEach(function (p) { add(shown, p[0], p[1]); });
    pairs.forEach(function (p) { add(kept, p[0], p[1]); });
    return this.rules.qs.every(function (q) { return canonical(q.n, shown[q.n] || []) === canonical(q.n, kept[q.n] || []); });
  };

  Live.prototype.fill = function (pairs) {
    var self = this, byName = {};
    pairs.forEach(function (p) { (byName[p[0]] = byName[p[0]] || []).push(p[1]); });
    this.rules.qs.forEach(function (q) {
      var given = byName[q.n] || [];
      self.inputs(q.n).forEach(function (el) {
        if (el.type === "radio" || el.type === "checkbox") el.checked = given.indexOf(el.value) >= 0;
        else el.value = given.length ? given[0] : "";
      });
      self.touched[q.n] = true;
    });
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
