// What link-rate monitoring needs from subscriber lines (acs/lines/, their
// storage stays there): each line's advertised range per direction and the
// serials of its equipment. The adapter below reads the line repository.

import type { Line } from "../lines/line.ts";
import type { LineRepository } from "../lines/line-repository.ts";
import type { LineProfile } from "./policy.ts";

export interface LinkrateLine {
  lineId: string;
  profile: LineProfile;
  /** Device serial that runs the speed tests: the rented router, else the ONT (null: none managed). */
  testSerial: string | null;
  serials: string[];
}

export interface LinkrateLines {
  getLine(lineId: string): Promise<LinkrateLine | null>;
  lineOfSerial(serial: string): Promise<LinkrateLine | null>;
  /** Every line, ordered by id, `limit` at a time. */
  page(offset: number, limit: number): Promise<LinkrateLine[]>;
}

export interface LinkrateLinesOptions {
  /**
   * The normally available speed as a share of the maximum, for lines that
   * state none (acs/lines keeps min and max only). Default 0.8. EU Reg.
   * 2015/2120 art. 4(1)(d) has contracts state it per line: once lines carry
   * it, it wins over this default.
   */
  normalShareOfMax?: number;
}

type RangeMbps = { min: number; max: number; normal?: number };

export function lineProfileOf(line: Pick<Line, "rates">, normalShareOfMax = 0.8): LineProfile {
  const range = (r: RangeMbps) => ({
    minBps: r.min * 1e6,
    normalBps: (r.normal ?? Math.max(r.min, r.max * normalShareOfMax)) * 1e6,
    maxBps: r.max * 1e6,
  });
  return { download: range(line.rates.download), upload: range(line.rates.upload) };
}

export function linkrateLinesFrom(lines: Pick<LineRepository, "getLine" | "listLines" | "lineBySerial">, opts: LinkrateLinesOptions = {}): LinkrateLines {
  const share = opts.normalShareOfMax ?? 0.8;
  const view = (line: Line): LinkrateLine => {
    const router = "serial" in line.router ? line.router.serial : null;
    return {
      lineId: line.id,
      profile: lineProfileOf(line, share),
      testSerial: router ?? line.ontSerial,
      serials: [router, line.ontSerial].filter((s): s is string => s !== null),
    };
  };
  return {
    async getLine(lineId) {
      const line = await lines.getLine(lineId);
      return line ? view(line) : null;
    },
    async lineOfSerial(serial) {
      const found = await lines.lineBySerial(serial);
      return found ? view(found.line) : null;
    },
    async page(offset, limit) {
      return (await lines.listLines({ offset, limit })).items.map(view);
    },
  };
}
