import { readFileSync } from 'node:fs';
import { editDistanceAtMost } from './edit-distance.ts';
import { foldForMatching } from './normalise.ts';

/**
 * Banned-word scoring in the manner of Entra Password Protection, made stricter where that is
 * cheap. The password is folded (lowercase, swaps undone), every banned term inside it is found
 * (exactly, or with one typo inside the word), and the password is cut into terms and leftover
 * characters so as to give the FEWEST points: 1 per term, 1 per leftover character. Fewest,
 * because that is how an attacker who knows the list sees it. Entra accepts at 5 points.
 *
 * Entra's own example, which the tests reproduce: with "contoso" and "blank" banned,
 * "C0ntos0Blank12" -> "contosoblankl2" = contoso + blank + l + 2 = 4 points (refused), and
 * "ContoS0Bl@nkf9!" -> "contosoblankf9i" = contoso + blank + f + 9 + i = 5 points (accepted).
 */

/** Shorter terms ("abc", "sso") would match inside too many unrelated words: whole password only. */
export const SUBSTRING_MIN_LENGTH = 4;
/**
 * One typo is allowed only inside terms this long, and never on their first or last letter.
 * Shorter words have too many real neighbours ("blank" is one letter from "black" and "blink"),
 * and an edit at the edge would let a term swallow the character next to it, which is not a
 * typo but one more character the attacker has to guess.
 */
export const FUZZY_MIN_LENGTH = 6;
/** Terms under three letters would only ever forbid trivial passwords that length rules refuse. */
const TERM_MIN_LENGTH = 3;

interface TrieNode {
  children: Map<string, TrieNode>;
  /** The folded term that ends here, if any. */
  term: string | null;
  /** Some term of FUZZY_MIN_LENGTH or more ends at or below this node. */
  hasLongTermBelow: boolean;
}

export interface BannedTermMatch {
  term: string;
  /** Code-point offsets in the folded password, end exclusive. */
  start: number;
  end: number;
}

export interface BannedWordScore {
  points: number;
  /** The terms in the cheapest cut, in order. For tests and diagnostics only: never shown or logged. */
  terms: string[];
}

const newNode = (): TrieNode => ({ children: new Map(), term: null, hasLongTermBelow: false });

/** An immutable, precomputed banned-term index: build once per policy, query per password. */
export class BannedWordList {
  readonly size: number;
  private readonly root: TrieNode;
  /** Terms of substring length or more by length, for the whole-password one-edit comparison. */
  private readonly byLength: Map<number, string[]>;

  constructor(terms: Iterable<string>) {
    this.root = newNode();
    this.byLength = new Map();
    const seen = new Set<string>();
    for (const raw of terms) {
      for (const term of foldForMatching(raw.trim())) {
        if ([...term].length < TERM_MIN_LENGTH || seen.has(term)) continue;
        seen.add(term);
        this.insert(term);
        if (term.length >= SUBSTRING_MIN_LENGTH) {
          const list = this.byLength.get(term.length) ?? [];
          list.push(term);
          this.byLength.set(term.length, list);
        }
      }
    }
    this.size = seen.size;
  }

  private insert(term: string): void {
    const isLong = term.length >= FUZZY_MIN_LENGTH;
    let node = this.root;
    if (isLong) node.hasLongTermBelow = true;
    for (const ch of term) {
      let child = node.children.get(ch);
      if (!child) {
        child = newNode();
        node.children.set(ch, child);
      }
      node = child;
      if (isLong) node.hasLongTermBelow = true;
    }
    node.term = term;
  }

  /** Score an (NFKC) password: fold it, find every term, and take the cheapest cut. */
  score(password: string): BannedWordScore {
    const variants = foldForMatching(password);
    const matches: BannedTermMatch[] = [];
    for (const folded of variants) this.collectMatches(folded, matches);
    return cheapestCut(variants[0]?.length ?? 0, matches);
  }

  /** Every occurrence of a term in one folded string (exact, one inner typo, or whole-password fuzzy). */
  findMatches(folded: string): BannedTermMatch[] {
    const matches: BannedTermMatch[] = [];
    this.collectMatches(folded, matches);
    return matches;
  }

