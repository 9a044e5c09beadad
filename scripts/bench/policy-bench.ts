/**
 * npx tsx scripts/bench/policy-bench.ts [--quick]
 * (node --expose-gc --import tsx scripts/bench/policy-bench.ts for exact heap figures)
 *
 * What one offline password policy check costs with the full lists loaded, over a varied sample
 * (short, typical, passphrases, non-Latin, emoji, long, 256 characters), against baselines taken
 * in the same run: a length-only check, and each rule alone. Also the memory the lists take
 * (heapUsed before/after loading), and what stock zxcvbn costs on the same 256-character input,
 * which the prefix bound avoids. Writes bench-results/policy.json.
 * Ratios matter more than milliseconds: this machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from 'node:fs';

const quick = process.argv.includes('--quick');
const rounds = quick ? 2 : 6;
const gc: (() => void) | undefined = typeof globalThis.gc === 'function' ? globalThis.gc : undefined;

function heapMb(): number {
  gc?.();
  gc?.();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
const round = (x: number) => Math.round(x * 1000) / 1000;

interface Stats {
  n: number;
  medianMs: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    medianMs: round(pct(sorted, 50)),
    p95Ms: round(pct(sorted, 95)),
    p99Ms: round(pct(sorted, 99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

function random(seed: number) {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x;
  };
}

/** A deterministic, varied sample: what users type, what attackers try, and the extremes. */
function buildSample(): { kind: string; password: string }[] {
  const next = random(42);
  const pick = <T>(list: readonly T[]) => list[next() % list.length]!;
  const randomText = (length: number, alphabet: string) =>
    Array.from({ length }, () => alphabet[next() % alphabet.length]).join('');
  const ascii = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!@#$%^&*()-_=+[]{};:,.<>/?';
  const leety = '4@!1|3$7+0(9<2580aeiolst';
  const words = [
    'violet',
    'kangaroo',
    'lantern',
    'copper',
    'whistle',
    'harbour',
    'meadow',
    'pretzel',
    'summer',
    'contoso',
    'password',
    'dragon',
    'winter',
    'blank',
    'quartz',
    'nebula',
  ];
  const cjk = '我的密码很长很难猜测一二三四五六七八九十山水火木金土';
  const emoji = [
    '\u{1F436}',
    '\u{1F431}',
    '\u{1F680}',
    '\u{1F34E}',
    '\u{1F3B8}',
    '\u{1F319}',
    '\u{1F9C0}',
    '\u{1F30B}',
  ];
  const sample: { kind: string; password: string }[] = [];
  const add = (kind: string, count: number, make: () => string) => {
    for (let i = 0; i < count; i++) sample.push({ kind, password: make() });
  };
  add('short', 40, () => randomText(6 + (next() % 9), ascii));
  add('typical', 80, () => randomText(15 + (next() % 16), ascii));
  add('leet-heavy', 20, () => randomText(15 + (next() % 17), leety));
  add(
    'passphrase',
    60,
    () =>
      Array.from({ length: 3 + (next() % 4) }, () => pick(words)).join(pick([' ', '-', '', '.'])) +
      (next() % 100),
  );
  add('breached-style', 20, () => pick(words) + '1234567890'.slice(0, 4 + (next() % 7)) + pick(['', '!']));
  add('non-latin', 20, () => randomText(15 + (next() % 10), cjk));
  add('emoji', 10, () => Array.from({ length: 15 + (next() % 10) }, () => pick(emoji)).join(''));
  add('long', 30, () => randomText(40 + (next() % 120), ascii));
  add('256-chars', 20, () => randomText(256, ascii));
  return sample;
}

function measure(sample: readonly { password: string }[], run: (password: string) => void): number[] {
  for (const { password } of sample) run(password); // warm-up, not counted
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const { password } of sample) {
      const t0 = process.hrtime.bigint();
      run(password);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  return times;
}

