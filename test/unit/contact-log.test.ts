// The device page's contact history: fixed rings per device, least recently
// heard device evicted, events kept as bits, fed from the real event bus.

import { describe, expect, test } from "vitest";
import { CONTACTS_PER_DEVICE, ContactLog } from "../../acs/dashboards/contact-log.ts";
import { EventBus } from "../../acs/events.ts";

const contact = (at: number, ok = true) => ({ at, mask: 0, durationMs: at % 1000, rpcs: at % 7, ok });

describe("ContactLog", () => {
  test("keeps the last CONTACTS_PER_DEVICE contacts of a device, oldest first", () => {
    const log = new ContactLog();
    for (let i = 1; i <= CONTACTS_PER_DEVICE + 5; i++) log.add("dev-a", contact(i * 1000 + i, i % 2 === 0));
    const kept = log.contacts("dev-a");
    expect(kept).toHaveLength(CONTACTS_PER_DEVICE);
    expect(kept[0]!.at).toBe(6 * 1000 + 6);
    expect(kept.at(-1)).toEqual({ at: 21 * 1000 + 21, events: [], durationMs: 21, rpcs: (21 * 1000 + 21) % 7, ok: false });
    expect(log.contacts("never-heard")).toEqual([]);
  });

  test("beyond maxDevices the least recently heard device gives its slot up", () => {
    const log = new ContactLog(2);
    log.add("a", contact(1));
    log.add("b", contact(2));
    log.add("a", contact(3)); // a is now the most recent
    log.add("c", contact(4)); // evicts b
    expect(log.contacts("b")).toEqual([]);
    expect(log.contacts("a").map((c) => c.at)).toEqual([1, 3]);
    expect(log.contacts("c").map((c) => c.at)).toEqual([4]);
  });

  test("grows past its first allocation without losing contacts", () => {
    const log = new ContactLog(5000);
    for (let i = 0; i < 3000; i++) log.add(`d${i}`, contact(i + 1));
    expect(log.contacts("d0").map((c) => c.at)).toEqual([1]);
    expect(log.contacts("d2999").map((c) => c.at)).toEqual([3000]);
  });

  test("follows the bus: the Inform's events and the session's outcome make one contact", () => {
    const bus = new EventBus();
    const log = new ContactLog();
    const stop = log.follow(bus);
    bus.emit("device.informed", { deviceId: "x", serialNumber: "SNX", events: ["1 BOOT", "M Reboot", "X ACME Custom"], remoteAddress: "192.0.2.1", bootstrap: false });
    bus.emit("session.ended", { deviceId: "x", ok: true, durationMs: 420, rpcs: 3 });
    stop();
    bus.emit("device.informed", { deviceId: "x", serialNumber: "SNX", events: ["2 PERIODIC"], remoteAddress: "192.0.2.1", bootstrap: false });
    bus.emit("session.ended", { deviceId: "x", ok: false, durationMs: 1, rpcs: 0 });
    const [only, ...rest] = log.contacts("x");
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ events: ["1 BOOT", "M Reboot", "other"], durationMs: 420, rpcs: 3, ok: true });
  });
});
