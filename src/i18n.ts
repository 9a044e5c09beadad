import { readFileSync } from 'node:fs';
import type { ErrorCode } from './errors.ts';

const messages = JSON.parse(readFileSync(new URL('../locales/en.json', import.meta.url), 'utf8')) as Record<
  string,
  string
>;

/**
 * The user-facing text for a key, with `{name}` placeholders filled from `params`. A missing key
 * falls back to the generic failure text, never to the key or to raw error text.
 */
export function translate(key: ErrorCode | string, params: Record<string, string | number> = {}): string {
  const text = messages[key] ?? messages['internal.error'] ?? 'Something went wrong.';
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
