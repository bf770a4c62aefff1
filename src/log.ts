/** Structured JSON-line logging with secret redaction. One line per event, to stdout/stderr. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

/** Field names whose values are never written, at any depth. */
const SENSITIVE_KEY = /secret|token|authorization|signature|password|credential/i;
const REDACTED = '[redacted]';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Replaces sensitive fields and turns errors into plain objects (keeping code/status/requestId). */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return '[deep]';
  if (value instanceof Error) {
    const e = value as Error & Record<string, unknown>;
    const out: Record<string, unknown> = { name: e.name, message: e.message };
    for (const key of ['code', 'status', 'requestId', 'retryable', 'operation', 'secretId']) {
      if (e[key] !== undefined) out[key] = e[key];
    }
    if (e.cause !== undefined) out.cause = redact(e.cause, depth + 1);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = SENSITIVE_KEY.test(k) ? REDACTED : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to console (which Lambda ships to CloudWatch). */
  write?: (level: LogLevel, line: string) => void;
  base?: LogFields;
}

const consoleWrite = (level: LogLevel, line: string): void => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.info(line);
};

/** Creates a logger that writes one JSON object per line. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const write = options.write ?? consoleWrite;
  const base = options.base ?? {};
  const emit = (level: LogLevel, event: string, fields?: LogFields): void => {
    if (LEVELS[level] < min) return;
    const record = redact({ level, event, ...base, ...fields }) as LogFields;
    write(level, JSON.stringify({ time: new Date().toISOString(), ...record }));
  };
  return {
    debug: (event, fields) => emit('debug', event, fields),
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
    child: (fields) => createLogger({ ...options, base: { ...base, ...fields } }),
  };
}

/** A logger that drops everything (the default for library code and unit tests). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
