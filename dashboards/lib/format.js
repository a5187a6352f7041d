// Numbers and dates as the NOC reads them: times in Europe/Paris whatever the
// browser's zone, thousands separated, durations short.

const PARIS = "Europe/Paris";
const dateTime = new Intl.DateTimeFormat("en-GB", { timeZone: PARIS, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
const timeOnly = new Intl.DateTimeFormat("en-GB", { timeZone: PARIS, hour: "2-digit", minute: "2-digit", second: "2-digit" });
const number = new Intl.NumberFormat("en-GB");

export const formatNumber = (n) => number.format(n);

const euros = new Intl.NumberFormat("fr-FR", { style: "currency", currency: "EUR" });
/** Integer cents as euros, French style: 18000 → "180,00 €". */
export const formatEuros = (cents) => euros.format(cents / 100);

/** "26/11/2026, 13:05:09" (Paris), or "—" for none. */
export const formatDateTime = (value) => (value === null || value === undefined ? "—" : dateTime.format(new Date(value)));

export const formatTime = (value) => timeOnly.format(new Date(value));

/** "12 s ago", "5 min ago", "3 h ago", "4 d ago". */
export function formatAgo(value, now = Date.now()) {
  if (value === null || value === undefined) return "never";
  const s = Math.max(0, Math.round((now - new Date(value).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function formatDuration(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.round(ms / 60_000)} min`;
}

/** "online", "offline" or "never" (never informed), from an API device summary. */
export const deviceState = (device) => (device.lastInformAt === null ? "never" : device.online ? "online" : "offline");

export const STATE_LABELS = { online: "Online", offline: "Offline", never: "Never seen" };
