// The last CWMP sessions ("contacts") of each device, as this ACS instance saw
// them on the event bus, for the device page's table and chart. The store
// keeps only a device's last Inform, so the history lives here, in memory:
// lost at restart and per instance (the page says so).
//
// Memory is bounded and flat: fixed-size rings in typed arrays (20 bytes a
// contact, CONTACTS_PER_DEVICE per device) rather than objects, and at most
// `maxDevices` devices, the least recently heard one giving its slot up.
// 100,000 devices x 16 contacts = 32 MB.

import type { EventBus } from "../events.ts";

export const CONTACTS_PER_DEVICE = 16;

export interface Contact {
  /** When the session started (epoch ms). */
  at: number;
  events: string[];
  durationMs: number;
  rpcs: number;
  ok: boolean;
}

/** Inform event codes kept per contact (one bit each); others are counted as "other". */
const EVENT_CODES = [
  "0 BOOTSTRAP", "1 BOOT", "2 PERIODIC", "3 SCHEDULED", "4 VALUE CHANGE", "5 KICKED", "6 CONNECTION REQUEST",
  "7 TRANSFER COMPLETE", "8 DIAGNOSTICS COMPLETE", "9 REQUEST DOWNLOAD", "10 AUTONOMOUS TRANSFER COMPLETE",
  "11 DU STATE CHANGE COMPLETE", "12 AUTONOMOUS DU STATE CHANGE COMPLETE", "13 WAKEUP", "14 HEARTBEAT",
  "M Reboot", "M ScheduleInform", "M Download", "M ScheduleDownload", "M Upload", "M ChangeDUState",
] as const;
const OTHER_BIT = EVENT_CODES.length;
const BIT_OF = new Map<string, number>(EVENT_CODES.map((code, i) => [code, i]));

function eventMask(events: readonly string[]): number {
  let mask = 0;
  for (const e of events) mask |= 1 << (BIT_OF.get(e) ?? OTHER_BIT);
  return mask >>> 0;
}

function eventsOf(mask: number): string[] {
  const out: string[] = [];
  EVENT_CODES.forEach((code, i) => {
    if (mask & (1 << i)) out.push(code);
  });
  if (mask & (1 << OTHER_BIT)) out.push("other");
  return out;
}

const K = CONTACTS_PER_DEVICE;
const INITIAL_SLOTS = 1024;

export class ContactLog {
  private slots = 0;
  private at = new Float64Array(0);
  private duration = new Uint32Array(0);
  /** rpcs << 1 | ok */
  private info = new Uint32Array(0);
  private events = new Uint32Array(0);
  /** Per slot: index of the next write, and how many contacts it holds. */
  private head = new Uint8Array(0);
  private count = new Uint8Array(0);
  /** Slot of each device; Map order is recency (least recently heard first). */
  private readonly slotOf = new Map<string, number>();
  /** Informs whose session has not ended yet: their events, until session.ended. */
  private readonly informing = new Map<string, number>();

  constructor(private readonly maxDevices = 100_000) {}

  /** Records every session that ends on `bus`; returns the unsubscribe function. */
  follow(bus: EventBus): () => void {
    const offInformed = bus.on("device.informed", ({ deviceId, events }) => {
      // Bounded like the rings: a session that never ends must not grow this map.
      if (this.informing.size >= this.maxDevices) this.informing.delete(this.informing.keys().next().value!);
      this.informing.set(deviceId, eventMask(events));
    });
    const offEnded = bus.on("session.ended", ({ deviceId, ok, durationMs, rpcs }) => {
      const mask = this.informing.get(deviceId) ?? 0;
      this.informing.delete(deviceId);
      this.add(deviceId, { at: Date.now() - durationMs, mask, durationMs, rpcs, ok });
    });
    return () => {
      offInformed();
      offEnded();
    };
  }

  add(deviceId: string, c: { at: number; mask: number; durationMs: number; rpcs: number; ok: boolean }): void {
    const slot = this.slotFor(deviceId);
    const h = this.head[slot]!;
    const i = slot * K + h;
    this.at[i] = c.at;
    this.duration[i] = Math.min(Math.max(0, Math.round(c.durationMs)), 0xffffffff);
    this.info[i] = ((Math.min(c.rpcs, 0x7fffffff) << 1) | (c.ok ? 1 : 0)) >>> 0;
    this.events[i] = c.mask;
    this.head[slot] = (h + 1) % K;
    this.count[slot] = Math.min(K, this.count[slot]! + 1);
  }

  /** The device's recent contacts, oldest first. */
  contacts(deviceId: string): Contact[] {
    const slot = this.slotOf.get(deviceId);
    if (slot === undefined) return [];
    const n = this.count[slot]!;
    const out: Contact[] = [];
    for (let k = 0; k < n; k++) {
      const i = slot * K + ((this.head[slot]! - n + k + K) % K);
      const info = this.info[i]!;
      out.push({ at: this.at[i]!, events: eventsOf(this.events[i]!), durationMs: this.duration[i]!, rpcs: info >>> 1, ok: (info & 1) === 1 });
    }
    return out;
  }

  private slotFor(deviceId: string): number {
    let slot = this.slotOf.get(deviceId);
    if (slot !== undefined) {
      this.slotOf.delete(deviceId); // re-inserted below: most recently heard
    } else {
      // Slots are handed out in order and never freed, so the next unused one is slotOf.size.
      if (this.slotOf.size === this.slots && this.slots < this.maxDevices) this.grow();
      if (this.slotOf.size < this.slots) {
        slot = this.slotOf.size;
      } else {
        const [oldest, oldestSlot] = this.slotOf.entries().next().value!;
        this.slotOf.delete(oldest);
        slot = oldestSlot;
      }
      this.head[slot] = 0;
      this.count[slot] = 0;
    }
    this.slotOf.set(deviceId, slot);
    return slot;
  }

  private grow(): void {
    const slots = Math.min(this.maxDevices, Math.max(INITIAL_SLOTS, this.slots * 2));
    const copy = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T, per: number): T => {
      const next = make(slots * per);
      next.set(old);
      return next;
    };
    this.at = copy(this.at, (n) => new Float64Array(n), K);
    this.duration = copy(this.duration, (n) => new Uint32Array(n), K);
    this.info = copy(this.info, (n) => new Uint32Array(n), K);
    this.events = copy(this.events, (n) => new Uint32Array(n), K);
    this.head = copy(this.head, (n) => new Uint8Array(n), 1);
    this.count = copy(this.count, (n) => new Uint8Array(n), 1);
    this.slots = slots;
  }
}