async function main() {
  const beforeMb = round(heapMb());
  const memory: Record<string, number> = { beforeMb };
  const { createPasswordPolicy, DEFAULT_POLICY_SETTINGS } = await import(
    '../../src/policy/password-policy.ts'
  );
  const { BannedWordList, GLOBAL_BANNED_WORDS } = await import('../../src/policy/banned-words.ts');
  const { breachedPasswords, isBreachedOffline } = await import('../../src/policy/breached-passwords.ts');
  const { estimateStrength, strengthEngine } = await import('../../src/policy/strength.ts');
  const { codePointLength, normalisePassword } = await import('../../src/policy/normalise.ts');
  memory.afterImportMb = round(heapMb());
  breachedPasswords();
  memory.afterBreachedListMb = round(heapMb());
  strengthEngine();
  memory.afterStrengthEngineMb = round(heapMb());
  const settings = {
    ...DEFAULT_POLICY_SETTINGS,
    bannedWords: ['contoso', 'fabrikam', 'northwind', 'london', 'sspr'],
  };
  const policy = createPasswordPolicy(settings);
  const afterPolicyMb = round(heapMb());
  memory.afterPolicyMb = afterPolicyMb;
  memory.listsTotalMb = round(afterPolicyMb - beforeMb);

  const context = {
    username: 'jsmith',
    givenName: 'John',
    surname: 'Smith',
    mail: 'john.smith@example.com',
    department: 'Finance',
  };
  const sample = buildSample();
  const banned = new BannedWordList([...GLOBAL_BANNED_WORDS, ...settings.bannedWords]);
  const inputs = ['jsmith', 'john', 'smith', 'finance', ...settings.bannedWords];

  process.stderr.write(
    `sample: ${sample.length} passwords x ${rounds} rounds${gc ? '' : ' (no --expose-gc: heap figures approximate)'}\n`,
  );
  const baseline = stats(measure(sample, (p) => void (codePointLength(normalisePassword(p)) >= 15)));
  const full = stats(measure(sample, (p) => void policy.checkOffline(p, context)));
  const components = {
    bannedWords: stats(measure(sample, (p) => void banned.score(normalisePassword(p)))),
    breachedList: stats(measure(sample, (p) => void isBreachedOffline(normalisePassword(p)))),
    strength: stats(
      measure(
        sample,
        (p) => void estimateStrength(normalisePassword(p), inputs, settings.strengthPrefixLength),
      ),
    ),
  };
  const byKind: Record<string, Stats> = {};
  for (const kind of new Set(sample.map((s) => s.kind))) {
    byKind[kind] = stats(
      measure(
        sample.filter((s) => s.kind === kind),
        (p) => void policy.checkOffline(p, context),
      ),
    );
  }

  // What the prefix bound saves: stock zxcvbn (default options, all lists) on 256 characters.
  const { ZxcvbnFactory } = await import('@zxcvbn-ts/core');
  const common = await import('@zxcvbn-ts/language-common');
  const english = await import('@zxcvbn-ts/language-en');
  const stock = new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
  });
  const long = sample.filter((s) => s.kind === '256-chars').slice(0, quick ? 1 : 3);
  const stockTimes = long.map(({ password }) => {
    const t0 = performance.now();
    stock.check(password);
    return performance.now() - t0;
  });
  const stockZxcvbn256 = stats(stockTimes);

  const ratio = (x: number, y: number) => (y > 0 ? Math.round((x / y) * 10) / 10 : null);
  const result = {
    at: new Date().toISOString(),
    node: process.version,
    settings: { ...settings, bannedWords: settings.bannedWords.length },
    sampleSize: sample.length,
    rounds,
    targetP99Ms: 5,
    memory,
    baselineLengthOnly: baseline,
    offlineCheck: full,
    components,
    byKind,
    stockZxcvbn256,
    ratios: {
      checkMedianVsLengthOnly: ratio(full.medianMs, baseline.medianMs),
      checkP99VsLengthOnly: ratio(full.p99Ms, baseline.p99Ms),
      bannedP99VsCheckP99: ratio(components.bannedWords.p99Ms, full.p99Ms),
      strengthP99VsCheckP99: ratio(components.strength.p99Ms, full.p99Ms),
      stockZxcvbn256VsCheck256Median: ratio(stockZxcvbn256.medianMs, byKind['256-chars']?.medianMs ?? 0),
    },
  };
  mkdirSync('bench-results', { recursive: true });
  writeFileSync('bench-results/policy.json', `${JSON.stringify(result, null, 2)}\n`);
  const line = (label: string, s: Stats) =>
    `${label.padEnd(22)} median ${s.medianMs.toFixed(3).padStart(8)} ms  p95 ${s.p95Ms.toFixed(3).padStart(8)}  p99 ${s.p99Ms.toFixed(3).padStart(8)}  max ${s.maxMs.toFixed(3).padStart(8)}`;
  console.log(line('length-only baseline', baseline));
  console.log(line('offline check', full));
  for (const [name, s] of Object.entries(components)) console.log(line(`  ${name}`, s));
  for (const [name, s] of Object.entries(byKind)) console.log(line(`  kind ${name}`, s));
  console.log(line('stock zxcvbn, 256 ch', stockZxcvbn256));
  console.log('memory (MB heapUsed):', JSON.stringify(memory));
  console.log('ratios:', JSON.stringify(result.ratios));
  console.log(`p99 ${full.p99Ms <= 5 ? 'within' : 'OVER'} the 5 ms target; wrote bench-results/policy.json`);
}

await main();
