// senga serve: the page. Plain JavaScript, no build step, no network but this server.
// Each file becomes a card; files go to POST /api/extract/stream a few at a time
// (progress events, then the black-on-white line art); styles are applied by
// POST /api/render (the same Python code as the CLI), never by the model again.
"use strict";

const MAX_PARALLEL = 2;        // uploads in flight; the server queues the rest
const RESTYLE_DELAY_MS = 150;  // debounce for the style controls

const $ = (sel, root = document) => root.querySelector(sel);
const cardsEl = $("#cards");
const template = $("#card-template");
const styleForm = $("#style");
const cards = [];              // {id, file, name, el, state, lineBlob, styled: {key, blob, url}, outName}
let nextId = 1;
let active = 0;
let restyleTimer = null;
let limits = null;
let needsRgb = new Set();      // styles whose colors come from the input image (sent along as "source")
// labels of the styles the server lists; a style without one shows its name
const STYLE_LABELS = {
  black: "Black on white",
  alpha: "Transparent PNG",
  controlnet: "White on black (ControlNet)",
  color: "Colored lines",
};

// ---------- server info ----------
async function loadHealth() {
  const el = $("#server");
  try {
    const r = await fetch("/api/health", { cache: "no-store" });
    if (r.status === 401) {
      el.textContent = "This server needs its token: open the URL that senga serve printed.";
      el.classList.add("error");
      return;
    }
    const h = await r.json();
    limits = h.limits;
    needsRgb = new Set(h.styles_need_rgb || []);
    buildStyleChoices(h.styles || ["black"]);
    $("#max-side-field").hidden = !h.max_side;
    el.textContent = `Model ${h.model || "?"} on ${h.device}; ${h.queue.workers} worker(s), ` +
      `${h.queue.capacity} waiting places.`;
    $("#version").textContent = `senga ${h.version}`;
    $("#limits").textContent = `up to ${Math.floor(limits.max_upload_bytes / 1048576)} MB, ` +
      `${(limits.max_pixels / 1e6).toFixed(0)} megapixels each`;
    document.body.dataset.ready = "1";
  } catch (err) {
    el.textContent = "The server does not answer: is senga serve still running?";
    el.classList.add("error");
  }
}

// ---------- style ----------
function buildStyleChoices(names) {
  const fieldset = $("fieldset", styleForm);
  const chosen = new FormData(styleForm).get("style") || names[0];
  for (const label of fieldset.querySelectorAll("label")) label.remove();
  for (const name of names) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "radio";
    input.name = "style";
    input.value = name;
    input.checked = name === chosen;
    input.defaultChecked = name === names[0];
    label.append(input, ` ${STYLE_LABELS[name] || name}`);
    fieldset.appendChild(label);
  }
  onStyleInput();
}

function currentStyle() {
  const f = styleForm.elements;
  return {
    style: new FormData(styleForm).get("style"),
    color: new FormData(styleForm).get("style") === "alpha" ? f.color.value : "#000000",  // alpha only
    // the contrast slider runs from darker faint lines (left) to lighter: gamma = 2^value
    gamma: Number(Math.pow(2, Number(f.gamma.value)).toFixed(4)),
    drop_below: Number(f.drop_below.value),
  };
}

function styleKey(s) {
  return `${s.style}|${s.style === "alpha" ? s.color : ""}|${s.gamma}|${s.drop_below}`;
}

function isPlain(s) {
  return s.style === "black" && s.gamma === 1 && s.drop_below === 0;
}

function onStyleInput() {
  const s = currentStyle();
  $("#gamma-out").textContent = s.gamma.toFixed(2);
  $("#drop-out").textContent = s.drop_below.toFixed(2);
  styleForm.elements.color.disabled = s.style !== "alpha";
  document.body.dataset.style = s.style;
  clearTimeout(restyleTimer);
  restyleTimer = setTimeout(restyleAll, RESTYLE_DELAY_MS);
}

let restyleRun = 0;
async function restyleAll() {
  const run = ++restyleRun;
  for (const card of cards) {
    if (run !== restyleRun) return;        // a newer change supersedes this pass
    if (card.state === "done") await applyStyle(card);
  }
}

