// The KPI tree: sales = visitors x conversion rate x average order value.
// Same figures as storeops.widgets.kpi_tree.KpiTree.compute.

function render({ model, el: root }) {
  const controls = [
    rangeControl(model, "visitors", {
      label: "visitors",
      min: model.get("visitors_min"),
      max: model.get("visitors_max"),
      step: model.get("visitors_step"),
      readout: (v) => grouped(v, 0),
    }),
    rangeControl(model, "conversion", {
      label: "conv. %",
      min: model.get("conversion_min"),
      max: model.get("conversion_max"),
      step: model.get("conversion_step"),
      readout: (v) => fixed(v, 1) + "%",
    }),
    rangeControl(model, "order_value", {
      label: "AOV (¥)",
      min: model.get("order_value_min"),
      max: model.get("order_value_max"),
      step: model.get("order_value_step"),
      readout: (v) => grouped(v, 0),
    }),
  ];
  const orders = el("span", { "data-figure": "orders" });
  const sales = el("b", { "data-figure": "sales" });
  const result = el("div", { class: "live-result" }, [
    "orders = ",
    orders,
    " per day, sales = ",
    sales,
    " per day",
  ]);
  const repaint = () => {
    const figures = compute(model.get("visitors"), model.get("conversion"), model.get("order_value"));
    orders.textContent = figures.orders;
    sales.textContent = figures.sales;
  };
  onChanges(model, ["visitors", "conversion", "order_value"], repaint);
  repaint();
  root.append(liveRoot(model, [...controls, result]));
}

function compute(visitors, conversion, orderValue) {
  const orders = (visitors * conversion) / 100;
  return { orders: grouped(orders, 0), sales: "¥" + grouped(orders * orderValue, 0) };
}

export default { render };
