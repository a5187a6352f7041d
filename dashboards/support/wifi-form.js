// The Wi-Fi form of the support page: per band, on/off, SSID, passphrase
// (never shown: an empty field leaves it unchanged), security mode and
// channel from what the router's model supports, hidden SSID, and what the
// router last reported beside it. Only the fields that differ from the
// line's settings are sent; WEP and open need the explicit confirmation box.
// Errors from the API land next to the field they name ("bands.2.4GHz.ssid").

import { fill, h } from "../lib/dom.js";

const SECURITY_LABELS = {
  "wpa2-psk": "WPA2 personal",
  "wpa2-wpa3-psk": "WPA2/WPA3 transition",
  "wpa3-sae": "WPA3 personal (SAE)",
  "wpa-wpa2-psk": "WPA/WPA2 mixed",
  wep: "WEP (insecure)",
  open: "Open, no password (insecure)",
};
const INSECURE = ["wep", "open"];
const BAND_LABELS = { "2.4GHz": "2.4 GHz", "5GHz": "5 GHz" };
export const bandSlug = (band) => band.replace(/\W/g, "");

/** What the router last reported for a band, in words. */
export function reportedText(dev) {
  if (!dev) return "The router has not reported this band yet.";
  const parts = [`SSID “${dev.ssid ?? "?"}”`, dev.enabled ? "on" : "off", SECURITY_LABELS[dev.security] ?? dev.security ?? "?", `channel ${dev.channel ?? "?"}`];
  if (dev.hidden) parts.push("hidden");
  return `The router reports: ${parts.join(", ")}.`;
}

/** A labelled control with its error line; `control` gets aria-describedby to it. */
function field(id, label, control, { inline = false } = {}) {
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  control.id = id;
  control.setAttribute("aria-describedby", `${id}-error`);
  const wrapper = inline ? h("label", { for: id, class: "check" }, control, label) : h("label", { for: id }, label, control);
  return { element: h("div", { class: "field" }, wrapper, error), error };
}

function bandFieldset(band, desired, supported, device, canEdit) {
  const id = (name) => `wifi-${bandSlug(band)}-${name}`;
  const enabled = h("input", { type: "checkbox", checked: desired.enabled, disabled: !canEdit });
  const ssid = h("input", { type: "text", value: desired.ssid ?? "", maxlength: 64, autocomplete: "off", disabled: !canEdit });
  const passphrase = h("input", {
    type: "password", value: "", autocomplete: "new-password", disabled: !canEdit,
    placeholder: desired.passphrase ? "unchanged (a key is set)" : "not set: the router keeps its own",
  });
  const modes = supported.security.includes(desired.security) ? supported.security : [desired.security, ...supported.security];
  const security = h("select", { disabled: !canEdit }, modes.filter(Boolean).map((m) => h("option", { value: m, selected: m === desired.security }, SECURITY_LABELS[m] ?? m)));
  const channels = ["auto", ...supported.channels.map(String)];
  const current = String(desired.channel ?? "auto");
  const channel = h("select", { disabled: !canEdit }, (channels.includes(current) ? channels : [current, ...channels]).map((c) => h("option", { value: c, selected: c === current }, c === "auto" ? "Automatic" : c)));
  const hidden = h("input", { type: "checkbox", checked: desired.hidden, disabled: !canEdit });
  const fields = {
    enabled: field(id("enabled"), "Wi-Fi on", enabled, { inline: true }),
    ssid: field(id("ssid"), "Network name (SSID)", ssid),
    passphrase: field(id("passphrase"), "New passphrase", passphrase),
    security: field(id("security"), "Security", security),
    channel: field(id("channel"), "Channel", channel),
    hidden: field(id("hidden"), "Hidden network (SSID not broadcast)", hidden, { inline: true }),
  };
  const element = h("fieldset", { class: "band", "data-band": band },
    h("legend", {}, BAND_LABELS[band] ?? band, desired.insecure ? h("span", { class: "badge failed" }, "insecure") : null),
    h("div", { class: "field-row" }, fields.enabled.element, fields.hidden.element),
    h("div", { class: "field-row" }, fields.ssid.element, fields.passphrase.element),
    h("div", { class: "field-row" }, fields.security.element, fields.channel.element),
    h("p", { class: "muted", id: id("reported") }, reportedText(device)));
  /** The fields that differ from the line's settings. */
  const changes = () => {
    const out = {};
    if (enabled.checked !== desired.enabled) out.enabled = enabled.checked;
    if (ssid.value !== (desired.ssid ?? "")) out.ssid = ssid.value;
    if (passphrase.value !== "") out.passphrase = passphrase.value;
    if (security.value !== desired.security) out.security = security.value;
    if (channel.value !== current) out.channel = channel.value === "auto" ? "auto" : Number(channel.value);
    if (hidden.checked !== desired.hidden) out.hidden = hidden.checked;
    return out;
  };
  return { element, fields, security, changes, insecureChosen: () => INSECURE.includes(security.value) && security.value !== desired.security };
}

/** wifi: GET /api/lines/:id/wifi. onSubmit({ bands, confirmInsecure }) is called with what changed. */
export function wifiForm(wifi, { canEdit, onSubmit }) {
  const bands = Object.keys(wifi.supported).map((b) => [b, bandFieldset(b, wifi.bands[b], wifi.supported[b], wifi.device[b], canEdit)]);
  const confirm = h("input", { type: "checkbox", id: "wifi-confirm-insecure" });
  const confirmRow = h("label", { for: "wifi-confirm-insecure", class: "check warn", hidden: true }, confirm,
    "I confirm the insecure mode (WEP or open): anyone nearby can use or read this network. It is recorded as insecure.");
  const formError = h("p", { class: "message error", role: "alert", id: "wifi-form-error", hidden: true });
  const submit = h("button", { type: "submit", id: "wifi-submit", hidden: !canEdit }, "Apply changes");
  const refreshConfirm = () => {
    confirmRow.hidden = !bands.some(([, b]) => b.insecureChosen());
  };
  for (const [, b] of bands) b.security.addEventListener("change", refreshConfirm);

  const clearErrors = () => {
    formError.hidden = true;
    for (const [, b] of bands) for (const f of Object.values(b.fields)) f.error.hidden = true;
  };

  const form = h("form", { id: "wifi-form", "aria-labelledby": "support-wifi-title", novalidate: true },
    bands.map(([, b]) => b.element), confirmRow, formError, h("div", { class: "actions" }, submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors();
    const changed = {};
    for (const [band, b] of bands) {
      const c = b.changes();
      if (Object.keys(c).length > 0) changed[band] = c;
    }
    if (Object.keys(changed).length === 0) {
      fill(formError, "Nothing to apply: no field differs from the line's settings.");
      formError.hidden = false;
      return;
    }
    onSubmit({ bands: changed, ...(confirm.checked && { confirmInsecure: true }) });
  });

  return {
    element: form,
    setBusy(busy) {
      submit.disabled = busy;
      form.setAttribute("aria-busy", String(busy));
    },
    /** Field errors from a 400: next to their field, the rest (and a summary) above the button. */
    showErrors(errors, message) {
      clearErrors();
      const loose = [];
      for (const e of errors) {
        const m = /^bands\.(.+GHz)\.(\w+)$/.exec(e.field);
        const target = m && bands.find(([band]) => band === m[1])?.[1].fields[m[2]];
        if (target) {
          fill(target.error, e.message);
          target.error.hidden = false;
        } else loose.push(`${e.field}: ${e.message}`);
      }
      fill(formError, loose.length > 0 ? loose.join("; ") : message);
      formError.hidden = false;
    },
  };
}
