// The budget allocator over power response curves: one slider per channel's daily budget,
// predicted revenue, profit after the ads (revenue x share left before ads - budget), the next
// yuan's profit, and the change in profit against today's split.
// Same figures as storeops.chapters.ch3_promotion.widget.LiveBudgetAllocator.compute.

function powerCurve(spend, c) {
  return c.revenue_per_day * Math.pow(spend / c.spend_per_day, c.elasticity);
}

function render({ model, el: root }) {
  const channels = model.get("channels");
  const sliders = channels.map((ch) => {
    const input = el("input", {
      type: "range",
      min: "0",
      max: String(model.get("spend_max")[ch]),
      step: String(model.get("step")),
      "data-control": "spends." + ch,
      "aria-label": ch + " daily budget",
    });
    input.addEventListener("input", () => {
      model.set("spends", { ...model.get("spends"), [ch]: input.valueAsNumber });
      model.save_changes();
    });
    const readout = el("output", { class: "live-readout", "data-figure": "readout.spends." + ch });
    const row = el("label", { class: "live-control" }, [
      el("span", { class: "live-label", text: ch }),
      input,
      readout,
    ]);
    return { ch, input, readout, row };
  });

  const cells = {};
  const cell = (key, tag = "td") => (cells[key] = el(tag, { "data-figure": key }));
  const bars = {};
  const head = el("tr", {}, ["channel", "daily budget", "predicted revenue", "profit after the ads", "next yuan's profit", ""].map((h) => el("th", { text: h })));
  const rows = channels.map((ch) => {
    bars[ch] = el("div", { style: `background:${model.get("colours")[ch]};height:.8em;width:0%` });
    return el("tr", {}, [
      el("td", { text: ch }),
      cell("budget." + ch),
      cell("revenue." + ch),
      cell("profit." + ch),
      cell("next." + ch),
      el("td", { style: "width:30%;text-align:left" }, [bars[ch]]),
    ]);
  });
  const foot = el("tr", { style: "font-weight:600" }, [
    el("td", { text: "total" }),
    cell("total.budget"),
    cell("total.revenue"),
    cell("total.profit"),
    el("td"),
    el("td"),
  ]);
  const change = cell("change.profit", "b");
  const note = el("div", {}, [
    "Predicted profit ",
    change,
    " vs today's split (",
    cell("change.budget", "span"),
    ").",
  ]);

  const repaint = () => {
    const spends = model.get("spends");
    const curves = model.get("curves");
    const today = model.get("today");
    const step = model.get("step");
    const share = model.get("share_left");
    const signed = (x) => (x >= 0 ? "+" : "-") + yuan(Math.abs(x));
    let totalS = 0, totalR = 0, totalP = 0, baseS = 0, baseP = 0, top = 0;
    const profit = {};
    for (const ch of channels) {
      const s = spends[ch];
      const r = powerCurve(s, curves[ch]);
      const p = r * share - s;
      const m = ((powerCurve(s + step, curves[ch]) - r) / step) * share - 1;
      profit[ch] = p;
      top = Math.max(top, Math.abs(p));
      cells["budget." + ch].textContent = yuan(s);
      cells["revenue." + ch].textContent = yuan(r);
      cells["profit." + ch].textContent = signed(p);
      cells["next." + ch].textContent = (m >= 0 ? "+" : "") + fixed(m, 2);
      totalS += s;
      totalR += r;
      totalP += p;
      baseS += today[ch];
      baseP += powerCurve(today[ch], curves[ch]) * share - today[ch];
    }
    for (const { ch, input, readout } of sliders) {
      input.value = String(spends[ch]);
      readout.textContent = grouped(spends[ch], 0);
      const width = Math.max(0, Math.min(100, (100 * Math.abs(profit[ch])) / (top || 1)));
      bars[ch].style.width = fixed(width, 0) + "%";
      bars[ch].style.background = profit[ch] >= 0 ? model.get("colours")[ch] : "#c01c28";
    }
    // the totals are summed in the channels' order, as compute() sums them
    cells["total.budget"].textContent = yuan(totalS);
    cells["total.revenue"].textContent = yuan(totalR);
    cells["total.profit"].textContent = signed(totalP);
    const ds = totalS - baseS;
    const dp = totalP - baseP;
    change.textContent = signed(dp) + " a day";
    change.style.color = dp >= 0 ? "#26a269" : "#c01c28";
    cells["change.budget"].textContent =
      Math.abs(ds) < 0.005 * Math.max(baseS, 1)
        ? "same total budget as today"
        : "budget " + signed(ds) + " a day vs today";
  };
  onChanges(model, ["spends"], repaint);
  repaint();
  root.append(
    liveRoot(model, [
      el("b", { text: "Daily budget by channel (yuan)" }),
      ...sliders.map((s) => s.row),
      el("table", {}, [head, ...rows, foot]),
      note,
    ]),
  );
}

export default { render };
