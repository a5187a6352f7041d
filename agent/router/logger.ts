// JSON log lines on stderr (journald or logd pick them up). The agent never
// logs parameter values, so no secret can reach a line; credentials and
// passphrases stay in the state file and the router's configuration.

import pino from "pino";
import type { LOG_LEVELS } from "./config.ts";

export type AgentLogger = pino.Logger;

export function createAgentLogger(level: (typeof LOG_LEVELS)[number]): AgentLogger {
  return pino({ name: "flexacs-agent", level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ fd: 2, sync: true }));
}
