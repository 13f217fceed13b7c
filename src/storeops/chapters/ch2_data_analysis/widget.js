// The daily dashboard: a metric, a range of days and a comparison range; a summary table
// of every metric and a line chart of the chosen one. Same figures as
// storeops.chapters.ch2_data_analysis.widget.LiveDashboard.compute (which runs KpiDashboard).

// numpy's pairwise summation (np.sum of a float64 slice), so totals match to the last bit
function pairwise(a, lo, n) {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[lo + i];
    return res;
  }
  if (n <= 128) {
    const r = a.slice(lo, lo + 8);
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] += a[lo + i + j];
    let res = r[0] + r[1] + (r[2] + r[3]) + (r[4] + r[5] + (r[6] + r[7]));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
}

// np.nansum(values[lo..hi]) and np.nanmean of the same
function nansum(zeroed, lo, hi) {
  return 0 + pairwise(zeroed, lo, hi - lo + 1);
}

function formatValue(v, fmt) {
  if (v === null || v === undefined || !Number.isFinite(v)) return "–";
  if (fmt === "percent") return percent(v);
  if (fmt === "yuan") return Math.abs(v) >= 1000 ? yuan(v) : "¥" + grouped(v, 1);
  return grouped(v, 0);
}

function render({ model, el: root }) {
  const labels = model.get("labels");
  const n = labels.length;
  const metrics = model.get("metrics");
  const byName = Object.fromEntries(metrics.map((m) => [m.name, m]));
  const raw = model.get("values");
  const values = {}; // NaN where missing, for the chart
  const zeroed = {}; // 0 where missing, for nansum
  const counts = {}; // running count of present days, for nanmean
  for (const [name, vs] of Object.entries(raw)) {
    values[name] = vs.map((v) => (v === null ? NaN : v));
    zeroed[name] = vs.map((v) => (v === null ? 0 : v));
    counts[name] = [0];
    for (const v of vs) counts[name].push(counts[name][counts[name].length - 1] + (v === null ? 0 : 1));
  }
  const shifts = Object.fromEntries(model.get("comparisons"));
  const colours = model.get("colours");

  function periodValue(name, lo, hi) {
    if (lo < 0 || hi >= n || lo > hi) return NaN;
    const m = byName[name];
    if (m.ratio_of) {
      const [num, den] = m.ratio_of;
      if (num in values && den in values) {
        const a = nansum(zeroed[num], lo, hi);
        const b = nansum(zeroed[den], lo, hi);
        return b ? a / b : NaN;
      }
    }
    if (!(name in values)) return NaN;
    if (m.ratio_of) return nansum(zeroed[name], lo, hi) / (counts[name][hi + 1] - counts[name][lo]);
    return nansum(zeroed[name], lo, hi);
  }

  function comparisonRange(lo, hi, compare) {
    const shift = shifts[compare] === null ? hi - lo + 1 : shifts[compare];
    return [lo - shift, hi - shift];
  }

  // controls
  const metric = selectControl(model, "metric", {
    label: "metric",
    options: metrics.map((m) => [m.label, m.name]),
  });
  const compare = selectControl(model, "compare", {
    label: "compare",
    options: model.get("comparisons").map(([c]) => [c, c]),
  });
  const day = (name, label, other, keep) => {
    const input = el("input", { type: "range", min: "0", max: String(n - 1), step: "1", "data-control": name, "aria-label": label });
    const shown = el("output", { class: "live-readout", "data-figure": "readout." + name });
    input.addEventListener("input", () => {
      const v = input.valueAsNumber;
      // the range never turns inside out: push the other end along, in the same change
      model.set(keep(v, model.get(other)) ? { [name]: v, [other]: v } : { [name]: v });
      model.save_changes();
    });
    const sync = () => {
      input.value = String(model.get(name));
      shown.textContent = labels[model.get(name)];
    };
    model.on("change:" + name, sync);
    sync();
    return el("label", { class: "live-control" }, [el("span", { class: "live-label", text: label }), input, shown]);
  };
  const start = day("start", "from", "end", (v, end) => v > end);
  const end = day("end", "to", "start", (v, begin) => v < begin);
  const shiftBy = (days) => () => {
    const lo = model.get("start");
    const hi = model.get("end");
    const d = Math.max(-lo, Math.min(days, n - 1 - hi));
    model.set({ start: lo + d, end: hi + d });
    model.save_changes();
  };
  const back = el("button", { type: "button", text: "◀ 7 days" });
  const ahead = el("button", { type: "button", text: "7 days ▶" });
  back.addEventListener("click", shiftBy(-7));
  ahead.addEventListener("click", shiftBy(7));

  // summary table
  const cells = {};
  const fig = (key, tag = "td") => (cells[key] = el(tag, { "data-figure": key }));
  const compareHead = el("span");
  const head = el("tr", {}, [
    el("th"),
    el("th", {}, [fig("period", "span")]),
    el("th", {}, [compareHead, el("br"), "(", fig("before", "span"), ")"]),
    el("th", { text: "change" }),
  ]);
  const rows = metrics.map((m) =>
    el("tr", {}, [el("td", { text: m.label }), fig("now." + m.name), fig("then." + m.name), fig("change." + m.name)]),
  );
  const table = el("table", { style: "margin-bottom:.5em" }, [head, ...rows]);

  // chart
  const SVG = "http://www.w3.org/2000/svg";
  const width = 640, height = 200, padL = 64, padR = 12, padT = 22, padB = 26;
  const wIn = width - padL - padR, hIn = height - padT - padB;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.style.font = "11px sans-serif";
  const s = (tag, attrs, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    svg.append(node);
    return node;
  };

  function drawChart(name, lo, hi, compare) {
    svg.replaceChildren();
    const m = byName[name];
    const [clo, chi] = comparisonRange(lo, hi, compare);
    const now = values[name].slice(lo, hi + 1);
    const then = new Array(hi - lo + 1).fill(NaN);
    if (chi >= 0) {
      const from = Math.max(clo, 0);
      for (let i = from; i <= chi; i++) then[i - clo] = values[name][i];
    }
    const lines = [["selected days", now, colours[0]], [compare, then, colours[1]]];
    const finite = [...now, ...then].filter(Number.isFinite);
    let a = finite.length ? Math.min(...finite) : 0;
    let b = finite.length ? Math.max(...finite) : 1;
    if (a >= 0 && m.fmt !== "percent") a = Math.min(a, 0);
    if (b <= a) b = a + 1;
    const span = b - a;
    [a, b] = [a - 0.04 * span * (a !== 0 ? 1 : 0), b + 0.06 * span];
    s("text", { x: padL, y: 14, "font-weight": "bold" }, m.label);
    [0, 0.5, 1].forEach((frac, k) => {
      const val = a + frac * (b - a);
      const y = padT + (1 - frac) * hIn;
      s("line", { x1: padL, x2: width - padR, y1: fixed(y, 1), y2: fixed(y, 1), stroke: "#ddd" });
      s("text", { x: padL - 4, y: fixed(y + 4, 1), "text-anchor": "end", "data-figure": "axis." + k }, formatValue(val, m.fmt));
    });
    const count = hi - lo + 1;
    const ticks = [...new Set([0, Math.floor((count - 1) / 2), count - 1])].sort((p, q) => p - q);
    ticks.forEach((i, k) => {
      const x = padL + (i / Math.max(count - 1, 1)) * wIn;
      const anchor = i === 0 ? "start" : i === count - 1 ? "end" : "middle";
      s("text", { x: fixed(x, 1), y: height - 8, "text-anchor": anchor, "data-figure": "days." + k }, labels[lo + i]);
    });
    lines.forEach(([label, vs, colour], k) => {
      const dash = k > 0 ? { "stroke-dasharray": "4 3" } : {};
      let seg = [];
      const flush = () => {
        if (seg.length) s("polyline", { fill: "none", stroke: colour, "stroke-width": 1.6, ...dash, points: seg.join(" ") });
        seg = [];
      };
      vs.forEach((v, i) => {
        if (!Number.isFinite(v)) return flush();
        const x = padL + (i / Math.max(count - 1, 1)) * wIn;
        const y = padT + (1 - (v - a) / (b - a)) * hIn;
        seg.push(fixed(x, 1) + "," + fixed(y, 1));
      });
      flush();
      const lx = padL + 8 + 150 * k;
      s("line", { x1: lx, x2: lx + 18, y1: height - 30, y2: height - 30, stroke: colour, "stroke-width": 2, ...dash });
      s("text", { x: lx + 22, y: height - 26 }, label);
    });
  }

  const repaint = () => {
    const lo = model.get("start");
    const hi = model.get("end");
    const cmp = model.get("compare");
    const [clo, chi] = comparisonRange(lo, hi, cmp);
    cells.period.textContent = `${labels[lo]} to ${labels[hi]}`;
    cells.before.textContent = clo >= 0 ? `${labels[clo]} to ${labels[chi]}` : "before the data";
    compareHead.textContent = cmp;
    for (const m of metrics) {
      const now = periodValue(m.name, lo, hi);
      const then = periodValue(m.name, clo, chi);
      const change = then && Number.isFinite(then) ? now / then - 1 : NaN;
      cells["now." + m.name].textContent = formatValue(now, m.fmt);
      cells["then." + m.name].textContent = formatValue(then, m.fmt);
      const c = cells["change." + m.name];
      c.textContent = Number.isFinite(change) ? signed(100 * change, 1) + "%" : "–";
      c.style.color = change > 0 ? "#26a269" : change < 0 ? "#c01c28" : "#555";
    }
    drawChart(model.get("metric"), lo, hi, cmp);
  };
  onChanges(model, ["metric", "start", "end", "compare"], repaint);
  repaint();
  root.append(
    liveRoot(model, [
      el("div", { style: "display:flex;gap:1em;flex-wrap:wrap" }, [metric, compare]),
      start,
      end,
      el("div", { style: "margin:.2em 0 .4em 7.6em" }, [back, " ", ahead]),
      table,
      svg,
    ]),
  );
}

export default { render };
