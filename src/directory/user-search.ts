import type { Client, Entry, SearchOptions } from 'ldapts';
import {
  type DirectoryUserSummary,
  MAX_USER_SEARCH_LENGTH,
  MAX_USER_SEARCH_LIMIT,
  MIN_USER_SEARCH_LENGTH,
  USER_SEARCH_WINDOW,
  type UserSearchResult,
} from './directory.ts';

/**
 * Shared by both adapters' searchUsers: query normalisation, the limit, and turning what the
 * directory returned into a sorted, capped result. The filters themselves (which attributes,
 * which object classes) stay in each adapter.
 */

export const noUsers = (): UserSearchResult => ({ users: [], isTruncated: false });

/**
 * NFKC + trim, like normaliseLogin, with the search's own bounds: null for input that is empty,
 * shorter than MIN_USER_SEARCH_LENGTH or longer than MAX_USER_SEARCH_LENGTH characters (code
 * points, so one emoji is one character), or holds control characters. Filter escaping is done
 * by the caller with escapeFilter.
 */
export function normaliseSearchQuery(input: string): string | null {
  if (typeof input !== 'string' || input.length > MAX_USER_SEARCH_LENGTH * 8) return null;
  const value = input.normalize('NFKC').trim();
  const length = [...value].length;
  if (length < MIN_USER_SEARCH_LENGTH || length > MAX_USER_SEARCH_LENGTH) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f-\u009f]/.test(value)) return null;
  return value;
}

/** The caller's limit as an integer, at most MAX_USER_SEARCH_LIMIT; 0 (search nothing) for NaN or below 1. */
export function clampSearchLimit(limit: number): number {
  if (Number.isNaN(limit) || limit < 1) return 0;
  return Math.min(Math.trunc(limit), MAX_USER_SEARCH_LIMIT);
}

/** Entries read per search: one more than the window, so that extra entry says more matched. */
const READ_LIMIT = USER_SEARCH_WINDOW + 1;

/**
 * Read at most USER_SEARCH_WINDOW + 1 entries, however many match, with the paged results
 * control, stopping as soon as that many came back:
 * - Samba ignores the request's sizeLimit (a sizeLimit of 3 returns every match), so only paging
 *   bounds what a broad query costs there; Windows DCs stop an unpaged search at MaxPageSize.
 * - OpenLDAP honours sizeLimit: it is sent too, so slapd ends the search itself at the limit.
 *   ldapts returns the entries of a search that ends in sizeLimitExceeded (4) when the request
 *   carried a sizeLimit, without saying so; the extra entry is how truncation is seen.
 * A paged search left unfinished stays on the server until the connection closes or the server
 * drops it (slapd: at the next paged search; Samba: a few per connection, oldest dropped);
 * 40 in a row on one pooled connection were checked harmless on both.
 */
export async function readSearchWindow(
  client: Client,
  baseDn: string,
  options: Pick<SearchOptions, 'filter' | 'attributes' | 'explicitBufferAttributes'>,
): Promise<Entry[]> {
  const entries: Entry[] = [];
  for await (const page of client.searchPaginated(baseDn, {
    ...options,
    scope: 'sub',
    sizeLimit: READ_LIMIT,
    paged: { pageSize: READ_LIMIT },
  })) {
    entries.push(...page.searchEntries);
    if (entries.length >= READ_LIMIT) break;
  }
  return entries;
}

const byUsername = (a: DirectoryUserSummary, b: DirectoryUserSummary) => {
  const x = a.username.toLowerCase();
  const y = b.username.toLowerCase();
  if (x !== y) return x < y ? -1 : 1;
  const p = a.dn.toLowerCase();
  const q = b.dn.toLowerCase();
  return p < q ? -1 : p > q ? 1 : 0;
};

/** Sort what came back by username, keep the first `limit`, and say whether anything was left out. */
export function toSearchResult(
  entries: Entry[],
  limit: number,
  toSummary: (entry: Entry) => DirectoryUserSummary,
): UserSearchResult {
  const window = entries.slice(0, USER_SEARCH_WINDOW).map(toSummary).sort(byUsername);
  return {
    users: window.slice(0, limit),
    isTruncated: entries.length > USER_SEARCH_WINDOW || window.length > limit,
  };
}
