// Evaluates lines: verdicts per direction, alerts raised and cleared with
// hysteresis (line-evaluation.ts), persisted, and announced on the bus (the
// dashboards push them live). One line is evaluated at a time in this process,
// so a result arriving during a fleet-wide run cannot raise an alert twice.

import { randomUUID } from "node:crypto";
import type { EventBus } from "../events.ts";
import { evaluateLineState } from "./line-evaluation.ts";
import type { LinkrateLine, LinkrateLines } from "./linkrate-lines.ts";
import { emptyLineState, type LineState, type LinkAlert } from "./measurement.ts";
import type { LineEvaluation, LinkrateRepository } from "./measurement-repository.ts";
import { DEFAULT_VERDICT_POLICY, type VerdictPolicy } from "./policy.ts";

export interface LinkrateEvaluatorDeps {
  repo: LinkrateRepository;
  lines: LinkrateLines;
  bus: EventBus;
  policy?: VerdictPolicy;
  now?: () => number;
}

export interface EvaluateAllResult {
  lines: number;
  changed: number;
  transitions: number;
  ms: number;
}

export interface LinkrateEvaluator {
  readonly policy: VerdictPolicy;
  /** Evaluates one line now; null when the line does not exist. */
  evaluateLine(lineId: string): Promise<LineState | null>;
  /** Evaluates every line (staleness, fleet-wide counts), `pageSize` lines per store round trip. */
  evaluateAll(pageSize?: number): Promise<EvaluateAllResult>;
}

const sameVerdict = (a: LineState["verdict"], b: NonNullable<LineState["verdict"]>): boolean =>
  !!a && a.download.join() === b.download.join() && a.upload.join() === b.upload.join();

export function createLinkrateEvaluator(deps: LinkrateEvaluatorDeps): LinkrateEvaluator {
  const { repo, bus } = deps;
  const policy = deps.policy ?? DEFAULT_VERDICT_POLICY;
  const now = deps.now ?? Date.now;
  const busy = new Map<string, Promise<unknown>>();

  /** Runs `fn` after any evaluation of the same line still in progress. */
  function serial<T>(lineId: string, fn: () => Promise<T>): Promise<T> {
    const p = (busy.get(lineId) ?? Promise.resolve()).then(fn, fn);
    busy.set(lineId, p);
    const forget = (): void => {
      if (busy.get(lineId) === p) busy.delete(lineId);
    };
    p.then(forget, forget);
    return p;
  }

  interface Outcome {
    evaluation: LineEvaluation | null;
    raised: LinkAlert[];
    cleared: { id: string; atMs: number }[];
  }

  /** The evaluation to store (null when nothing changed) and the alerts it raises and clears. */
  function evaluate(line: LinkrateLine, state: LineState, nowMs: number): Outcome {
    const { verdict, transitions } = evaluateLineState(state, line.profile, policy, nowMs);
    const alerts = transitions.length > 0 ? { ...state.alerts } : state.alerts;
    const out: Outcome = { evaluation: null, raised: [], cleared: [] };
    for (const t of transitions) {
      if (t.transition === "raised") {
        const alert: LinkAlert = {
          id: randomUUID(), lineId: line.lineId, kind: t.kind, direction: t.direction, raisedAtMs: nowMs,
          clearedAtMs: null, acknowledgedAtMs: null, acknowledgedBy: null, detail: t.detail,
        };
        alerts[t.key] = { id: alert.id, raisedAtMs: nowMs };
        out.raised.push(alert);
      } else {
        out.cleared.push({ id: alerts[t.key]!.id, atMs: nowMs });
        delete alerts[t.key];
      }
    }
    const next = { atMs: nowMs, download: verdict.download.codes, upload: verdict.upload.codes };
    if (transitions.length > 0 || !sameVerdict(state.verdict, next)) out.evaluation = { lineId: line.lineId, verdict: next, alerts };
    return out;
  }

  /** Stores a batch of outcomes at once, then announces their alerts. */
  async function store(outcomes: readonly Outcome[]): Promise<number> {
    const evaluations = outcomes.flatMap((o) => (o.evaluation ? [o.evaluation] : []));
    const raised = outcomes.flatMap((o) => o.raised);
    const cleared = outcomes.flatMap((o) => o.cleared);
    if (evaluations.length > 0) await repo.putEvaluations(evaluations, { raised, cleared });
    for (const alert of raised) bus.emit("linkrate.alert", { alert, transition: "raised" });
    for (const c of cleared) {
      const alert = await repo.getAlert(c.id);
      if (alert) bus.emit("linkrate.alert", { alert, transition: "cleared" });
    }
    return evaluations.length;
  }

  return {
    policy,

    evaluateLine(lineId) {
      return serial(lineId, async () => {
        const line = await deps.lines.getLine(lineId);
        if (!line) return null;
        const state = (await repo.getLineStates([lineId])).get(lineId) ?? emptyLineState(lineId);
        const outcome = evaluate(line, state, now());
        await store([outcome]);
        return outcome.evaluation ? { ...state, verdict: outcome.evaluation.verdict, alerts: outcome.evaluation.alerts } : state;
      });
    },

    async evaluateAll(pageSize = 5000) {
      const started = performance.now();
      const nowMs = now();
      const result: EvaluateAllResult = { lines: 0, changed: 0, transitions: 0, ms: 0 };
      for (let offset = 0; ; offset += pageSize) {
        const page = await deps.lines.page(offset, pageSize);
        if (page.length === 0) break;
        // The page's lines stay locked until their evaluations are stored: a
        // result arriving meanwhile waits, then reads the new state.
        let release!: () => void;
        const released = new Promise<void>((r) => (release = r));
        await Promise.all(page.map((line) => new Promise<void>((entered) => void serial(line.lineId, () => (entered(), released)))));
        try {
          const states = await repo.getLineStates(page.map((l) => l.lineId));
          const outcomes = page.map((line) => evaluate(line, states.get(line.lineId) ?? emptyLineState(line.lineId), nowMs));
          result.transitions += outcomes.reduce((n, o) => n + o.raised.length + o.cleared.length, 0);
          result.changed += await store(outcomes);
        } finally {
          release();
        }
        result.lines += page.length;
        if (page.length < pageSize) break;
      }
      result.ms = performance.now() - started;
      return result;
    },
  };
}
