import type { SmsSender } from './sms-sender.ts';

export interface HttpSmsSenderOptions {
  url: string;
  /** A whole header line, "Authorization: Bearer xyz" (SMS_HTTP_AUTH_HEADER). */
  authHeader?: string | undefined;
  /** JSON with "{{to}}" and "{{text}}" placeholders inside string literals. */
  bodyTemplate: string;
  timeoutMs: number;
  /** Injected in tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/**
 * Posts each message to an SMS gateway's JSON API. Errors name the status or the failure kind
 * only: never the message text (it holds a code), the response body (gateways echo the
 * request) or the URL (some gateways take the API key in the query string).
 */
export class HttpSmsSender implements SmsSender {
  readonly id = 'http';
  private readonly headers: Record<string, string>;
  private readonly fetch: typeof fetch;

  /** Throws on a malformed auth header or template, so a bad configuration fails at boot. */
  constructor(private readonly options: HttpSmsSenderOptions) {
    this.headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (options.authHeader) {
      const { name, value } = parseHeaderLine(options.authHeader);
      this.headers[name] = value;
    }
    assertTemplate(options.bodyTemplate);
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send(to: string, text: string): Promise<void> {
    const body = renderBodyTemplate(this.options.bodyTemplate, { to, text });
    let response: Response;
    try {
      response = await this.fetch(this.options.url, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
        // A gateway has no reason to redirect a POST; following one could send the code elsewhere.
        redirect: 'error',
      });
    } catch (error) {
      const reason =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.options.timeoutMs} ms`
          : `request failed (${errorCode(error)})`;
      throw new Error(`SMS gateway: ${reason}`);
    }
    // Release the connection without reading what the gateway said.
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`SMS gateway answered HTTP ${response.status}`);
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** "Name: value" → { name (lowercase), value }. The error never repeats the value (a credential). */
export function parseHeaderLine(line: string): { name: string; value: string } {
  const colon = line.indexOf(':');
  const name = line.slice(0, Math.max(colon, 0)).trim();
  const value = line.slice(colon + 1).trim();
  if (colon <= 0 || !HEADER_NAME.test(name) || value === '' || /[\r\n\0]/.test(value)) {
    throw new Error('SMS_HTTP_AUTH_HEADER must be one header line, e.g. "Authorization: Bearer <token>"');
  }
  return { name: name.toLowerCase(), value };
}

/**
 * Substitute each placeholder with its value escaped as the inside of a JSON string, in one
 * pass: a quote, backslash or newline in the text cannot end the string or add fields, and a
 * "{{to}}" typed inside the text is not substituted again.
 */
export function renderBodyTemplate(template: string, values: { to: string; text: string }): string {
  return template.replace(/\{\{(to|text)\}\}/g, (_match, key: 'to' | 'text') =>
    JSON.stringify(values[key]).slice(1, -1),
  );
}

/** Both placeholders present and each inside a JSON string (else escaping would not protect it). */
export function assertTemplate(template: string): void {
  const problem = 'SMS_HTTP_BODY_TEMPLATE must be JSON with "{{to}}" and "{{text}}" inside strings';
  if (!template.includes('{{to}}') || !template.includes('{{text}}')) throw new Error(problem);
  try {
    // A quote in the sample only survives parsing when the placeholder sits inside a string.
    JSON.parse(renderBodyTemplate(template, { to: '"', text: '"' }));
  } catch {
    throw new Error(problem);
  }
}

function errorCode(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  return error instanceof Error ? error.name : 'unknown';
}
