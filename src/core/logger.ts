/**
 * A small structured logger: one line per event, `level component message key=value...`
 * (or JSON lines when format is 'json'), written to a sink (stderr by default).
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Where log lines go; the daemon points it at stderr or a file, tests at an array. */
export type LogSink = (line: string) => void;

export interface LoggerConfig {
  /** Lowest level written. Default 'info'; SWARMTS_LOG=debug in the daemon's env lowers it. */
  level: LogLevel;
  /** 'text' for people, 'json' for machines. Default 'text'. */
  format: 'text' | 'json';
  /** Where lines go. Default: process.stderr. */
  sink: LogSink;
}

export function defaultLoggerConfig(): LoggerConfig {
  return { level: 'info', format: 'text', sink: (line) => process.stderr.write(line + '\n') };
}

export type LogFields = Record<string, unknown>;

/** A component's logger. `child('raft')` gives a logger whose lines say `raft`. */
export class Logger {
  constructor(
    private readonly config: LoggerConfig = defaultLoggerConfig(),
    private readonly component = 'swarmts',
  ) {}

  child(component: string): Logger {
    return new Logger(this.config, component);
  }

  debug(message: string, fields?: LogFields): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.write('error', message, fields);
  }

  private write(level: LogLevel, message: string, fields?: LogFields): void {
    if (levelRank[level] < levelRank[this.config.level]) return;
    const time = new Date().toISOString();
    if (this.config.format === 'json') {
      this.config.sink(JSON.stringify({ time, level, component: this.component, message, ...fields }));
      return;
    }
    const extra = fields === undefined ? '' : Object.entries(fields).map(([k, v]) => ` ${k}=${formatValue(v)}`).join('');
    this.config.sink(`${time} ${level.toUpperCase().padEnd(5)} ${this.component}: ${message}${extra}`);
  }
}

function formatValue(value: unknown): string {
  if (value instanceof Error) return JSON.stringify(value.message);
  if (typeof value === 'string') return /[\s"=]/.test(value) ? JSON.stringify(value) : value;
  return JSON.stringify(value) ?? String(value);
}

/** A logger that drops everything: for tests that do not look at logs. */
export function silentLogger(): Logger {
  return new Logger({ level: 'error', format: 'text', sink: () => {} });
}
