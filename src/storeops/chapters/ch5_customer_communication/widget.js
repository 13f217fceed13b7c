// Agents per block of hours on a busy day: Erlang C waits of pre-sale chats, orders lost, staff cost.
// Same figures as storeops.chapters.ch5_customer_communication.widget.StaffingCurve.compute.

const BLOCKS = [["night", 0, 9], ["day", 9, 18], ["evening", 18, 24]];
const WAIT_CAP_S = 120.0;

function meanWait(chatsPerHour, handleS, agents) {
  if (chatsPerHour <= 0) return 0.0;
  const load = (chatsPerHour * handleS) / 3600.0;
  if (agents <= load) return WAIT_CAP_S;
  let term = 1.0;
  let total = 1.0;
  for (let k = 1; k < agents; k++) {
    term *= load / k;
    total += term;
  }
  const last = (((term * load) / agents) * agents) / (agents - load);
  const pWait = last / (total + last);
  const wait = (pWait * handleS) / (agents - load);
  return Math.min(wait, WAIT_CAP_S);
}

function render({ model, el: root }) {
  const controls = BLOCKS.map(([name, lo, hi]) =>
    rangeControl(model, "agents_" + name, {
      label: `agents ${lo}:00-${hi - 1}:59`,
      min: 0,
      max: model.get("max_agents"),
      step: 1,
      readout: (v) => String(Math.trunc(v)),
    }),
  );
  const wait = el("span", { "data-figure": "wait" });
  const lost = el("span", { "data-figure": "lost" });
  const staff = el("span", { "data-figure": "staff" });
  const cost = el("b", { "data-figure": "cost" });
  const result = el("div", { class: "live-result" }, [
    "on " + model.get("day") + ": a pre-sale chat waits ",
    wait,
    " s on average, orders lost to waiting ",
    lost,
    ", staff cost ",
    staff,
    "; staff plus the lost orders' margin ",
    cost,
  ]);
  const repaint = () => {
    const presale = model.get("presale_by_hour");
    const handle = model.get("handle_s");
    let waited = 0.0;
    let lostOrders = 0.0;
    let agentHours = 0;
    for (const [name, lo, hi] of BLOCKS) {
      const agents = Math.trunc(model.get("agents_" + name));
      for (let h = lo; h < hi; h++) {
        const w = meanWait(presale[h], handle, agents);
        waited += w * presale[h];
        lostOrders += presale[h] * Math.min(model.get("loss_per_s") * w, model.get("quick_conversion"));
        agentHours += agents;
      }
    }
    const totalChats = presale.reduce((a, b) => a + b, 0);
    const staffCost = agentHours * model.get("wage");
    wait.textContent = fixed(totalChats ? waited / totalChats : 0.0, 0);
    lost.textContent = fixed(lostOrders, 1);
    staff.textContent = "¥" + grouped(staffCost, 0);
    cost.textContent = "¥" + grouped(staffCost + lostOrders * model.get("margin"), 0);
  };
  onChanges(model, BLOCKS.map(([name]) => "agents_" + name), repaint);
  repaint();
  root.append(liveRoot(model, [...controls, result]));
}

export default { render };
