import { createHash } from 'node:crypto';

/**
 * HIBP-compatible k-anonymity range check (api.pwnedpasswords.com/range/{prefix}, or a self-hosted
 * mirror). Only the first 5 hex characters of the password's SHA-1 leave the portal; the answer
 * lists every known suffix under that prefix, and the match is made here. `Add-Padding: true`
 * asks the server to pad the answer with fake suffixes (count 0) so its size does not hint at
 * the prefix; those are ignored.
 */

export const RANGE_PREFIX_LENGTH = 5;
/** A real answer is ~30-40 kB; anything far bigger is not a range answer. */
const MAX_BODY_CHARS = 2_000_000;

export interface BreachRangeOptions {
  /** With a `{prefix}` placeholder, or the prefix is appended. */
  url: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

/** The range service could not answer (timeout, network, non-2xx, malformed): the caller decides. */
export class BreachRangeUnavailable extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`breach range check unavailable: ${detail}`, options);
    this.name = 'BreachRangeUnavailable';
  }
}

export interface BreachRangeClient {
  /** Resolves true when the password is in the breach corpus; throws BreachRangeUnavailable. */
  isBreached(password: string): Promise<boolean>;
}

export function rangeUrl(template: string, prefix: string): string {
  return template.includes('{prefix}') ? template.replace('{prefix}', prefix) : template + prefix;
}

export function createBreachRangeClient(options: BreachRangeOptions): BreachRangeClient {
  const fetchRange = options.fetch ?? fetch;
  return {
    async isBreached(password: string): Promise<boolean> {
      // The hash of the exact string the directory will receive (UTF-8), as HIBP hashes it.
      const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
      const prefix = hash.slice(0, RANGE_PREFIX_LENGTH);
      const suffix = hash.slice(RANGE_PREFIX_LENGTH);
      let body: string;
      try {
        const response = await fetchRange(rangeUrl(options.url, prefix), {
          headers: { 'Add-Padding': 'true', Accept: 'text/plain' },
          // The timeout covers the body too; redirects could carry the prefix elsewhere.
          signal: AbortSignal.timeout(options.timeoutMs),
          redirect: 'error',
        });
        if (!response.ok) throw new BreachRangeUnavailable(`status ${response.status}`);
        body = await response.text();
      } catch (error) {
        if (error instanceof BreachRangeUnavailable) throw error;
        throw new BreachRangeUnavailable(error instanceof Error ? error.name : 'fetch failed', {
          cause: error,
        });
      }
      if (body.length > MAX_BODY_CHARS) throw new BreachRangeUnavailable('answer too large');
      return hasSuffix(body, suffix);
    },
  };
}

/** "SUFFIX:COUNT" lines; padding lines have count 0 and never count as a hit. */
export function hasSuffix(body: string, suffix: string): boolean {
  for (const line of body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    if (line.slice(0, colon).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(colon + 1).trim(), 10);
    if (Number.isFinite(count) && count > 0) return true;
  }
  return false;
}
