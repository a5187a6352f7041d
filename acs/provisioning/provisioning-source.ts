// Declarative provisioning as an RPC source of the session engine. Per
// session: find who the device is (line, quarantine), compute its desired
// state, compare it with what the ACS knows, read only when a check is due,
// set only what differs in ONE SetParameterValues (ParameterKey = the desired
// state's key), add a missing object instance if the device needs one, and
// verify by reading back. On 0 BOOTSTRAP the device holds factory values:
// everything is set at once, then verified (2 RPCs; one read before for a
// device given credentials earlier: reset, or only re-pointed at the ACS?).
// Nothing is confirmed
// unless the device answered, so a session that dies loses nothing; faults
// are recorded with their cause and retried with backoff.
import type { CpeResponse, ParameterValue } from "../cwmp/messages.ts";
import type { RpcSource, SessionContext } from "../sessions/rpc-source.ts";
import { DEFAULT_RETRY_POLICY, isPermanentFault } from "../tasks/retry-policy.ts";
import { desiredFor, encodeKeys, pathKeys, readPaths, type DesiredState, type Scope } from "./desired-state.ts";
import { CREDENTIALS_PENDING_TAG, issueCredentials } from "./device-credentials.ts";
import { standingOf } from "./device-standing.ts";
import { analyseSpvFault, checkDue, heldByFault, nextFault, sessionFacts } from "./provision-plan.ts";
import {
  audit, clearFaults, recordFault, retagged, SETTINGS_FAULT_CHANNEL, recordParameters, storeCredentials, syncTags,
} from "./provisioning-records.ts";
import { newProvisioningState, sameContent, sameJson, type ProvisioningState, type ProvisioningStatus } from "./provisioning-state.ts";
import type { ProvisioningDeps } from "./provisioning-options.ts";
import { decodeActual, DEFAULT_DRIFT_POLICIES, reconcile, unverified } from "./reconcile.ts";
import { unchangedDeviceMemo } from "./unchanged-device.ts";
import { keySet, NO_KEYS, type Fault, type Run, type Sent, type Step } from "./provisioning-run.ts";

const DAY_MS = 86_400_000;
const pick = (o: Record<string, string>, key: string): Record<string, string> => (key in o ? { [key]: o[key]! } : {});
/** Rounds of "set the rest without what was refused" per session (each round may skip several keys). */
const PARTIAL_ROUNDS = 3;

