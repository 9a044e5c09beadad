/**
 * Accepts a mobile number in international form, tolerating the spaces, dots, dashes and
 * brackets people type; returns E.164 (+ and 8 to 15 digits) or null.
 */
export function normalisePhone(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 32) return null;
  const compact = input.normalize('NFKC').replace(/[\s.\-()]/g, '');
  const e164 = compact.startsWith('00') ? `+${compact.slice(2)}` : compact;
  return /^\+[1-9]\d{7,14}$/.test(e164) ? e164 : null;
}

/** +447700900001 -> +44 ••• ••• 001: enough for the owner to recognise, not to harvest. */
export function maskPhone(phone: string): string {
  return `${phone.slice(0, 3)} ••• ••• ${phone.slice(-3)}`;
}
