// Builds DOM nodes. Data always goes in as text (text nodes, textContent, attributes): never as HTML.

/**
 * h("div", {class: "card", id: "x", on: {click: fn}, attrs: {"aria-label": "..."}}, child, "text", ...)
 * Children may be nodes, strings (become text nodes), arrays, null or false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (/^(inner|outer)HTML$|^insertAdjacentHTML$/.test(key))
      throw new Error(`h(): ${key} is not allowed; data is rendered as text`);
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = String(value);
    else if (key === "on") for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else if (key === "attrs")
      for (const [name, v] of Object.entries(value)) {
        if (v !== null && v !== undefined && v !== false) node.setAttribute(name, String(v));
      }
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key in node) node[key] = value;
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

/** An alert saying what went wrong (a page that could not load, say), as text. */
export function alertBox(text, kind = "danger") {
  return h("div", { class: `alert alert-${kind}`, attrs: { role: "alert" }, text });
}

export function byId(id) {
  return document.getElementById(id);
}

/** A small inline SVG chart: one horizontal bar per [label, value, cssClass]. */
export function barChart(rows, { width = 160, height = 12, label } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const total = Math.max(
    1,
    rows.reduce((sum, [, value]) => sum + value, 0),
  );
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label || rows.map(([name, value]) => `${name} ${value}`).join(", "));
  let x = 0;
  for (const [, value, cls] of rows) {
    const rect = document.createElementNS(ns, "rect");
    const w = (value / total) * width;
    rect.setAttribute("x", String(x));
    rect.setAttribute("y", "0");
    rect.setAttribute("width", String(w));
    rect.setAttribute("height", String(height));
    rect.setAttribute("class", cls);
    svg.append(rect);
    x += w;
  }
  return svg;
}
