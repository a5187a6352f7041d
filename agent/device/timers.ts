// A device's timers: the periodic Inform, the retry back-off (one of each at
// most) and any number of ScheduleInforms. Unref'd: they never keep the
// process up. A power cut clears them all.

const MAX_DELAY = 2 ** 31 - 1;

function start(ms: number, fn: () => void): NodeJS.Timeout {
  const t = setTimeout(fn, Math.min(Math.max(0, ms), MAX_DELAY));
  t.unref();
  return t;
}

export class DeviceTimers {
  private periodic?: { timer: NodeJS.Timeout; at: number };
  private retry?: NodeJS.Timeout;
  private scheduled?: Set<NodeJS.Timeout>;

  /**
   * The periodic Inform at epoch ms `at`. Most sessions leave the schedule as
   * it was: a timer already armed for `at` stays rather than being replaced.
   */
  periodicAt(at: number, fn: () => void): void {
    if (this.periodic?.at === at) return;
    this.cancelPeriodic();
    const p = {
      at,
      timer: start(at - Date.now(), () => {
        if (this.periodic === p) this.periodic = undefined;
        fn();
      }),
    };
    this.periodic = p;
  }

  cancelPeriodic(): void {
    if (this.periodic) clearTimeout(this.periodic.timer);
    this.periodic = undefined;
  }

  retryIn(ms: number, fn: () => void): void {
    if (this.retry) clearTimeout(this.retry);
    const t = start(ms, () => {
      if (this.retry === t) this.retry = undefined;
      fn();
    });
    this.retry = t;
  }

  scheduledIn(ms: number, fn: () => void): void {
    const all = (this.scheduled ??= new Set());
    const t = start(ms, () => {
      all.delete(t);
      fn();
    });
    all.add(t);
  }

  clear(): void {
    this.cancelPeriodic();
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    for (const t of this.scheduled ?? []) clearTimeout(t);
    this.scheduled = undefined;
  }
}
