// Device key from an Inform's DeviceId: OUI-ProductClass-SerialNumber, or
// OUI-SerialNumber when ProductClass is empty (the GenieACS convention, so ids
// stay familiar to operators). Each part is percent-escaped (UTF-8 bytes) for
// every character outside [A-Za-z0-9_-], so ids are safe in URLs, lease names
// and channels. The id is a key: it is never split back into its parts.

import type { DeviceId } from "../cwmp/messages.ts";

const UNSAFE = /[^A-Za-z0-9_-]/gu;

function escapePart(s: string): string {
  return s.replace(UNSAFE, (ch) => {
    let out = "";
    for (const byte of Buffer.from(ch, "utf8")) out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
    return out;
  });
}

/** The device id, or null when the DeviceId lacks an OUI or a serial number (no stable identity). */
export function deviceIdOf(id: Pick<DeviceId, "oui" | "productClass" | "serialNumber">): string | null {
  if (id.oui.trim() === "" || id.serialNumber.trim() === "") return null;
  const oui = escapePart(id.oui);
  const serial = escapePart(id.serialNumber);
  return id.productClass === "" ? `${oui}-${serial}` : `${oui}-${escapePart(id.productClass)}-${serial}`;
}
