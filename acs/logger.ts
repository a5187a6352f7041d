// JSON logs (pino) that cannot carry secrets: every logged object, error and
// child binding goes through the same masking as API reads (acs/secrets.ts),
// at any depth. pino's own `redact` needs fixed paths, which would miss a
// passphrase nested in task arguments or a CWMP message, hence the formatter.

import pino from "pino";
import { redactSecrets } from "./secrets.ts";

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export function createLogger(options: { level: LogLevel; destination?: pino.DestinationStream }): pino.Logger {
  const logger = pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        log: (object) => redactSecrets(object),
      },
      serializers: {
        // Spread: the serialized error has pino's own prototype, which masking leaves alone.
        err: (err: unknown) => redactSecrets(err instanceof Error ? { ...pino.stdSerializers.err(err) } : err),
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
  // pino skips formatters.bindings for child loggers; children are created with
  // Object.create(parent), so this override is inherited by every descendant.
  const child = logger.child;
  logger.child = function (this: pino.Logger, bindings, childOptions) {
    return child.call(this, redactSecrets(bindings), childOptions);
  } as typeof logger.child;
  return logger;
}
