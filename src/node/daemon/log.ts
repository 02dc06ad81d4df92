/** Structured log lines on stderr: one JSON object per line, filtered by level. */
import type { LogLevelName } from './options.js';

const ORDER: Record<LogLevelName, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type Logger = (level: LogLevelName, msg: string, fields?: Record<string, unknown>) => void;

export function createLogger(min: LogLevelName, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    write(`${JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields })}\n`);
  };
}
