/**
 * Sends a text message. Adapters: OutboxSmsSender (a JSONL file, for development, tests and the
 * demo) and HttpSmsSender (any gateway with a JSON HTTP API); SmsCooldown wraps either.
 *
 * Contract:
 * - `to` is an E.164 number the caller has already validated; `text` is the final message.
 * - Resolves once the message was handed to the transport; throws (a plain Error, or
 *   CooldownError from SmsCooldown) when it was not. The error message never holds `text`.
 * - Never logs `text` or puts it into an error: it may hold a one-time code.
 */
export interface SmsSender {
  /** Which adapter this is ("outbox", "http"), for logs, health and the demo page. */
  readonly id: string;
  send(to: string, text: string): Promise<void>;
}
