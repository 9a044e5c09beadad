import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * An append-only file of JSON lines, the stub transports' outbox (SMS and mail). Each record is
 * one appendFile (O_APPEND, one write) chained on a promise queue, so concurrent appends from
 * this process never interleave and keep their order. Mode 0600: the records hold codes.
 */
export class JsonlFile<T> {
  private queue: Promise<unknown> = Promise.resolve();

  /** `parse` returns the record, or null for a line that is not one (torn write, hand edit). */
  constructor(
    private readonly file: string,
    private readonly parse: (value: unknown) => T | null,
  ) {}

  append(record: T): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    const write = this.queue.then(async () => {
      await mkdir(dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { encoding: 'utf8', mode: 0o600 });
    });
    // A failed write rejects its own append but must not block the ones queued after it.
    this.queue = write.catch(() => undefined);
    return write;
  }

  /** The newest `n` records, newest first; [] when the file does not exist yet. */
  async readLast(n: number): Promise<T[]> {
    if (n <= 0) return [];
    let content: string;
    try {
      content = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return content
      .split('\n')
      .flatMap((line) => this.parseLine(line))
      .slice(-n)
      .reverse();
  }

  private parseLine(line: string): T[] {
    if (line.trim() === '') return [];
    try {
      const record = this.parse(JSON.parse(line));
      return record === null ? [] : [record];
    } catch {
      return [];
    }
  }
}

/** The string fields `keys` of a parsed JSON value, or null when one is missing. */
export function stringFields<K extends string>(value: unknown, keys: readonly K[]): Record<K, string> | null {
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const field = v[key];
    if (typeof field !== 'string') return null;
    out[key] = field;
  }
  return out;
}
