// Device and task states as text badges (colour is a second cue, never the only one).

import { h } from "../lib/dom.js";
import { deviceState, STATE_LABELS } from "../lib/format.js";

export const deviceBadge = (device) => {
  const state = deviceState(device);
  return h("span", { class: `badge ${state}` }, STATE_LABELS[state]);
};

export const taskBadge = (status) => h("span", { class: `badge ${status}` }, status);
