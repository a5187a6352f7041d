// Waits for a task's outcome from the event bus (no polling). The watch starts
// before the connection request so an answer that arrives while the request
// is in flight is not missed; at the deadline the store is read once more, in
// case the task finished where this process did not see it (another ACS
// instance, or before the watch started).

import type { EventBus } from "../events.ts";
import type { Store, Task } from "../store/store.ts";

export interface TaskWatch {
  /** The task once done or faulted, or its current record when `timeoutMs` passes first (null if deleted). */
  outcome(timeoutMs: number): Promise<Task | null>;
  stop(): void;
}

export function watchTask(bus: EventBus, store: Store, taskId: string): TaskWatch {
  let settle: (() => void) | null = null;
  let reported: Task | null = null;
  const onEvent = ({ task }: { task: Task }): void => {
    if (task.id !== taskId) return;
    reported = task;
    settle?.();
  };
  const offDone = bus.on("task.done", onEvent);
  const offFault = bus.on("task.fault", onEvent);
  const stop = (): void => {
    offDone();
    offFault();
  };
  return {
    stop,
    async outcome(timeoutMs) {
      if (!reported) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          settle = resolve;
          timer = setTimeout(resolve, timeoutMs);
        });
        clearTimeout(timer);
      }
      stop();
      return reported ?? store.getTask(taskId);
    },
  };
}
