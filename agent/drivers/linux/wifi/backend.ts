// Where the router keeps its Wi-Fi configuration, and how a change reaches
// it: validate the new settings, render the files, check that the rendered
// files read back as exactly those settings, write them atomically, run the
// reload command. If a write or the reload fails, the previous files are put
// back and the reload runs once more to restore the running configuration.

import { existsSync, readFileSync, statSync } from "node:fs";
import { stat } from "node:fs/promises";
import { isDeepStrictEqual } from "node:util";
import { writeFileAtomic } from "../../../state/atomic-file.ts";
import { runCommand } from "../commands.ts";
import { parseHostapd, readHostapd, renderHostapd } from "./hostapd.ts";
import { editable, validateWifi, type Band, type WifiProblem, type WifiState } from "./settings.ts";
import { parseUci, readUci, renderUci } from "./uci.ts";

export interface WifiOptions {
  backend: "auto" | "hostapd" | "uci" | "none";
  hostapd: { file: string; band?: Band }[];
  uciFile: string;
  reloadCommand?: string;
  reloadTimeoutS: number;
}

interface Format {
  kind: "hostapd" | "uci";
  files: readonly string[];
  read(texts: readonly string[]): WifiState;
  render(texts: readonly string[], next: WifiState): string[];
}

function hostapdFormat(list: WifiOptions["hostapd"]): Format {
  return {
    kind: "hostapd",
    files: list.map((h) => h.file),
    read: (texts) => {
      const state: WifiState = { radios: [], aps: [] };
      texts.forEach((t, i) => {
        const { radio, ap } = readHostapd(parseHostapd(t), list[i]!.file, list[i]!.band);
        state.radios.push(radio);
        state.aps.push({ ...ap, radio: i });
      });
      return state;
    },
    render: (texts, next) => texts.map((t, i) => renderHostapd(t, next.radios[i]!, next.aps[i]!)),
  };
}

function uciFormat(file: string): Format {
  return { kind: "uci", files: [file], read: ([t]) => readUci(parseUci(t!)), render: ([t], next) => [renderUci(t!, next)] };
}

export type ApplyResult =
  | { ok: true; changed: boolean }
  | { ok: false; stage: "validate"; problems: WifiProblem[] }
  | { ok: false; stage: "write" | "reload"; message: string };

export class WifiConfig {
  private cache?: { key: string; state: WifiState };

  private constructor(
    private readonly format: Format,
    private readonly opts: WifiOptions,
    private readonly log: (event: string, fields: Record<string, unknown>) => void,
  ) {}

  /** The configured backend, or undefined for none ("auto": uci when its file exists, else hostapd files when listed). */
  static open(opts: WifiOptions, log: WifiConfig["log"]): WifiConfig | undefined {
    let kind = opts.backend;
    if (kind === "auto") kind = existsSync(opts.uciFile) ? "uci" : opts.hostapd.length ? "hostapd" : "none";
    if (kind === "none") return undefined;
    const w = new WifiConfig(kind === "uci" ? uciFormat(opts.uciFile) : hostapdFormat(opts.hostapd), opts, log);
    w.current(); // fails now, with the file's name, rather than at the first read
    return w;
  }

  get kind(): "hostapd" | "uci" {
    return this.format.kind;
  }

  get files(): readonly string[] {
    return this.format.files;
  }

  /** The settings as the files say now; re-parsed only when a file changed on disk. */
  current(): WifiState {
    const key = this.format.files.map((f) => {
      const s = statSync(f);
      return `${s.ino}:${s.size}:${s.mtimeMs}`;
    }).join("|");
    if (this.cache?.key !== key) {
      const texts = this.format.files.map((f) => readFileSync(f, "utf8"));
      this.cache = { key, state: this.format.read(texts) };
    }
    return structuredClone(this.cache.state);
  }

  async apply(next: WifiState): Promise<ApplyResult> {
    const problems = validateWifi(next);
    if (problems.length) return { ok: false, stage: "validate", problems };
    const files = this.format.files;
    const before = files.map((f) => readFileSync(f, "utf8"));
    const after = this.format.render(before, next);
    if (!isDeepStrictEqual(editable(this.format.read(after)), editable(next))) {
      return { ok: false, stage: "write", message: "the rendered configuration does not read back as the requested settings" };
    }
    const changed = files.flatMap((f, i) => (after[i] !== before[i] ? [i] : []));
    if (changed.length === 0) return { ok: true, changed: false };
    const modes = await Promise.all(files.map((f) => stat(f).then((s) => s.mode & 0o7777)));
    const restore = async (upTo: number): Promise<void> => {
      for (const i of changed.slice(0, upTo)) await writeFileAtomic(files[i]!, before[i]!, { mode: modes[i] });
      this.cache = undefined;
    };
    for (let k = 0; k < changed.length; k++) {
      const i = changed[k]!;
      try {
        await writeFileAtomic(files[i]!, after[i]!, { mode: modes[i] });
      } catch (err) {
        await restore(k);
        return { ok: false, stage: "write", message: `cannot write ${files[i]}: ${(err as Error).message}` };
      }
    }
    this.cache = undefined;
    if (!this.opts.reloadCommand) return { ok: true, changed: true };
    const timeoutMs = this.opts.reloadTimeoutS * 1000;
    const r = await runCommand(this.opts.reloadCommand, { timeoutMs });
    if (r.ok) return { ok: true, changed: true };
    await restore(changed.length);
    const again = await runCommand(this.opts.reloadCommand, { timeoutMs });
    this.log("wifi reload failed, previous configuration restored", { error: r.error, reloadAfterRollback: again.ok ? "ok" : again.error });
    return { ok: false, stage: "reload", message: r.error };
  }
}
