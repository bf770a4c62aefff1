/** A logger for assertions: it keeps every line, children included. */
import type { Logger } from '../../src/log.ts';

export interface LogLine {
  readonly level: string;
  readonly event: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps what it is told (children included), for assertions. */
export function recordingLogger(): Logger & { readonly lines: LogLine[]; events(name: string): LogLine[] } {
  const lines: LogLine[] = [];
  const make = (base: Record<string, unknown>): Logger => {
    const log =
      (level: string) =>
      (event: string, fields: Record<string, unknown> = {}) => {
        lines.push({ level, event, fields: { ...base, ...fields } });
      };
    return {
      debug: log('debug'),
      info: log('info'),
      warn: log('warn'),
      error: log('error'),
      child: (fields) => make({ ...base, ...fields }),
    };
  };
  return Object.assign(make({}), { lines, events: (name: string) => lines.filter((l) => l.event === name) });
}
