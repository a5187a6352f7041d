// Which base URL a CPE used to reach the CWMP listener (scheme + Host header),
// by the address it connects from: the firmware URL must name a host the CPE
// can reach, and without a configured public URL the best guess is the one it
// just used. Fed by the listener hook in file-serving.ts. Needed only because
// a session context does not carry the request's Host (see the report to the
// lead); bounded, oldest address forgotten first.

const MAX_ENTRIES = 200_000;
/** A Host header: name or [IPv6], optional port; nothing that could bend a URL. */
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

export class CpeHosts {
  private readonly byAddress = new Map<string, string>();

  record(remoteAddress: string, scheme: "http" | "https", host: string | undefined): void {
    if (host === undefined || !HOST.test(host)) return;
    const base = `${scheme}://${host}`;
    if (this.byAddress.get(remoteAddress) === base) return;
    this.byAddress.delete(remoteAddress);
    this.byAddress.set(remoteAddress, base);
    if (this.byAddress.size > MAX_ENTRIES) this.byAddress.delete(this.byAddress.keys().next().value!);
  }

  baseUrlOf(remoteAddress: string): string | undefined {
    return this.byAddress.get(remoteAddress);
  }
}