  private collectMatches(s: string, out: BannedTermMatch[]): void {
    const n = s.length;
    for (let i = 0; i < n; i++) {
      this.exactFrom(s, i, out);
      this.fuzzyFrom(s, i, out);
    }
    // Entra's fuzzy rule, on the whole password: "passwor" or "passwordd" is the banned word.
    for (let length = n - 1; length <= n + 1; length++) {
      for (const term of this.byLength.get(length) ?? []) {
        if (term !== s && editDistanceAtMost(s, term, 1) <= 1) out.push({ term, start: 0, end: n });
      }
    }
  }

  private exactFrom(s: string, i: number, out: BannedTermMatch[]): void {
    let node: TrieNode | undefined = this.root;
    for (let j = i; j < s.length; j++) {
      node = node.children.get(s[j]!);
      if (!node) return;
      const isWhole = i === 0 && j === s.length - 1;
      if (node.term !== null && (j - i + 1 >= SUBSTRING_MIN_LENGTH || isWhole)) {
        out.push({ term: node.term, start: i, end: j + 1 });
      }
    }
  }

  /**
   * Terms of FUZZY_MIN_LENGTH+ letters with exactly one substitution, insertion or deletion
   * strictly inside: walk the exact path, and at each depth try each edit once, then require
   * the rest of the term, last letter included, to match exactly.
   */
  private fuzzyFrom(s: string, i: number, out: BannedTermMatch[]): void {
    let node = this.root.children.get(s[i]!);
    for (let j = i + 1; node?.hasLongTermBelow && j < s.length; j++) {
      const here = s[j]!;
      const next = s[j + 1];
      for (const [ch, child] of node.children) {
        if (ch === here) continue;
        // Substitution: the term has `ch` where the password has `here`.
        if (next !== undefined && child.children.has(next)) this.exactTail(s, i, j + 1, child, out);
        // Deletion: the password skipped the term's `ch`.
        if (child.children.has(here)) this.exactTail(s, i, j, child, out);
      }
      // Insertion: the password has an extra `here`.
      if (next !== undefined && node.children.has(next)) this.exactTail(s, i, j + 1, node, out);
      node = node.children.get(here);
    }
  }

  /** Continue exactly from `node` at s[j]; record long terms reached after at least one step. */
  private exactTail(s: string, start: number, j: number, from: TrieNode, out: BannedTermMatch[]): void {
    let node: TrieNode | undefined = from;
    for (let k = j; k < s.length; k++) {
      node = node.children.get(s[k]!);
      if (!node?.hasLongTermBelow) return;
      if (node.term !== null && node.term.length >= FUZZY_MIN_LENGTH) {
        out.push({ term: node.term, start, end: k + 1 });
      }
    }
  }
}

/**
 * The fewest points over every way to cut the password into found terms and single characters:
 * a shortest path over positions 0..n, linear in n plus the number of matches.
 */
export function cheapestCut(length: number, matches: readonly BannedTermMatch[]): BannedWordScore {
  const endingAt: BannedTermMatch[][] = Array.from({ length: length + 1 }, () => []);
  for (const match of matches) endingAt[match.end]?.push(match);
  const best = new Array<number>(length + 1).fill(0);
  const via = new Array<BannedTermMatch | null>(length + 1).fill(null);
  for (let k = 1; k <= length; k++) {
    best[k] = best[k - 1]! + 1;
    via[k] = null;
    for (const match of endingAt[k]!) {
      if (best[match.start]! + 1 < best[k]!) {
        best[k] = best[match.start]! + 1;
        via[k] = match;
      }
    }
  }
  const terms: string[] = [];
  for (let k = length; k > 0; ) {
    const match = via[k];
    if (match) {
      terms.unshift(match.term);
      k = match.start;
    } else {
      k--;
    }
  }
  return { points: best[length]!, terms };
}

/**
 * Years 1940-2039 count as one term each: "Summer2024!" is season + year + "!", and an attacker
 * tries exactly that, while Entra would count each digit of the year as a point.
 */
const YEARS = Array.from({ length: 100 }, (_, i) => String(1940 + i));

/**
 * The global list shipped with the portal (lists/global-banned-words.txt, provenance in its
 * header) plus the years, read once when this module loads. The folder is lists/, not data/:
 * .gitignore drops every data/ directory (runtime files).
 */
export const GLOBAL_BANNED_WORDS: readonly string[] = [
  ...readFileSync(new URL('./lists/global-banned-words.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#')),
  ...YEARS,
];

/** Custom terms from config: comma-separated, blanks dropped. */
export function parseBannedWords(value: string): string[] {
  return value
    .split(',')
    .map((term) => term.trim())
    .filter((term) => term !== '');
}
