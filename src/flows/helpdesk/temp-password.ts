import { randomInt } from 'node:crypto';

const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const LOWER = 'abcdefghijkmnpqrstuvwxyz';
const DIGITS = '23456789';

/**
 * A one-time password for the helpdesk to read out: 4 groups of 5 from an alphabet without
 * look-alikes (no 0/O, 1/l/I), so it survives a phone call; about 112 bits, every character
 * class present so it meets AD complexity, well over the policy's length. The user must change
 * it at next logon.
 */
export function generateTemporaryPassword(random: (max: number) => number = randomInt): string {
  const alphabet = UPPER + LOWER + DIGITS;
  const pick = (chars: string) => chars[random(chars.length)]!;
  const groups = Array.from({ length: 4 }, () => Array.from({ length: 5 }, () => pick(alphabet)).join(''));
  // Guarantee the three classes AD complexity counts, whatever the draw.
  groups[0] = pick(UPPER) + groups[0]!.slice(1);
  groups[1] = pick(LOWER) + groups[1]!.slice(1);
  groups[2] = pick(DIGITS) + groups[2]!.slice(1);
  return groups.join('-');
}
