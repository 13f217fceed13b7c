// Number formatting that gives the same text as Python's format specs, so a figure computed
// in the browser reads exactly like the library's Python computation of it.
//   fixed(x, d)    == f"{x:.{d}f}"     grouped(x, d) == f"{x:,.{d}f}"
//   signed(x, d)   == f"{x:+.{d}f}"    yuan(x) == storeops.plotting.yuan(x)
//   percent(x)     == storeops.plotting.percent(x)
// JavaScript's toFixed rounds exact ties away from zero (2.5 -> "3") where Python rounds
// them to even (2.5 -> "2"), so the rounding is done here on the exact decimal expansion
// of the double (toFixed(100) is exact for every value this book shows).

function roundDigits(x, d) {
  const exact = Math.abs(x).toFixed(Math.min(100, d + 80));
  const [intPart, fracPart] = exact.split(".");
  let digits = intPart + fracPart.slice(0, d);
  const rest = fracPart.slice(d);
  const first = rest.charCodeAt(0) - 48;
  const tail = /[1-9]/.test(rest.slice(1));
  const lastEven = (digits.charCodeAt(digits.length - 1) - 48) % 2 === 0;
  if (first > 5 || (first === 5 && (tail || !lastEven))) {
    const arr = digits.split("");
    let i = arr.length - 1;
    while (i >= 0) {
      if (arr[i] === "9") {
        arr[i] = "0";
        i -= 1;
      } else {
        arr[i] = String.fromCharCode(arr[i].charCodeAt(0) + 1);
        break;
      }
    }
    digits = (i < 0 ? "1" : "") + arr.join("");
  }
  const cut = digits.length - d;
  return [digits.slice(0, cut), digits.slice(cut)];
}

function pyFormat(x, d, group, plus) {
  if (x === null || x === undefined || Number.isNaN(x)) return plus ? "+nan" : "nan";
  const negative = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return (negative ? "-" : plus ? "+" : "") + "inf";
  let [intPart, fracPart] = roundDigits(x, d);
  if (group) intPart = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const sign = negative ? "-" : plus ? "+" : "";
  return sign + intPart + (d > 0 ? "." + fracPart : "");
}

export const fixed = (x, d) => pyFormat(x, d, false, false);
export const grouped = (x, d) => pyFormat(x, d, true, false);
export const signed = (x, d) => pyFormat(x, d, false, true);

export function yuan(x) {
  for (const [div, suffix] of [
    [1e9, "B"],
    [1e6, "M"],
    [1e3, "k"],
  ]) {
    if (Math.abs(x) >= div) return "¥" + fixed(x / div, 1) + suffix;
  }
  return "¥" + fixed(x, 0);
}

export const percent = (x) => fixed(100 * x, 1) + "%";

// The view helpers every live widget shares: a labelled range control whose readout is a
// figure too (data-figure "readout.<name>"), and figures marked data-figure so the
// browser test can read them by name.

export function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "style") node.style.cssText = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const child of children) node.append(child);
  return node;
}

export function rangeControl(model, name, { label, min, max, step, readout }) {
  const input = el("input", {
    type: "range",
    min: String(min),
    max: String(max),
    step: String(step),
    "data-control": name,
    "aria-label": label,
  });
  input.value = String(model.get(name));
  const shown = el("output", { class: "live-readout", "data-figure": "readout." + name });
  const row = el("label", { class: "live-control" }, [
    el("span", { class: "live-label", text: label }),
    input,
    shown,
  ]);
  const sync = () => {
    input.value = String(model.get(name));
    shown.textContent = readout(model.get(name));
  };
  input.addEventListener("input", () => {
    model.set(name, input.valueAsNumber);
    model.save_changes();
  });
  model.on("change:" + name, sync);
  sync();
  return row;
}

export function selectControl(model, name, { label, options }) {
  const select = el("select", { "data-control": name, "aria-label": label });
  for (const [text, value] of options) select.append(el("option", { value, text }));
  select.value = model.get(name);
  select.addEventListener("change", () => {
    model.set(name, select.value);
    model.save_changes();
  });
  model.on("change:" + name, () => {
    select.value = model.get(name);
  });
  return el("label", { class: "live-control" }, [
    el("span", { class: "live-label", text: label }),
    select,
  ]);
}

// Repaint whenever one of the named traits changes (a control here, or Python in a kernel).
export function onChanges(model, names, repaint) {
  for (const name of names) model.on("change:" + name, repaint);
}

// The widget's root: marked with the Python class it mirrors (the browser test looks the
// class up by this id) and, once painted, data-ready = milliseconds since the page's
// navigation started (the benchmark's "ready" figure).
export function liveRoot(model, children) {
  const root = el("div", { class: "live-widget", "data-live-widget": model.get("_anywidget_id") }, children);
  requestAnimationFrame(() => root.setAttribute("data-ready", String(Math.round(performance.now()))));
  return root;
}
