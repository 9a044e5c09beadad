import { readFileSync } from 'node:fs';
import type { ErrorCode } from './errors.ts';

const messages = JSON.parse(readFileSync(new URL('../locales/en.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

/** The user-facing text for a code; a missing key falls back to the generic failure text. */
export function translate(key: ErrorCode | string): string {
  return messages[key] ?? messages['internal.error'] ?? 'Something went wrong.';
}
