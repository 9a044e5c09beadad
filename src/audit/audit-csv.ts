import type { StoredAuditEvent } from '../store/store.ts';

/**
 * The audit log as CSV (RFC 4180): a header row, CRLF line ends, a field quoted when it holds a
 * comma, a double quote, CR or LF (quotes doubled), ISO 8601 UTC times, empty cells for null,
 * and `details` as one JSON-encoded column.
 *
 * Formula injection (OWASP "CSV Injection"): actor, subject, reason and client address can come
 * from outside, and a spreadsheet runs a cell that starts with =, +, -, @, tab or CR as a
 * formula. Any such cell gets a leading single quote, so it shows as text. The check looks past
 * leading spaces and line feeds too (" =1+1", "\n=1+1"), which some importers strip.
 */

export const AUDIT_CSV_COLUMNS = [
  'id',
  'at',
  'actor',
  'subject',
  'action',
  'outcome',
  'errorCode',
  'clientAddress',
  'reason',
  'details',
] as const;

/** Prepend this (UTF-8 byte order mark) when the file is meant for Excel, so it reads UTF-8. */
export const CSV_BOM = '\uFEFF';

const EOL = '\r\n';
const FORMULA_START = /^[ \n]*[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: formula-neutralised, then quoted when RFC 4180 requires it. */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvHeader(): string {
  return AUDIT_CSV_COLUMNS.join(',') + EOL;
}

/** One event as one CSV record, CRLF included. */
export function csvRow(event: StoredAuditEvent): string {
  const at = event.at instanceof Date && !Number.isNaN(event.at.getTime()) ? event.at.toISOString() : null;
  const cells = [
    event.id,
    at,
    event.actor,
    event.subject,
    event.action,
    event.outcome,
    event.errorCode,
    event.clientAddress,
    event.reason,
    JSON.stringify(event.details ?? {}),
  ];
  return cells.map(csvCell).join(',') + EOL;
}

/**
 * The header, then one string per event: for streaming a large export
 * (`Readable.from(auditCsvLines(events)).pipe(res)`), without building one big string.
 */
export function* auditCsvLines(
  events: Iterable<StoredAuditEvent>,
  options: { bom?: boolean } = {},
): Generator<string> {
  yield (options.bom ? CSV_BOM : '') + csvHeader();
  for (const event of events) yield csvRow(event);
}

/** The whole export as one string: header row, then one record per event, in the given order. */
export function toCsv(events: StoredAuditEvent[], options: { bom?: boolean } = {}): string {
  return [...auditCsvLines(events, options)].join('');
}