async function applyStyle(card) {
  const s = currentStyle();
  const key = styleKey(s);
  if (card.styled && card.styled.key === key) return;
  let blob = card.lineBlob;
  if (!isPlain(s)) {
    const form = new FormData();
    form.append("image", card.lineBlob, card.outName);
    if (needsRgb.has(s.style)) form.append("source", card.file, card.name);  // colors come from the input
    for (const k of ["style", "color", "gamma", "drop_below"]) form.append(k, String(s[k]));
    card.status.textContent = "Applying style…";
    try {
      const r = await fetch("/api/render", { method: "POST", body: form });
      if (!r.ok) throw new Error((await errorText(r)) || `HTTP ${r.status}`);
      blob = await r.blob();
    } catch (err) {
      card.status.textContent = `Style not applied: ${err.message}`;
      return;
    }
  }
  if (styleKey(currentStyle()) !== key) return;  // the style moved on meanwhile
  if (card.styled) URL.revokeObjectURL(card.styled.url);
  card.styled = { key, blob, url: URL.createObjectURL(blob), style: s.style };
  const img = $(".result", card.el);
  img.src = card.styled.url;
  await img.decode().catch(() => {});
  card.el.dataset.style = s.style;
  card.el.dataset.styleKey = key;
  card.status.textContent = `Done · ${card.width} × ${card.height}`;
}

// ---------- files ----------
function addFiles(fileList) {
  for (const file of fileList) {
    const el = template.content.firstElementChild.cloneNode(true);
    const card = { id: nextId++, file, name: file.name, el, state: "waiting",
                   status: $(".status", el), progress: $(".progress", el),
                   maxSide: $("#max-side-field").hidden ? "" : $("#max-side").value };
    el.dataset.id = card.id;
    $(".name", el).textContent = file.name;
    card.status.textContent = "Waiting to upload";
    setupViewer(card);
    cards.push(card);
    cardsEl.appendChild(el);
  }
  updateSummary();
  pump();
}

function setupViewer(card) {
  const el = card.el;
  const before = $(".before", el);
  const compare = $(".compare", el);
  before.src = URL.createObjectURL(card.file);
  // formats the browser cannot show (e.g. TIFF): show the result alone
  before.addEventListener("error", () => compare.classList.add("no-before"), { once: true });
  const split = $(".split", el);
  split.setAttribute("aria-label", `Before / after for ${card.name}`);
  split.addEventListener("input", () => compare.style.setProperty("--split", `${split.value}%`));
  const zoom = $(".zoom", el);
  zoom.setAttribute("aria-label", `Show ${card.name} at 100%`);
  zoom.addEventListener("click", () => {
    const on = zoom.getAttribute("aria-pressed") !== "true";
    zoom.setAttribute("aria-pressed", String(on));
    el.classList.toggle("zoomed", on);
  });
  const download = $(".download", el);
  download.setAttribute("aria-label", `Download the line art of ${card.name}`);
  download.addEventListener("click", () => saveBlob(card.styled.blob, card.outName));
}

function setState(card, state, text) {
  card.state = state;
  card.el.dataset.state = state;
  if (text !== undefined) card.status.textContent = text;
  updateSummary();
}

function pump() {
  while (active < MAX_PARALLEL) {
    const card = cards.find((c) => c.state === "waiting");
    if (!card) return;
    active++;
    setState(card, "uploading", "Uploading…");
    process(card).finally(() => { active--; pump(); });
  }
}

async function errorText(response) {
  try { return (await response.json()).error; } catch { return ""; }
}

