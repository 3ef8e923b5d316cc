import type { Logger } from "../logger.js";

/** A background job that runs every so often, never twice at once, and can be stopped and waited for. */
export interface PeriodicTask {
  /** Cancels the next run and waits for the current one, so the database can be closed after it. */
  stop(): Promise<void>;
}

/**
 * Runs `work` about every `intervalMs`, each delay drawn between half and one and a half intervals so that
 * nodes started together do not all run it at the same moment. A failure is logged; the next run comes anyway.
 */
export function everyInterval(name: string, intervalMs: number, logger: Logger, work: () => Promise<unknown>): PeriodicTask {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(run, intervalMs * (0.5 + Math.random()));
    timer.unref();
  };
  const run = () => {
    running = work()
      .then(
        () => undefined,
        (err: unknown) => logger.error({ err, task: name }, `${name} failed`),
      )
      .finally(() => {
        running = undefined;
        schedule();
      });
  };

  schedule();
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