export function createProvisioningSource(deps: ProvisioningDeps): RpcSource {
  const { lines, profiles, rentals, realm } = deps;
  const o = deps.options ?? {};
  const policy = o.retry ?? DEFAULT_RETRY_POLICY;
  const policies = o.driftPolicies ?? DEFAULT_DRIFT_POLICIES;
  const checkIntervalMs = o.driftCheckIntervalMs ?? DAY_MS;
  const verify = o.verify ?? true;
  const runs = new WeakMap<SessionContext, Run | null>();
  const memo = unchangedDeviceMemo(policies, o.informJitter ?? 0.1);

  /** Writes the run's state unless it is what was last written (a session that changes nothing awaits nothing here). */
  const save = (run: Run): Promise<void> | undefined => {
    if (run.written && sameContent(run.state, run.written)) return;
    return writeState(run.state, run.written).then((w) => void (run.written = w));
  };
  const retag = async (ctx: SessionContext, run: Run, credentialsPending: boolean) => {
    run.tags = await syncTags(ctx, run.tags, { standing: run.state.standing, credentialsPending, insecureWifi: run.state.warnings.length > 0 });
  };
  const pending = (run: Run) => run.state.credentials !== null && !run.state.credentials.confirmed;
  /** The run's own `applied`, to change in place: the one read is shared with the store's cache and `written`. */
  const ownApplied = (run: Run): Record<string, string> => {
    if (run.state.applied === run.readApplied) run.state.applied = { ...run.readApplied };
    return run.state.applied;
  };
  /** The desired state from the run's state (its credentials, the password hash it confirmed). */
  const desire = (run: Run): DesiredState => desiredFor({
    profile: run.profile, scope: run.scope, line: run.line, periodicInformInterval: run.periodicInformInterval,
    credentials: run.state.credentials!, confirmedAcsPasswordHash: run.state.applied["management.acsPassword"],
    ntpServers: o.ntpServers, timeZone: o.timeZone,
  });

  /** Writes `state` unless its content equals `written`; returns what is now written. */
  async function writeState(state: ProvisioningState, written: ProvisioningState | null): Promise<ProvisioningState> {
    if (written && sameContent(state, written)) return written;
    const next = { ...state, updatedAt: Date.now() };
    await lines.putState(next);
    // The run goes on changing parts of `state` in place (applied).
    return structuredClone(next);
  }

  async function start(ctx: SessionContext): Promise<Run | null> {
    const facts = sessionFacts(ctx.inform, Date.now());
    const d = ctx.device;
    const previous = await lines.getState(ctx.deviceId);
    // The state read may be shared (a store's cache): the run copies what it changes in place.
    const written = previous;
    // `applied` stays the one read until the run changes it (ownApplied): copying it in every session was garbage.
    const state = previous ? { ...previous } : newProvisioningState(ctx.deviceId, d.serialNumber, d.productClass, facts.now);
    state.serial = d.serialNumber;
    state.productClass = d.productClass;
    const who = await standingOf(d.serialNumber, lines, rentals);
    state.standing = who.standing;
    state.lineId = who.line?.id ?? null;
    state.role = who.role;
    if (who.standing !== "line" && previous?.standing !== who.standing) {
      ctx.bus.emit("device.quarantined", { deviceId: ctx.deviceId, serial: d.serialNumber, standing: who.standing, remoteAddress: ctx.remoteAddress });
      await audit(ctx, "provisioning.quarantine", { serial: d.serialNumber, standing: who.standing, remoteAddress: ctx.remoteAddress });
    }

    const profile = profiles.find({ oui: d.oui, productClass: d.productClass, hardwareVersion: d.hardwareVersion, softwareVersion: d.softwareVersion });
    if (!profile) {
      if (previous?.status !== "unmanaged") {
        await recordFault(ctx, { code: "provisioning.no_profile", message: `no firmware profile covers ${d.oui}/${d.productClass}/${d.hardwareVersion} ${d.softwareVersion}`, detail: null, retries: 0 }, null);
      }
      await writeState({ ...state, status: "unmanaged", profile: null }, written);
      await syncTags(ctx, d.tags, { standing: who.standing, credentialsPending: false, insecureWifi: false });
      return null;
    }
    state.profile = profile.file;

    if (facts.bootstrap) {
      // Factory values: nothing the ACS applied survives. Its credentials perhaps (the device may only have had its
      // ACS URL changed): unconfirmed until a probe reads them, see onProbe.
      Object.assign(state, { applied: pick(state.applied, "management.acsPassword"), appliedKey: null, lastInformKey: null, drift: [], fault: null, attempts: 0, verifiedAt: null });
      if (state.credentials) state.credentials = { ...state.credentials, confirmed: false };
    }
    state.credentials ??= issueCredentials(ctx.deviceId, 1);
    const scope: Scope = who.standing === "line" ? who.role : "management";
    const base = o.periodicInformInterval ?? profile.defaults.management?.periodicInformInterval ?? 3600;
    const run: Run = {
      state, written, readApplied: previous?.applied ?? null, profile, scope, line: who.line,
      periodicInformInterval: memo.interval(previous, ctx.deviceId, base),
      desired: null!, facts, tags: d.tags, next: null, added: NO_KEYS as Set<string>, refused: NO_KEYS as Set<string>, rounds: 0,
    };
    const desired = (run.desired = desire(run));
    if (state.desiredKey !== desired.parameterKey) state.attempts = 0;
    await problemsChanged(ctx, state, desired, previous);
    state.desiredKey = desired.parameterKey;
    state.unsupported = desired.unsupported;
    state.problems = desired.problems;
    state.warnings = desired.warnings;
    // While the device may hold the bootstrap credential and the store another one, the bootstrap one stays accepted
    // (device-credentials.ts): from a bootstrap of a device given credentials before, until its credentials are confirmed.
    const mayHoldBootstrap = !state.credentials.confirmed && (facts.bootstrap ? previous?.credentials != null : d.tags.includes(CREDENTIALS_PENDING_TAG));
    const tagFacts = { standing: who.standing, credentialsPending: mayHoldBootstrap, insecureWifi: desired.warnings.length > 0 };
    // Awaited only when the tags change (an await per session otherwise).
    if (retagged(d.tags, tagFacts) !== null) run.tags = await syncTags(ctx, d.tags, tagFacts);
    // A re-bootstrap is on disk before anything else happens: a session dying now must not leave it unknown.
    if (facts.bootstrap && previous) await save(run);

    if (heldByFault(state.fault, desired.parameterKey, facts)) {
      await save(run);
      return null;
    }
    if (!state.credentials.confirmed && state.credentials.cpePassword === null) run.next = { kind: "check", keys: ["management.acsUsername"], probe: true };
    else if (checkDue(state, facts, checkIntervalMs)) run.next = { kind: "check", keys: [...desired.values.keys()] };
    else await applyPending(ctx, run);
    return run;
  }

  /**
   * After a bootstrap of a device that had confirmed credentials: a factory
   * reset (it shows the factory username) gets a new generation; a device
   * that kept them (e.g. only its ACS URL changed) keeps them, so the store's
   * credential stays the one it uses. Then what is pending is set.
   */
  async function onProbe(ctx: SessionContext, run: Run, actual: ReadonlyMap<string, unknown>): Promise<void> {
    const c = run.state.credentials!;
    if (actual.get("management.acsUsername") === c.cpeUsername) {
      run.state.credentials = { ...c, confirmed: true };
      await retag(ctx, run, false);
    } else {
      run.state.credentials = issueCredentials(ctx.deviceId, c.generation + 1);
      run.desired = desire(run);
      run.state.desiredKey = run.desired.parameterKey;
    }
    await save(run);
    await applyPending(ctx, run);
  }

  /** Without a read: set what the ACS has not applied yet, or close the books. */
  async function applyPending(ctx: SessionContext, run: Run): Promise<void> {
    const set = memo.pendingKeys(run.desired, run.state.applied, run.facts.now);
    if (set.length > 0) run.next = { kind: "apply", keys: set };
    else await finish(ctx, run, "provisioned");
  }

  /** Line settings this model cannot take: one fault record each time the list changes. */
  async function problemsChanged(ctx: SessionContext, state: ProvisioningState, desired: DesiredState, previous: ProvisioningState | null): Promise<void> {
    if (desired.problems.length === 0 || sameJson(previous?.problems ?? [], desired.problems)) return;
    const message = `line ${state.lineId} has settings this model cannot take: ${desired.problems.map((p) => `${p.field}: ${p.message}`).join("; ")}`;
    await recordFault(ctx, { code: "provisioning.unsupported_value", message, detail: { problems: desired.problems }, retries: 0 }, null, SETTINGS_FAULT_CHANNEL);
  }

  async function finish(ctx: SessionContext, run: Run, status: ProvisioningStatus): Promise<void> {
    run.next = null;
    if (status === "provisioned" && run.state.fault) {
      run.state.fault = null;
      await clearFaults(ctx);
    }
    run.state.status = status === "provisioned" && run.state.problems.length > 0 ? "fault" : status;
    const saving = save(run);
    if (saving) await saving;
    ctx.bus.emit("provisioning.status", { deviceId: ctx.deviceId, status: run.state.status, parameterKey: run.state.appliedKey });
  }

  /** Records a failure of the desired state: backoff, fault record, status fault. */
  async function noteFault(ctx: SessionContext, run: Run, f: Fault, rpc: unknown): Promise<void> {
    const fault = nextFault(run.state.fault, f, run.desired.parameterKey, Date.now(), policy);
    run.state.fault = fault;
    run.state.status = "fault";
    await recordFault(ctx, { ...f, retries: fault.attempts - 1 }, rpc);
  }

  async function fail(ctx: SessionContext, run: Run, f: Fault, rpc: unknown): Promise<void> {
    await noteFault(ctx, run, f, rpc);
    await finish(ctx, run, "fault");
  }

  /** The end of a run that applied what it could: a refusal earlier in the session keeps it in fault. */
  const done = (ctx: SessionContext, run: Run) => finish(ctx, run, run.refused.size > 0 ? "fault" : "provisioned");

  /** The RPC for a step, after what must be on disk before it leaves; null when the step turns out empty. */
  async function prepare(ctx: SessionContext, run: Run, step: Step): Promise<Sent | null | "failed"> {
    const { profile, desired, state } = run;
    const key = desired.parameterKey;
    switch (step.kind) {
      case "check":
      case "verify": {
        const paths = readPaths(profile, desired, step.keys);
        return paths.length > 0 ? { ...step, rpc: { kind: "GetParameterValues", parameterNames: paths } } : null;
      }
      case "apply": {
        const { keys, values } = encodeKeys(profile, desired, step.keys, run.refused);
        if (values.length === 0) return null;
        if (state.attempts >= policy.maxAttempts) {
          await fail(ctx, run, { code: "provisioning.undelivered", message: `no confirmed answer after ${state.attempts} deliveries`, detail: { keys }, permanent: true }, null);
          return "failed";
        }
        state.attempts++;
        if (keys.includes("management.acsPassword") && pending(run)) {
          await retag(ctx, run, true);
          await storeCredentials(ctx, realm, state.credentials!);
        }
        await save(run);
        return { kind: "apply", keys, values, rpc: { kind: "SetParameterValues", parameterList: values, parameterKey: key } };
      }
      case "addObject":
        return { ...step, rpc: { kind: "AddObject", objectName: step.table, parameterKey: key } };
      case "deleteObject":
        return { ...step, rpc: { kind: "DeleteObject", objectName: step.created, parameterKey: key } };
    }
  }

  async function onApplied(ctx: SessionContext, run: Run, sent: Sent & { kind: "apply" }, status: number): Promise<void> {
    const { state, desired } = run;
    const now = Date.now();
    const applied = ownApplied(run);
    for (const k of sent.keys) applied[k] = desired.values.get(k)!.hash;
    Object.assign(state, { appliedKey: desired.parameterKey, lastInformKey: desired.parameterKey, appliedAt: now, attempts: 0 });
    // After a bootstrap everything was just set: no drift check is due before the interval.
    if (run.facts.bootstrap) state.lastCheckAt = now;
    state.drift = state.drift.map((d) => (sent.keys.includes(d.key) ? { ...d, corrected: true } : d));
    // Status 1: committed, applied later (e.g. at reboot): the old credential stays accepted until a read shows the new one.
    if (sent.keys.includes("management.acsPassword") && pending(run) && status === 0) await confirmCredentials(ctx, run);
    // The read-back that follows records what the device holds; without it, what was set.
    if (!verify) await recordParameters(ctx, run.profile, sent.values!);
    await audit(ctx, "provisioning.apply", { parameterKey: desired.parameterKey, keys: sent.keys, bootstrap: run.facts.bootstrap, status });
    ctx.bus.emit("provisioning.applied", { deviceId: ctx.deviceId, parameterKey: desired.parameterKey, keys: sent.keys, bootstrap: run.facts.bootstrap });
  }

  async function confirmCredentials(ctx: SessionContext, run: Run): Promise<void> {
    const c = run.state.credentials!;
    run.state.credentials = { ...c, cpePassword: null, confirmed: true };
    await retag(ctx, run, false);
  }

  async function onRead(ctx: SessionContext, run: Run, sent: Sent & { kind: "check" | "verify" }, values: ParameterValue[]): Promise<void> {
    const { state, desired, profile } = run;
    await recordParameters(ctx, profile, values);
    const actual = decodeActual(profile, new Map(values.map((v) => [v.name, v.value])));
    if (sent.kind === "check" && sent.probe) return onProbe(ctx, run, actual);
    const c = state.credentials!;
    if (!c.confirmed && actual.get("management.acsUsername") === c.cpeUsername) {
      // The SetParameterValues carrying them was applied (status 1, or its answer was lost).
      ownApplied(run)["management.acsPassword"] = desired.values.get("management.acsPassword")?.hash ?? "";
      await confirmCredentials(ctx, run);
    }
    if (sent.kind === "verify") {
      const bad = unverified(desired, sent.keys, actual);
      if (bad.length === 0) {
        state.verifiedAt = Date.now();
        return done(ctx, run);
      }
      const applied = ownApplied(run);
      for (const k of bad) delete applied[k];
      const detail = { keys: bad, actual: Object.fromEntries(bad.map((k) => [k, actual.get(k) ?? null])) };
      return fail(ctx, run, { code: "provisioning.verify", message: `the device accepted but does not hold ${bad.join(", ")}`, detail, permanent: false }, sent.rpc);
    }
    const rec = reconcile(desired, state.applied, { values: actual, readKeys: new Set(sent.keys) }, policies, Date.now());
    Object.assign(state, { applied: rec.applied, lastCheckAt: Date.now(), lastInformKey: run.facts.informKey, drift: rec.drift });
    if (rec.drift.length > 0) {
      await audit(ctx, "provisioning.drift", { drift: rec.drift });
      ctx.bus.emit("provisioning.drift", { deviceId: ctx.deviceId, drift: rec.drift });
    }
    if (rec.set.length > 0) run.next = { kind: "apply", keys: rec.set };
    else await finish(ctx, run, "provisioned");
  }

  async function onSetFault(ctx: SessionContext, run: Run, sent: Sent & { kind: "apply" }, response: CpeResponse & { kind: "Fault" }): Promise<void> {
    const a = analyseSpvFault(response, pathKeys(run.profile));
    const missing = a.missing.find((m) => !run.added.has(m.table));
    if (missing) {
      (run.added = keySet(run.added)).add(missing.table);
      run.next = { kind: "addObject", ...missing, keys: sent.keys };
      return;
    }
    const f = { code: `cwmp.${response.code}`, message: a.message, detail: { refused: a.refused }, permanent: a.permanent };
    const refused = a.refused.map((r) => r.key);
    if (a.permanent && refused.length > 0 && refused.every((k) => k !== null)) return skipKeys(ctx, run, refused as string[], sent.keys, f, sent.rpc);
    await fail(ctx, run, f, sent.rpc);
  }

  /**
   * Settings the device refuses for good must not hold back the others
   * (credentials first of all): the fault is recorded and the rest is set
   * without them. Bounded: a few such rounds per session.
   */
  async function skipKeys(ctx: SessionContext, run: Run, skip: readonly string[], keys: string[], f: Fault, rpc: unknown): Promise<void> {
    const before = run.refused.size;
    run.refused = keySet(run.refused);
    for (const k of skip) run.refused.add(k);
    if (run.refused.size === before || ++run.rounds > PARTIAL_ROUNDS) return fail(ctx, run, f, rpc);
    await noteFault(ctx, run, f, rpc);
    run.next = { kind: "apply", keys };
  }

  /** The settings under an instance the device cannot have as the profile numbers it are skipped; the rest goes on. */
  function instanceFailed(ctx: SessionContext, run: Run, sent: Sent & { kind: "addObject" | "deleteObject" }, f: Fault): Promise<void> {
    const prefix = `${sent.table}${sent.instance}.`;
    return skipKeys(ctx, run, keysUnder(run, prefix), sent.keys, { ...f, message: `${f.message}; skipped: ${keysUnder(run, prefix).join(", ")}` }, sent.rpc);
  }

  /** Keys with a mapped parameter under an object instance the device does not have. */
  const keysUnder = (run: Run, prefix: string): string[] => [...new Set(run.profile.mapping.filter((r) => r[1].startsWith(prefix)).map((r) => r[0]))];

  return {
    name: "provisioning",

    async next(ctx) {
      let run = runs.get(ctx);
      if (run === undefined) runs.set(ctx, (run = await start(ctx)));
      while (run?.next) {
        const step = run.next;
        run.next = null;
        const sent = await prepare(ctx, run, step);
        if (sent === "failed") break;
        if (sent) return { rpc: sent.rpc, meta: sent };
        // An empty step: nothing readable (then set what is pending), or nothing left to send or read back.
        if (step.kind === "check") await applyPending(ctx, run);
        else await done(ctx, run);
      }
      return null;
    },

    async onResponse(ctx, planned, response) {
      const run = runs.get(ctx);
      if (!run) return;
      const sent = planned.meta as Sent;
      if (response.kind === "Fault") {
        if (sent.kind === "apply") return onSetFault(ctx, run, sent, response);
        const f = { code: `cwmp.${response.code}`, message: response.message || response.faultString, detail: null, permanent: isPermanentFault(response.code) };
        if (sent.kind === "addObject" || sent.kind === "deleteObject") return instanceFailed(ctx, run, sent, f);
        return fail(ctx, run, f, sent.rpc);
      }
      switch (sent.kind) {
        case "check":
        case "verify":
          if (response.kind !== "GetParameterValuesResponse") break;
          return onRead(ctx, run, sent, response.parameterList);
        case "apply":
          if (response.kind !== "SetParameterValuesResponse") break;
          await onApplied(ctx, run, sent, response.status);
          if (!verify) return done(ctx, run);
          run.next = { kind: "verify", keys: sent.keys };
          return;
        case "addObject": {
          if (response.kind !== "AddObjectResponse") break;
          const created = `${sent.table}${response.instanceNumber}.`;
          if (response.instanceNumber === sent.instance) {
            await ctx.store.updateParameters(ctx.deviceId, new Map([[created, { value: "", type: "object", writable: true, ts: Date.now() }]]));
            run.next = { kind: "apply", keys: sent.keys };
            return;
          }
          // The profile names instance n; settings written to another number would land on the wrong object: undo it.
          run.next = { kind: "deleteObject", table: sent.table, instance: sent.instance, keys: sent.keys, created };
          return;
        }
        case "deleteObject":
          return instanceFailed(ctx, run, sent, {
            code: "provisioning.instance_mismatch",
            message: `the profile expects ${sent.table}${sent.instance}. but the device created ${sent.created} (deleted again)`,
            detail: null, permanent: true,
          });
      }
      await fail(ctx, run, { code: "provisioning.protocol", message: `unexpected ${response.kind} to ${sent.rpc.kind}`, detail: null, permanent: false }, sent.rpc);
    },
  };
}

export type { ProvisioningDeps, ProvisioningOptions } from "./provisioning-options.ts";
