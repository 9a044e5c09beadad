/**
 * Levenshtein distance by code point, bounded: the policy only ever asks "is it below k?", so
 * the work stays O(length × k) (a diagonal band) instead of O(length²), whatever the input.
 */

/**
 * The edit distance between `a` and `b` when it is at most `max`, otherwise `max + 1`.
 * Insertions, deletions and substitutions cost 1.
 */
export function editDistanceAtMost(a: string, b: string, max: number): number {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  if (s.length === 0 || t.length === 0) return Math.min(Math.max(s.length, t.length), max + 1);
  const over = max + 1;
  // prev[j] = distance(s[0..i-1], t[0..j-1]); cells outside the band are treated as "over".
  let prev: number[] = Array.from({ length: t.length + 1 }, (_, j) => Math.min(j, over));
  for (let i = 1; i <= s.length; i++) {
    const curr: number[] = new Array<number>(t.length + 1).fill(over);
    const from = Math.max(1, i - max);
    const to = Math.min(t.length, i + max);
    curr[0] = Math.min(i, over);
    let rowMin = from === 1 ? curr[0] : over;
    for (let j = from; j <= to; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      const value = Math.min((prev[j - 1] ?? over) + cost, (prev[j] ?? over) + 1, (curr[j - 1] ?? over) + 1);
      curr[j] = Math.min(value, over);
      if (curr[j]! < rowMin) rowMin = curr[j]!;
    }
    if (rowMin > max) return over;
    prev = curr;
  }
  return Math.min(prev[t.length] ?? over, over);
}
