// The device page's action bar. Buttons follow the session's rights (the
// server's canRunTask list); the API decides again on every call, so a
// forced call by a role without the right gets 403. Each action queues a
// task, asks for a connection request and waits a few seconds for the result.

import { apiWithStatus } from "../lib/api.js";
import { fill, h } from "../lib/dom.js";

const WAIT_MS = 8000;

/** Actions: task name, button text, the task body for a device, and whether it needs confirming. */
const ACTIONS = [
  {
    task: "refreshObject",
    label: "Refresh parameters",
    body: (device) => ({ name: "refreshObject", objectName: device.dataModel === "tr098" ? "InternetGatewayDevice." : "Device." }),
  },
  {
    task: "reboot",
    label: "Reboot",
    danger: true,
    confirm: (device) => `Reboot ${device.id}? The subscriber loses service while the device restarts.`,
    body: () => ({ name: "reboot" }),
  },
];

function outcomeText(label, status, out) {
  const task = out?.task;
  const wake = out?.connectionRequest;
  if (task?.status === "done") return `${label}: done.`;
  if (task?.status === "fault") return `${label} failed: ${task.fault?.code ?? ""} ${task.fault?.message ?? ""}`.trim();
  if (wake && !wake.ok) return `${label} queued: the device could not be reached now (${wake.reason}). It gets the task at its next contact.`;
  if (status === 202 && wake?.ok) return `${label} queued: the device was contacted and is still working on it.`;
  return `${label} queued: the device gets it at its next contact.`;
}

/** The action bar for `device`, or null when the role may run none of them. */
export function actionBar(device, session, { onDone }) {
  const allowed = ACTIONS.filter((a) => session.tasks.includes(a.task));
  if (allowed.length === 0) return null;
  const result = h("p", { class: "message", role: "status", hidden: true, id: "device-action-result" });
  const dialogText = h("p", {});
  const confirmButton = h("button", { type: "submit", value: "yes", class: "danger" }, "Confirm");
  const dialog = h("dialog", { "aria-labelledby": "device-confirm-title" },
    h("form", { method: "dialog" },
      h("h2", { id: "device-confirm-title" }, "Please confirm"),
      dialogText,
      h("div", { class: "actions" }, confirmButton, h("button", { type: "submit", value: "no", class: "secondary", autofocus: true }, "Cancel"))));

  const confirm = (text, actionLabel) => new Promise((resolve) => {
    fill(dialogText, text);
    confirmButton.textContent = actionLabel;
    dialog.returnValue = "";
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
    dialog.showModal();
  });

  const run = async (action, button) => {
    if (action.confirm && !(await confirm(action.confirm(device), action.label))) return;
    button.disabled = true;
    result.hidden = false;
    result.className = "message";
    fill(result, `${action.label}: sending to the device…`);
    try {
      const { status, body } = await apiWithStatus(`/devices/${encodeURIComponent(device.id)}/tasks?connection_request&timeout=${WAIT_MS}`, { method: "POST", body: action.body(device) });
      fill(result, outcomeText(action.label, status, body));
      result.className = body?.task?.status === "fault" ? "message error" : "message ok";
    } catch (err) {
      fill(result, err.status === 403 ? `${action.label} refused: ${err.message}` : `${action.label} failed: ${err.message}`);
      result.className = "message error";
    } finally {
      button.disabled = false;
      onDone();
    }
  };

  const buttons = allowed.map((action) => {
    const button = h("button", { type: "button", class: action.danger ? "danger" : "", "data-action": action.task });
    button.textContent = action.label;
    button.addEventListener("click", () => run(action, button));
    return button;
  });
  return h("section", { class: "panel", "aria-labelledby": "device-actions-title" },
    h("h2", { id: "device-actions-title" }, "Actions"),
    h("div", { class: "actions" }, buttons),
    result,
    dialog);
}
