// The upload page of xlsx2pg serve: pick a workbook, see its sheets, choose the table, load it,
// see what went in. Plain JavaScript against the service's own API; no inline handlers (the
// page's Content-Security-Policy forbids them) and the token kept in this tab's session only.
"use strict";

const $ = (id) => document.getElementById(id);
const TOKEN_KEY = "xlsx2pg-token";
let workbook = null;

const STATUS_WORDS = {
  400: "The request was refused",
  401: "The access token is missing or wrong",
  403: "That table may not be loaded by this service",
  408: "The upload was too slow",
  413: "The file is too large for this service",
  415: "Only .xlsx, .xlsm and .xls workbooks can be loaded",
  422: "The workbook could not be loaded",
  429: "The service is busy; try again in a moment",
  503: "The database is not available",
};

function headers() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { Authorization: "Bearer " + token } : {};
}

// The message line; `from` names who said it, so that a late answer clears only its own.
function say(text, from = "") {
  $("message").textContent = text;
  $("message").dataset.from = from;
}

function explain(status, body) {
  const words = STATUS_WORDS[status] || "The service failed (HTTP " + status + ")";
  if (status === 401) $("token-box").hidden = false;
  return body && body.error ? words + ": " + body.error : words + ".";
}

const CLOSED = "The service closed the connection: the file may be too large for this service, or the upload too slow.";

async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { ...headers(), ...(options.headers || {}) } });
  } catch (e) {
    throw new Error(CLOSED);  // refused before the browser had sent it all (413 and 408 do that)
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) throw new Error(explain(response.status, body));
  return body;
}

async function start() {
  try {
    await api("/health");
    $("token-box").hidden = true;
    const tables = await api("/tables");
    const list = $("tables");
    list.replaceChildren(...tables.map((t) => new Option(t.qualified_name)));
    if ($("message").dataset.from === "start") say("");
  } catch (e) {
    say(e.message, "start");
  }
}

async function inspect(file) {
  workbook = file;
  $("file-name").textContent = file.name + " (" + file.size.toLocaleString() + " bytes)";
  $("options").hidden = true;
  $("result").hidden = true;
  say("Reading the workbook…");
  const form = new FormData();
  form.append("file", file, file.name);
  try {
    const info = await api("/inspect", { method: "POST", body: form });
    const sheets = info.sheets.filter((s) => s.kind === "worksheet");
    $("sheet").replaceChildren(...sheets.map((s) => {
      const option = new Option(s.name + " (" + s.rows.toLocaleString() + " rows, " + s.columns + " columns)", s.name);
      option.dataset.state = s.state;
      return option;
    }));
    const visible = sheets.findIndex((s) => s.state === "visible");
    if (visible >= 0) $("sheet").selectedIndex = visible;
    $("options").hidden = false;
    say("");
  } catch (e) {
    say(e.message);
  }
}

function showResult(body) {
  const load = body.loads[0];
  $("rows-read").textContent = load.rows_read.toLocaleString();
  $("rows-loaded").textContent = load.rows_loaded.toLocaleString();
  $("rows-rejected").textContent = load.rows_rejected.toLocaleString();
  $("seconds").textContent = load.seconds.toFixed(2) + " s";
  $("rate").textContent = Math.round(load.rows_per_second).toLocaleString();
  $("run").textContent = load.run_id + " into " + load.target;
  $("run").dataset.run = load.run_id;
  const rows = load.first_rejects.map((r) => {
    const tr = document.createElement("tr");
    for (const value of [r.sheet_row, r.column, r.value, r.reason]) {
      const td = document.createElement("td");
      td.textContent = value;
      tr.append(td);
    }
    return tr;
  });
  $("rejects").tBodies[0].replaceChildren(...rows);
  $("rejects-box").hidden = load.rows_rejected === 0;
  $("result").hidden = false;
}

function poll(uploadId) {
  const timer = setInterval(async () => {
    try {
      const p = await api("/uploads/" + uploadId);
      if (p.state === "receiving") return;
      const expected = Math.max(p.expected_rows, p.rows, 1);
      $("progress").value = Math.min(100, (100 * p.rows) / expected);
      $("progress-text").textContent = p.merging
        ? "Merging " + p.rows.toLocaleString() + " rows into the table…"
        : p.waiting
          ? "Waiting for " + p.waiting
          : "Loaded " + p.rows.toLocaleString() + " of about " + expected.toLocaleString() + " rows";
    } catch (e) {
      // The upload may be finished already; its answer says how it went.
    }
  }, 500);
  return () => clearInterval(timer);
}

function load(event) {
  event.preventDefault();
  if (!workbook) return;
  const uploadId = crypto.randomUUID();
  const query = new URLSearchParams({
    table: $("table").value.trim(),
    sheet: $("sheet").value,
    mode: $("mode").value,
    create: $("create").checked ? "true" : "false",
    upload_id: uploadId,
  });
  if ($("upsert").value.trim()) query.set("upsert", $("upsert").value.trim());
  if ($("fill-merged").checked) query.set("fill_merged", "true");
  if (Number($("header-rows").value) > 1) query.set("header_rows", $("header-rows").value);
  if ($("add-sources").checked) query.set("add_columns", "file,sheet,row");
  const form = new FormData();
  form.append("file", workbook, workbook.name);

  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/upload?" + query);
  for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
  xhr.responseType = "json";
  $("upload").disabled = true;
  $("result").hidden = true;
  $("progress-box").hidden = false;
  $("progress").value = 0;
  say("");
  let stopPolling = () => {};
  xhr.upload.addEventListener("progress", (e) => {
    if (!e.lengthComputable) return;
    $("progress").value = (100 * e.loaded) / e.total;
    $("progress-text").textContent = "Sending: " + e.loaded.toLocaleString() + " of " + e.total.toLocaleString() + " bytes";
  });
  xhr.upload.addEventListener("load", () => {
    $("progress").removeAttribute("value");
    $("progress-text").textContent = "Loading…";
    stopPolling = poll(uploadId);
  });
  xhr.addEventListener("loadend", () => {
    stopPolling();
    $("upload").disabled = false;
    $("progress-box").hidden = true;
    if (xhr.status === 200) {
      showResult(xhr.response);
    } else if (xhr.status === 0) {
      say(CLOSED);
    } else {
      say(explain(xhr.status, xhr.response));
    }
  });
  xhr.send(form);
}

// Downloads the run's rejected rows as `format` (csv or xlsx): fetched with the token, then
// handed to the browser as a file.
async function downloadRejects(format) {
  const run = $("run").dataset.run;
  const name = "run-" + run + "-rejects." + format;
  const response = await fetch("/runs/" + run + "/rejects." + format, { headers: headers() });
  if (!response.ok) {
    say(explain(response.status, null));
    return;
  }
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
}

document.addEventListener("DOMContentLoaded", () => {
  $("token-save").addEventListener("click", () => {
    sessionStorage.setItem(TOKEN_KEY, $("token").value);
    $("token").value = "";
    start();
  });
  $("file").addEventListener("change", () => {
    if ($("file").files.length) inspect($("file").files[0]);
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => {
    e.preventDefault();
    drop.classList.add("over");
  });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files.length) inspect(e.dataTransfer.files[0]);
  });
  $("options").addEventListener("submit", load);
  $("rejects-csv").addEventListener("click", () => downloadRejects("csv"));
  $("rejects-xlsx").addEventListener("click", () => downloadRejects("xlsx"));
  start();
});
