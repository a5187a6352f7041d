// The demo's subscriber lines, decided before any device starts (pure): one
// line per simulated router, the simulated ONTs in front of fibre routers
// or alone on a line with the subscriber's own router, each line's
// advertised range, and the simulated behaviour of the line (healthy most,
// a few below their minimum, degrading at the evening peak, WAN port stuck
// at 100 Mb/s, weak optics). Everything a line gets is drawn from a
// generator seeded by its tester's serial, so a line is the same at every
// start and for every fleet size.

import { fnv1a } from "../../agent/datamodel/fnv1a.ts";
import type { LineBehaviour, LineBehaviourKind } from "../../agent/drivers/sim/line-behaviour.ts";
import { MODEL_NAMES, type ModelName } from "../../agent/drivers/sim/model-spec.ts";
import { MODELS } from "../../agent/drivers/sim/models/index.ts";
import { seededRandom } from "../../agent/fleet/fleet.ts";
import type { LineInput, RateRange } from "../lines/line.ts";
import { pppoeCredentialsOf, subscriberOf, wifiCredentialsOf } from "./demo-subscribers.ts";

/** Fleet seed and line seed: the demo looks the same every time. */
export const DEMO_SEED = 0x5eed_2026;

export interface DemoDevice {
  /** Position in the fleet. */
  index: number;
  serial: string;
  model: ModelName;
}

/** The devices startFleet({ model: "mix" }) creates, models in turn (startDemo checks the started fleet against it). */
export function demoRoster(count: number): DemoDevice[] {
  return Array.from({ length: count }, (_, index) => {
    const model = MODEL_NAMES[index % MODEL_NAMES.length]!;
    const m = MODELS[model];
    return { index, serial: `${m.serialPrefix}${m.serialBody(index + 1)}`, model };
  });
}

const isOnt = (d: DemoDevice): boolean => d.model === "ont-tr181";

/**
 * Advertised ranges (Mb/s) each model's lines are sold with: inside the
 * offer sheet's "Débits", 30–1000 down / 10–1000 up (lines/line.ts RATE_BOUNDS), and within
 * what the equipment carries (the OG-N300's WAN port is 100 Mb/s). Minimums
 * sit between 15 % and 45 % of the maximum, so a line delivering BAD_SHARE
 * of its rate is under its minimum and a peak-hour halving is not.
 */
const TIERS: Readonly<Record<ModelName, readonly { download: RateRange; upload: RateRange }[]>> = {
  "router-tr181": [
    { download: { min: 300, max: 1000 }, upload: { min: 200, max: 500 } },
    { download: { min: 200, max: 500 }, upload: { min: 100, max: 300 } },
    { download: { min: 100, max: 300 }, upload: { min: 50, max: 200 } },
  ],
  "router-tr098": [
    { download: { min: 30, max: 100 }, upload: { min: 10, max: 40 } },
    { download: { min: 40, max: 100 }, upload: { min: 15, max: 40 } },
    { download: { min: 30, max: 80 }, upload: { min: 10, max: 30 } },
  ],
  "ont-tr181": [
    { download: { min: 300, max: 1000 }, upload: { min: 300, max: 800 } },
    { download: { min: 200, max: 500 }, upload: { min: 100, max: 400 } },
  ],
};

/** A healthy line delivers this share of its advertised maximum (TCP goodput); above the normally available 80 %. */
const HEALTHY_SHARE_OF_MAX = 0.93;

export interface DemoLine {
  input: LineInput;
  /** The rented router; null: the subscriber's own router. */
  router: DemoDevice | null;
  ont: DemoDevice | null;
  /** The device that runs the line's speed tests: the rented router, else the ONT. */
  tester: DemoDevice;
  behaviour: LineBehaviour;
  /** How long before the demo's start the subscriber's contract began. */
  contractDaysAgo: number;
}

export interface DemoPlan {
  lines: DemoLine[];
  /** Simulated behaviour per device serial: each line's tester, and the ONTs with weak optics. */
  behaviours: ReadonlyMap<string, LineBehaviour>;
}

