// One device: identity, status, actions by role, its recent contacts (chart
// and table), the blocks capabilities add (device/sections.js), parameters
// (secrets arrive masked from the API), faults, tasks and audit trail.
// Live: the page watches this device and reloads on its events.

import { timeChart } from "../components/chart.js";
import { deviceBadge, taskBadge } from "../components/status-badge.js";
import { dataTable } from "../components/table.js";
import { DEVICE_SECTIONS } from "../device/sections.js";
import { api } from "../lib/api.js";
import { fill, h, throttle } from "../lib/dom.js";
import { formatAgo, formatDateTime, formatDuration } from "../lib/format.js";
import { actionBar } from "./device-actions.js";

const PARAM_PAGE = 200;
const MASK = "********";

const facts = (rows) => h("dl", { class: "facts" }, rows.map(([k, v]) => [h("dt", {}, k), h("dd", {}, v ?? "—")]));
const panel = (id, title, ...content) => h("section", { class: "panel", id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...content);
const failure = (what, err) => h("p", { class: "message error" }, err.status === 403 ? `Your role may not see the ${what}.` : `Could not load the ${what}: ${err.message}`);

export function mount(main, { params, session, live }) {
  const id = params.id;
  const enc = encodeURIComponent(id);
  let destroyed = false;
  let paramFilter = "";
  let paramShown = PARAM_PAGE;
  let parameters = [];

  const heading = h("h1", { class: "mono" }, id);
  const headline = h("p", { id: "device-headline" });
  const error = h("p", { class: "message error", role: "alert", hidden: true });
  const actions = h("div");
  const identity = panel("device-identity", "Identity");
  const status = panel("device-status", "Status");
  const chart = timeChart({
    title: "Recent contacts: session duration and RPCs",
    yLabel: "duration (ms)",
    series: [{ label: "Duration", unit: "ms", color: "--chart-1" }, { label: "RPCs", color: "--chart-2", scale: "rpcs", axisLabel: "RPCs" }],
  });
  const contactsTable = h("div");
  const contacts = panel("device-contacts", "Last contacts", h("p", { class: "muted" }, "CWMP sessions this ACS instance ran with the device since it started."), chart.element, contactsTable);
  const extra = h("div", { class: "grid", id: "device-sections" });
  const paramInput = h("input", { id: "device-param-filter", type: "search", placeholder: "e.g. WiFi.SSID", autocomplete: "off" });
  const paramTable = h("div");
  const parametersPanel = panel("device-parameters", "Parameters",
    h("div", { class: "field-row" }, h("label", { for: "device-param-filter" }, "Filter parameters by name or value", paramInput)), paramTable);
  const faults = panel("device-faults", "Faults");
  const tasks = panel("device-tasks", "Tasks");
  const audit = panel("device-audit", "Audit trail");

  fill(main, heading, headline, error, actions,
    h("div", { class: "grid" }, identity, status), contacts, extra, parametersPanel,
    h("div", { class: "grid" }, faults, tasks), audit);

  function renderParameters() {
    const needle = paramFilter.toLowerCase();
    const rows = needle ? parameters.filter(([path, p]) => path.toLowerCase().includes(needle) || p.value.toLowerCase().includes(needle)) : parameters;
    const more = rows.length > paramShown
      ? h("button", { type: "button", class: "secondary", onClick: () => { paramShown += PARAM_PAGE; renderParameters(); } }, `Show ${Math.min(PARAM_PAGE, rows.length - paramShown)} more of ${rows.length - paramShown}`)
      : null;
    fill(paramTable,
      dataTable({
        caption: `${rows.length} of ${parameters.length} parameters`,
        columns: [
          { label: "Parameter", class: "path", cell: ([path]) => path },
          { label: "Value", class: "mono", cell: ([, p]) => (p.value === MASK ? h("span", { class: "muted", title: "Secret: never shown" }, `${MASK} (secret)`) : p.value) },
          { label: "Type", cell: ([, p]) => p.type.replace(/^xsd:/, "") },
          { label: "Writable", cell: ([, p]) => (p.writable ? "yes" : "no") },
          { label: "Learnt (Paris)", cell: ([, p]) => formatDateTime(p.ts) },
        ],
        rows: rows.slice(0, paramShown),
        empty: parameters.length ? "No parameter matches the filter." : "No parameter known yet.",
        tall: true,
      }),
      more);
  }

  function renderDevice(d) {
    fill(headline, deviceBadge(d), ` ${d.manufacturer} ${d.productClass} · serial ${d.serialNumber} · last contact ${formatAgo(d.lastInformAt)}`);
    fill(identity, h("h2", { id: "device-identity-title" }, "Identity"), facts([
      ["Manufacturer", d.manufacturer], ["OUI", d.oui], ["Model (ProductClass)", d.productClass], ["Serial number", d.serialNumber],
      ["Hardware version", d.hardwareVersion || null], ["Software version", d.softwareVersion || null],
      ["Data model", d.dataModel === "tr098" ? "TR-098 (InternetGatewayDevice)" : "TR-181 (Device)"],
    ]));
    fill(status, h("h2", { id: "device-status-title" }, "Status"), facts([
      ["State", deviceBadge(d)],
      ["Last contact", d.lastInformAt ? `${formatDateTime(d.lastInformAt)} (${formatAgo(d.lastInformAt)})` : "never"],
      ["Last events", d.lastEvents.join(", ") || null],
      ["Last boot", formatDateTime(d.lastBootAt)],
      ["Address", d.lastRemoteAddress],
      ["Periodic Inform", d.periodicInformInterval ? `every ${formatDuration(d.periodicInformInterval * 1000)}` : null],
      ["Connection request URL", d.connectionRequestUrl],
      ["Registered", formatDateTime(d.registeredAt)],
      ["Tags", d.tags.join(", ") || null],
    ]));
    parameters = Object.entries(d.parameters);
    renderParameters();
  }

  function renderContacts({ items }) {
    chart.set(items.map((c) => ({ t: Date.parse(c.at), values: [c.durationMs, c.rpcs] })), `${items.length} recent sessions`);
    fill(contactsTable, dataTable({
      caption: "Contacts, newest first",
      columns: [
        { label: "Started (Paris)", cell: (c) => formatDateTime(c.at) },
        { label: "Events", cell: (c) => c.events.join(", ") || "—" },
        { label: "Duration", cell: (c) => formatDuration(c.durationMs) },
        { label: "RPCs", cell: (c) => c.rpcs },
        { label: "Result", cell: (c) => (c.ok ? "completed" : "failed") },
      ],
      rows: [...items].reverse(),
      empty: "No contact since this ACS instance started.",
    }));
  }

  const renderList = (target, title, what, columns, empty) => (result) => {
    fill(target, h("h2", { id: `${target.id}-title` }, title), result.status === "fulfilled"
      ? dataTable({ caption: `${title} (newest first)`, columns, rows: result.value.items, empty })
      : failure(what, result.reason));
  };
  const renderFaults = renderList(faults, "Faults", "faults", [
    { label: "Time (Paris)", cell: (f) => formatDateTime(f.timestamp) },
    { label: "Code", class: "mono", cell: (f) => f.code },
    { label: "Message", cell: (f) => f.message },
    { label: "Cause", cell: (f) => f.channel },
  ], "No fault recorded.");
  const renderTasks = renderList(tasks, "Tasks", "tasks", [
    { label: "Created (Paris)", cell: (t) => formatDateTime(t.createdAt) },
    { label: "Task", cell: (t) => t.name },
    { label: "Status", cell: (t) => taskBadge(t.status) },
    { label: "By", cell: (t) => t.createdBy },
    { label: "Outcome", cell: (t) => (t.fault ? `${t.fault.code}: ${t.fault.message}` : t.doneAt ? `done ${formatDateTime(t.doneAt)}` : `${t.attempts} attempt(s)`) },
  ], "No task for this device.");
  const renderAudit = renderList(audit, "Audit trail", "audit trail", [
    { label: "Time (Paris)", cell: (a) => formatDateTime(a.timestamp) },
    { label: "Who", cell: (a) => a.actor },
    { label: "Action", class: "mono", cell: (a) => a.action },
    { label: "Detail", class: "mono", cell: (a) => JSON.stringify(a.detail) },
  ], "Nothing recorded.");

  let actionsShown = false;
  async function load() {
    const [device, contactList, faultList, taskList, auditList] = await Promise.allSettled([
      api(`/devices/${enc}`), api(`/contacts/${enc}`), api(`/faults?device=${enc}&limit=50`), api(`/tasks?device=${enc}&limit=50`), api(`/audit?device=${enc}&limit=50`),
    ]);
    if (destroyed) return;
    if (device.status === "rejected") {
      fill(error, device.reason.status === 404 ? "This device does not exist (or was deleted)." : `Could not load the device: ${device.reason.message}`);
      error.hidden = false;
      return;
    }
    error.hidden = true;
    renderDevice(device.value);
    if (!actionsShown) {
      actionsShown = true;
      fill(actions, actionBar(device.value, session, { onDone: () => reload() }));
      fill(extra, await Promise.all(DEVICE_SECTIONS.map(async (s) => {
        const content = await s.render(device.value, { session });
        return content ? panel(`device-section-${s.id}`, s.title, content) : null;
      })));
    }
    if (contactList.status === "fulfilled") renderContacts(contactList.value);
    renderFaults(faultList);
    renderTasks(taskList);
    renderAudit(auditList);
  }

  const reload = throttle(load, 1000);
  paramInput.addEventListener("input", () => {
    paramFilter = paramInput.value.trim();
    paramShown = PARAM_PAGE;
    renderParameters();
  });
  live.watch({ devices: [id] });
  load();
  return {
    onLive(message) {
      if (message.type === "batch" && (message.missed || message.events.some((e) => e.deviceId === id))) reload();
    },
    onReconnect: load,
    destroy() {
      destroyed = true;
      reload.cancel();
      chart.destroy();
    },
  };
}
