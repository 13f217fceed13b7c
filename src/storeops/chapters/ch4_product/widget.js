// One SKU's price: the week's units at a constant elasticity, revenue and profit.
// Same figures as storeops.chapters.ch4_product.widget.PriceCurve.compute.

function render({ model, el: root }) {
  const control = rangeControl(model, "price", {
    label: "price (¥)",
    min: model.get("price_min"),
    max: model.get("price_max"),
    step: model.get("price_step"),
    readout: (v) => "¥" + fixed(v, 2),
  });
  const units = el("span", { "data-figure": "units" });
  const revenue = el("span", { "data-figure": "revenue" });
  const profit = el("b", { "data-figure": "profit" });
  const result = el("div", { class: "live-result" }, [
    units,
    " units a week, revenue ",
    revenue,
    ", profit ",
    profit,
  ]);
  const repaint = () => {
    const price = model.get("price");
    const u = model.get("week_units") * Math.pow(price / model.get("list_price"), model.get("elasticity"));
    units.textContent = fixed(u, 1);
    revenue.textContent = "¥" + grouped(u * price, 0);
    profit.textContent = "¥" + grouped(u * (price * (1 - model.get("cost_share")) - model.get("unit_cost")), 0);
  };
  onChanges(model, ["price"], repaint);
  repaint();
  root.append(liveRoot(model, [control, result]));
}

export default { render };