/** An ONT in every fifth goes to a line whose router the subscriber owns. */
const CUSTOMER_OWNED_EVERY = 5;

/**
 * The speed behaviour of line number `n`; `portRateOrdinal` counts the lines
 * whose router reports its WAN port rate (only there a port stuck at 100 Mb/s shows).
 */
function speedKind(n: number, portRateOrdinal: number | null): LineBehaviourKind {
  if (portRateOrdinal !== null && portRateOrdinal % 6 === 1) return "wan_port_100";
  if (n % 8 === 3) return "below_minimum";
  if (n % 8 === 6) return "peak_degrading";
  return "healthy";
}

const demoLineId = (n: number): string => `L-1${String(n + 1).padStart(5, "0")}`;
const demoSubscriberId = (n: number): string => `S-1${String(n + 1).padStart(5, "0")}`;

export function planDemo(roster: readonly DemoDevice[]): DemoPlan {
  // The j-th ONT is in front of the j-th fibre router (the HW-AX3000, gigabit WAN port), so a
  // bigger fleet keeps the pairs of a smaller one; every fifth is alone with the subscriber's own router.
  const routers = roster.filter((d) => !isOnt(d));
  const fibre = routers.filter((d) => d.model === "router-tr181");
  const ontOf = new Map<string, DemoDevice>();
  const ownRouter: DemoDevice[] = [];
  roster.filter(isOnt).forEach((ont, j) => {
    const router = fibre[j];
    if (j % CUSTOMER_OWNED_EVERY === 2 || !router) ownRouter.push(ont);
    else ontOf.set(router.serial, ont);
  });

  const shapes = [
    ...routers.map((router) => ({ router: router as DemoDevice | null, ont: ontOf.get(router.serial) ?? null, tester: router })),
    ...ownRouter.map((ont) => ({ router: null, ont, tester: ont })),
  ].sort((a, b) => a.tester.index - b.tester.index);

  const behaviours = new Map<string, LineBehaviour>();
  let portRateLines = 0;
  let attachedOnts = 0;
  const lines = shapes.map(({ router, ont, tester }, n): DemoLine => {
    const rng = seededRandom(fnv1a(tester.serial, DEMO_SEED));
    const id = demoLineId(n);
    const who = subscriberOf(rng);
    const tiers = TIERS[tester.model];
    const rates = tiers[Math.floor(rng() * tiers.length)]!;
    const wifi: LineInput["wifi"] = {};
    if (router) {
      const sticker = wifiCredentialsOf(rng);
      wifi["2.4GHz"] = { ssid: sticker.ssid, passphrase: sticker.passphrase };
      // The OG-N300 is single-band.
      if (router.model === "router-tr181") wifi["5GHz"] = { ssid: `${sticker.ssid}-5G`, passphrase: sticker.passphrase };
    }
    const behaviour: LineBehaviour = {
      kind: speedKind(n, router?.model === "router-tr181" ? portRateLines++ : null),
      downloadMbps: Math.round(rates.download.max * HEALTHY_SHARE_OF_MAX),
      uploadMbps: Math.round(rates.upload.max * HEALTHY_SHARE_OF_MAX),
    };
    behaviours.set(tester.serial, behaviour);
    if (router && ont && attachedOnts++ % 5 === 1) behaviours.set(ont.serial, { kind: "weak_optical" });
    return {
      input: {
        id,
        subscriber: { id: demoSubscriberId(n), name: who.name },
        address: who.address,
        commune: who.commune,
        rates: { download: { ...rates.download }, upload: { ...rates.upload } },
        wifi,
        wan: router ? { mode: "pppoe", pppoe: pppoeCredentialsOf(id, rng) } : {},
        router: router ? { serial: router.serial } : { customerOwned: true },
        ontSerial: ont?.serial ?? null,
      },
      router, ont, tester, behaviour,
      contractDaysAgo: 60 + Math.floor(rng() * 900),
    };
  });
  return { lines, behaviours };
}