async function process(card) {
  const form = new FormData();
  form.append("image", card.file, card.name);
  if (card.maxSide) form.append("max_side", card.maxSide);
  if (limits && card.file.size > limits.max_upload_bytes) {
    setState(card, "error", `${card.name}: file is too large (${(card.file.size / 1048576).toFixed(1)} MB; ` +
      `the limit is ${Math.floor(limits.max_upload_bytes / 1048576)} MB)`);
    return;
  }
  let response;
  try {
    response = await fetch("/api/extract/stream", { method: "POST", body: form });
  } catch (err) {
    setState(card, "error", `Upload failed: ${err.message}`);
    return;
  }
  if (response.status === 429) {               // queue full: wait and retry
    const wait = Number(response.headers.get("Retry-After") || 5);
    setState(card, "busy", `Server busy, retrying in ${wait} s`);
    await new Promise((ok) => setTimeout(ok, wait * 1000));
    setState(card, "waiting", "Waiting to upload");
    return;
  }
  if (!response.ok) {
    setState(card, "error", (await errorText(response)) || `HTTP ${response.status}`);
    return;
  }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let finished = false;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (value) buffer += decoder.decode(value, { stream: true });
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (line.trim()) finished = (await onEvent(card, JSON.parse(line))) || finished;
      }
      if (done) break;
    }
  } catch (err) {
    setState(card, "error", `Connection lost: ${err.message}`);
    return;
  }
  if (!finished) setState(card, "error", "The server closed the connection before the result");
}

async function onEvent(card, ev) {
  if (ev.event === "queued") {
    setState(card, "queued", ev.position > 0 ? `Queued (${ev.position} ahead)` : "Queued (next)");
  } else if (ev.event === "progress") {
    if (ev.total > 0) {
      card.progress.max = ev.total;
      card.progress.value = ev.done;
      setState(card, "running", ev.total > 1 ? `Processing: tile ${ev.done} / ${ev.total}` : "Processing…");
    } else {
      setState(card, "running", "Processing…");
    }
  } else if (ev.event === "done") {
    const bytes = Uint8Array.from(atob(ev.png), (c) => c.charCodeAt(0));
    card.lineBlob = new Blob([bytes], { type: "image/png" });
    card.width = ev.width;
    card.height = ev.height;
    card.outName = ev.name;
    card.el.dataset.width = ev.width;
    card.el.dataset.height = ev.height;
    $(".viewer", card.el).hidden = false;
    $(".card-actions", card.el).hidden = false;
    card.state = "done";                      // applyStyle needs it; data-state follows when shown
    await applyStyle(card);
    setState(card, "done");
    return true;
  } else if (ev.event === "error") {
    setState(card, "error", ev.error);
    return true;
  }
  return false;
}

function updateSummary() {
  const done = cards.filter((c) => c.state === "done").length;
  const failed = cards.filter((c) => c.state === "error").length;
  const left = cards.length - done - failed;
  $("#summary").textContent = cards.length
    ? `${done} done${failed ? `, ${failed} failed` : ""}${left ? `, ${left} to go` : ""}` : "";
  $("#zip").disabled = done === 0;
  $("#clear").disabled = cards.length === 0 || left > 0;
}

// ---------- downloads ----------
function saveBlob(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

async function downloadZip() {
  const files = {};
  const used = new Set();
  for (const card of cards) {
    if (card.state !== "done" || !card.styled) continue;
    let name = card.outName;
    for (let i = 2; used.has(name); i++) name = card.outName.replace(/\.png$/, `_${i}.png`);
    used.add(name);
    files[name] = [new Uint8Array(await card.styled.blob.arrayBuffer()), { level: 0 }];  // PNG is compressed
  }
  saveBlob(new Blob([fflate.zipSync(files)], { type: "application/zip" }), "senga_lines.zip");
}

function clearAll() {
  for (const card of cards) {
    if (card.styled) URL.revokeObjectURL(card.styled.url);
    URL.revokeObjectURL($(".before", card.el).src);
    card.el.remove();
  }
  cards.length = 0;
  updateSummary();
}

// ---------- wiring ----------
const drop = $("#drop");
$("#files").addEventListener("change", (e) => { addFiles(e.target.files); e.target.value = ""; });
for (const type of ["dragenter", "dragover"]) {
  drop.addEventListener(type, (e) => { e.preventDefault(); drop.classList.add("over"); });
}
for (const type of ["dragleave", "drop"]) {
  drop.addEventListener(type, () => drop.classList.remove("over"));
}
drop.addEventListener("drop", (e) => { e.preventDefault(); addFiles(e.dataTransfer.files); });
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => e.preventDefault());
styleForm.addEventListener("input", onStyleInput);
$("#reset-style").addEventListener("click", () => { styleForm.reset(); onStyleInput(); });
$("#zip").addEventListener("click", downloadZip);
$("#clear").addEventListener("click", clearAll);
onStyleInput();
loadHealth();
