import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createPasswordPolicy,
  DEFAULT_POLICY_SETTINGS,
  POLICY_CODES,
  type PolicyCode,
  type PolicyContext,
} from '../../../src/policy/password-policy.ts';

/**
 * One table, the default policy (15..256 code points, no classes, zxcvbn >= 3, Entra points >= 5,
 * offline breach list) plus an organisation list, for one user. Each row: the password, the
 * expected failure codes in report order (empty = accepted), and why. Longer than the ~300-line
 * guide on purpose: it is one table.
 */

const user: PolicyContext = {
  username: 'jsmith',
  givenName: 'John',
  surname: 'Smith',
  mail: 'john.smith@example.com',
  department: 'Finance',
};
const policy = createPasswordPolicy({
  ...DEFAULT_POLICY_SETTINGS,
  bannedWords: ['contoso', 'blank', 'fabrikam'],
});

type Row = [password: string, codes: PolicyCode[], why: string];
const SHORT: PolicyCode = 'password.too_short';
const LONG: PolicyCode = 'password.too_long';
const PERSONAL: PolicyCode = 'password.personal';
const BREACHED: PolicyCode = 'password.breached';
const BANNED: PolicyCode = 'password.banned';
const WEAK: PolicyCode = 'password.too_weak';

const rows: Row[] = [
  // --- Length: counted in code points after NFKC --------------------------------------------
  ['', [SHORT, BANNED, WEAK], 'empty: no characters, so no points either'],
  ['a', [SHORT, BANNED, WEAK], 'one character'],
  ['Tr0ub4dor&3', [SHORT], 'the xkcd "hard" password: strong enough, too short'],
  ['kV9#qL2!mZ7$wR', [SHORT], '14 random characters: one short'],
  ['kV9#qL2!mZ7$wRx', [], '15 random characters: exactly the minimum'],
  [
    '\u{1F436}\u{1F431}\u{1F42D}\u{1F439}\u{1F430}\u{1F98A}\u{1F43B}\u{1F43C}\u{1F428}\u{1F42F}\u{1F981}\u{1F42E}\u{1F437}\u{1F438}',
    [SHORT],
    '14 emoji are 14 characters (28 UTF-16 units)',
  ],
  [
    '\u{1F436}\u{1F431}\u{1F42D}\u{1F439}\u{1F430}\u{1F98A}\u{1F43B}\u{1F43C}\u{1F428}\u{1F42F}\u{1F981}\u{1F42E}\u{1F437}\u{1F438}\u{1F435}',
    [],
    '15 emoji: long enough, not weak',
  ],
  ['e\u0301t\u00e9 a la plage 42', [], 'combining accent composes under NFKC; counted once'],
  ['x'.repeat(257), [LONG, WEAK], '257 characters: over the maximum'],
  [
    '\u{1F600}'.repeat(130),
    [LONG, WEAK],
    '130 emoji: under 256 code points but 260 UTF-16 units, over the directory limit',
  ],
  ['moss'.repeat(20), [WEAK], '80 characters of one repeated word'],
  ['short', [SHORT, BREACHED, WEAK], 'five letters, and in the breach list'],
  ['abc', [SHORT, BANNED, WEAK], 'three letters'],
  ['Pa55!', [SHORT, BANNED, WEAK], 'tiny and leet'],

  // --- Accepted on length alone: no composition rules ---------------------------------------
  ['correct horse battery staple', [], 'four random words, lowercase only'],
  ['purple elephant dancing quietly', [], 'lowercase passphrase (purple is a banned term: 1 point)'],
  ['mountain river sunrise kettle', [], 'lowercase passphrase'],
  ['tangerine submarine octopus', [], 'three uncommon words'],
  ['lighthouse marmalade cactus', [], 'three uncommon words'],
  ['whisper velvet canyon drift', [], 'lowercase, spaces'],
  ['grapefruitnebulacompass', [], 'no spaces, lowercase'],
  ['the owl sings at noon in june', [], 'a sentence (june: one banned point)'],
  ['seven tired walruses juggle', [], 'lowercase sentence'],
  ['blue marble thunder violin', [], 'lowercase words'],
  ['an orange kite over paris', [], 'sentence with a place'],
  ['bicycle pancake umbrella', [], 'three nouns'],
  ['zebra crossing at midnight', [], 'phrase'],
  ['quantum walrus origami', [], 'three odd words'],
  ['my cat eats purple socks', [], 'sentence'],
  ['thunderstorm porcupine', [], 'two long words'],
  ['fjord glacier pumpkin', [], 'three words'],
  [
    'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAXq7!vK2@mW9#',
    [],
    'weak 32-character prefix, then fresh characters: accepted by length',
  ],
  [
    'passwordpasswordpasswordpassword1234567',
    [WEAK],
    'weak prefix padded with a digit run: the run earns no credit (5 points: 4 words + the run)',
  ],
  [
    'passwordpasswordpasswordpasswordpassword',
    [WEAK],
    'repetition earns no strength credit (5 words = 5 points)',
  ],
  ['correct horse battery staple and a long tail of words', [], 'long passphrase: prefix strong'],

  // --- Random and structured passwords --------------------------------------------------------
  ['kV9#qL2!mZ7$wRx4', [], 'random'],
  ['G7$kP2!zQ9@xL4#m', [], 'random'],
  ['hT3^bN8*cV1&dF6(', [], 'random'],
  ['Jq8Lz3Wp6Rm1Tx5V', [], 'random letters and digits'],
  ['q7wm2zp9lx4rt8vn3ks6', [], 'random lowercase and digits'],
  ['aaaaaaaaaaaaaaaa', [WEAK], 'one character repeated: no banned term, but weak'],
  ['abcdefghijklmnop', [BREACHED, WEAK], 'alphabet run: generated walk prefix; abcdefgh + 8 = 9 points'],
  ['1234567890123456', [BREACHED, BANNED, WEAK], 'digit run'],
  ['1q2w3e4r5t6y7u8i', [BREACHED, WEAK], 'keyboard walk (1q2w3e4r + 8 = 9 points)'],
  ['zxcvbnmasdfghjkl', [BANNED, WEAK], 'keyboard rows'],
  ['1111111111111111', [BANNED, WEAK], 'repeated digit'],
  ['0000000000000000', [BANNED, WEAK], 'zeros'],
  ['qwertyqwertyqwerty', [BANNED, WEAK], 'repeated row'],
  ['1990123119901231', [WEAK], 'a date twice (1990 is a term: 1990+1231+1990+1231 = 8 points)'],
  ['ababababababababab', [WEAK], 'two-character repeat'],
  ['987654321987654321', [BANNED, WEAK], 'descending run twice: 2 points'],
  ['asdfasdfasdfasdf', [BREACHED, BANNED, WEAK], 'repeated row fragment'],

  // --- Breached (offline list, exact after NFKC + lowercase) --------------------------------------
  ['password1234567', [BREACHED, BANNED, WEAK], 'stem + digit run'],
  ['Password1234567', [BREACHED, BANNED, WEAK], 'case does not matter'],
  ['PASSWORD1234567', [BREACHED, BANNED, WEAK], 'upper case'],
  ['qwertyuiopasdfg', [BREACHED, BANNED, WEAK], 'keyboard walk'],
  ['qwertyuiopasdfghjkl', [BREACHED, BANNED, WEAK], 'longer walk'],
  ['iloveyou1234567', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['princess1234567', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['football1234567', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['sunshine12345678', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['passwordpassword', [BREACHED, BANNED, WEAK], 'doubled stem'],
  ['1qaz2wsx3edc4rfv', [BREACHED, WEAK], 'in the zxcvbn breach list (1qaz2wsx + 8 = 9 points)'],
  ['qwerty123456789', [BREACHED, BANNED, WEAK], 'in the zxcvbn breach list'],
  ['1234567890qwerty', [BREACHED, BANNED, WEAK], 'in the zxcvbn breach list'],
  [
    'monkey123456789!',
    [BREACHED, BANNED],
    'stem + run + !: zxcvbn says 3, the breach list and points say no',
  ],
  ['superman1234567', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['baseball1234567', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['dragondragon123', [BANNED, WEAK], 'not in the list, but banned and weak'],
  ['trustno1trustno1', [BANNED, WEAK], 'doubled classic'],
  ['123456789987654321', [BREACHED, BANNED, WEAK], 'in the zxcvbn breach list'],
  ['qazwsxedcrfvtgb', [BREACHED, WEAK], 'in the zxcvbn breach list (qazwsxedc + 6 = 7 points)'],
  ['abc1234567890!', [SHORT, WEAK], '14 characters: abc + run + ! = 5 points'],
  ['letmein12345678', [BREACHED, BANNED, WEAK], 'stem + run'],
  ['welcome2024!!', [SHORT, BANNED], '13 characters; welcome + 2024 + ! + ! = 4 points'],
  ['shadow1234567890', [BREACHED, BANNED, WEAK], 'stem + full run'],

  // --- Unicode: NFKC folds full-width, circled, mathematical and ligature forms -----------------
  [
    '\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13\uff14\uff15\uff16\uff17',
    [BREACHED, BANNED, WEAK],
    'full-width password1234567',
  ],
  [
    '\uff31\uff37\uff25\uff32\uff34\uff39\uff35\uff29\uff2f\uff30\uff21\uff33\uff24\uff26\uff27',
    [BREACHED, BANNED, WEAK],
    'full-width QWERTYUIOPASDFG',
  ],
  [
    '\u24df\u24d0\u24e2\u24e2\u24e6\u24de\u24e1\u24d31234567',
    [BREACHED, BANNED, WEAK],
    'circled letters: password1234567',
  ],
  [
    '\u{1D429}\u{1D41A}\u{1D42C}\u{1D42C}\u{1D430}\u{1D428}\u{1D42B}\u{1D41D}1234567',
    [BREACHED, BANNED, WEAK],
    'mathematical bold password1234567',
  ],
  [
    '\u{1D5C9}\u{1D5BA}\u{1D5CC}\u{1D5CC}\u{1D5D0}\u{1D5C8}\u{1D5CB}\u{1D5BD}\u{1D5C9}\u{1D5BA}\u{1D5CC}\u{1D5CC}\u{1D5D0}\u{1D5C8}\u{1D5CB}\u{1D5BD}',
    [BREACHED, BANNED, WEAK],
    'sans-serif passwordpassword',
  ],
  ['\uff2a\uff53\uff4d\uff49\uff54\uff48-rocks-the-house', [PERSONAL], 'full-width JSMITH is the username'],
  [
    'p\u0430ssword1234567',
    [BANNED],
    'Cyrillic a: not NFKC-folded, but one inner typo from "password" (2 points)',
  ],
  ['\ufb01sh and chips forever', [], 'ligature fi folds to "fi"'],
  ['Caf\u00e9 cr\u00e8me br\u00fbl\u00e9e 9', [], 'accents: long and not weak'],
  [
    '\u2460\u2461\u2462\u2463\u2464\u2465\u2466\u2467\u2468\u2460\u2461\u2462\u2463\u2464\u2465',
    [BANNED, WEAK],
    'circled digits fold to 123456789123456',
  ],
  [
    '\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076',
    [BREACHED, BANNED, WEAK],
    'superscript digits fold to 1234567890123456',
  ],
  [
    '\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000',
    [WEAK],
    'ideographic spaces fold to spaces: 15 spaces are weak',
  ],

  // --- Non-Latin and emoji, long enough and not weak ---------------------------------------------
  [
    '\u6211\u7684\u5bc6\u7801\u5f88\u957f\u5f88\u96be\u731c\u6d4b\u4e00\u4e8c\u4e09\u56db\u4e94',
    [],
    'Chinese sentence, 15 characters',
  ],
  [
    '\u043f\u0430\u0440\u043e\u043b\u044c-\u0434\u043b\u0438\u043d\u043d\u044b\u0439-\u043e\u0447\u0435\u043d\u044c',
    [],
    'Russian words',
  ],
  [
    '\u05e1\u05d9\u05e1\u05de\u05d4 \u05d0\u05e8\u05d5\u05db\u05d4 \u05de\u05d0\u05d5\u05d3 \u05d1\u05d0\u05de\u05ea',
    [],
    'Hebrew sentence',
  ],
  [
    '\u0643\u0644\u0645\u0629 \u0633\u0631 \u0637\u0648\u064a\u0644\u0629 \u062c\u062f\u0627',
    [],
    'Arabic sentence',
  ],
  [
    '\u3053\u308c\u306f\u3068\u3066\u3082\u9577\u3044\u30d1\u30b9\u30ef\u30fc\u30c9\u3067\u3059',
    [],
    'Japanese sentence',
  ],
  [
    '\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e \u0938\u0941\u0902\u0926\u0930',
    [],
    'Hindi: vowel signs are not stripped',
  ],
  [
    '\u03ba\u03b1\u03bb\u03b7\u03bc\u03ad\u03c1\u03b1 \u03ba\u03cc\u03c3\u03bc\u03b5 \u03c0\u03bf\u03bb\u03cd',
    [],
    'Greek sentence',
  ],
  [
    '\ud55c\uad6d\uc5b4 \ube44\ubc00\ubc88\ud638\ub294 \uc544\uc8fc \uae38\ub2e4\uace0',
    [],
    'Korean sentence, 16 characters',
  ],
  [
    '\u{1F34E}\u{1F680}\u{1F3B8}\u{1F319}\u{1F422}\u{1F9C0}\u{1F3AF}\u{1F30B}\u{1F9ED}\u{1F4DA}\u{1F9E9}\u{1F52D}\u{1F3BB}\u{1F344}\u{1F9F2}',
    [],
    'fifteen unrelated emoji',
  ],
  ['I \u2764\ufe0f my \u{1F415} and \u{1F408} a lot', [], 'mixed text and emoji'],
  [
    '\u0e23\u0e2b\u0e31\u0e2a\u0e1c\u0e48\u0e32\u0e19\u0e22\u0e32\u0e27\u0e21\u0e32\u0e01\u0e46',
    [],
    'Thai, 15 code points (combining vowels count)',
  ],
  [
    '\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}\u{1F600}',
    [WEAK],
    'one emoji repeated is weak',
  ],

  // --- Banned terms (global + organisation), leet and typos ----------------------------------------
  ['SummerWinterAutumn1', [BANNED], 'three seasons + 1 = 4 points'],
  ['WelcomeSummerPassword', [BANNED], 'three banned words: 3 points'],
  ['W3lc0m3$umm3rP@$$w0rd', [BANNED], 'the same in leet: still 3 points'],
  ['Pa$$w0rdPa$$w0rdPa$$', [BANNED, WEAK], 'leet password twice and a stem'],
  ['Contoso2024Contoso!', [BANNED], 'organisation name, year, name, ! = 4 points (Entra: 7)'],
  ['C0nt0s0C0nt0s0C0nt0s0', [BANNED, WEAK], 'leet organisation name three times'],
  ['ContosoFabrikamBlank', [BANNED], 'three organisation terms'],
  ['Fabr1kamBl@nkContos0', [BANNED], 'three organisation terms in leet'],
  ['ContozoFabrikamBlank', [BANNED], 'one typo inside "contoso" is still contoso'],
  ['ContosoFabrikkamBlank', [BANNED], 'an extra letter inside "fabrikam"'],
  ['ContosoFabikamBlank!', [BANNED], 'a missing letter inside "fabrikam"'],
  ['MondayTuesdayFriday', [BANNED], 'three days'],
  ['JanuaryFebruaryMarch', [BANNED], 'three months: 3 points'],
  ['AdminAdminAdmin123', [WEAK], 'admin x3 + 1 + 2 + 3 = 6 points, but weak'],
  ['ChangeMeChangeMe!!', [BANNED, WEAK], 'changeme twice'],
  ['SecretSecretSecret1', [BANNED, WEAK], 'secret three times'],
  ['LetMeInLetMeInNow!', [WEAK], 'letmein x2 + 4 characters = 6 points, but weak'],
  ['QwertyQwertyAdmin!', [BANNED], 'qwerty x2 + admin + ! = 4 points'],
  ['D3c3mb3rS3pt3mb3r', [BANNED], 'leet months'],
  [
    'Company-Welcome-Login',
    [],
    'three workplace words + two hyphens = 5 points: Entra accepts at 5, so do we',
  ],
  ['HelpdeskSupportAdmin', [BANNED], 'three workplace words'],
  ['Winter2025!Summer', [BANNED], 'season + year + ! + season = 4 points'],
  ['ContoS0Bl@nkf9!x', [], 'Entra accepted example plus one character'],
  ['blankblankblank', [BANNED, WEAK], 'one short organisation term, repeated'],
  ['Microsoft365Office', [], 'microsoft + 3 + 6 + 5 + office = 5 points; zxcvbn 3'],
  ['summer-in-contoso-2024', [], 'two terms among many characters: points >= 5'],

  // --- Personal information (jsmith / John / Smith / john.smith@example.com) --------------------
  ['JohnSmith-likes-tea', [PERSONAL], 'given name and surname'],
  ['jsmith-was-here-today', [PERSONAL], 'username'],
  ['htimsj-was-here-today', [PERSONAL], 'username reversed'],
  ['nhoj-makes-good-tea', [PERSONAL], 'given name reversed'],
  ['htims-makes-good-tea', [PERSONAL], 'surname reversed'],
  ['j0hn.sm1th@home-base', [PERSONAL], 'mail local part in leet'],
  ['JOHN is my favourite name', [PERSONAL], 'given name, capitals'],
  ['my-surname-is-SMITH!', [PERSONAL], 'surname at the end'],
  ['Sm1thers and marmalade', [PERSONAL], 'leet surname inside a longer word'],
  ['violet jsm1th kangaroo', [PERSONAL], 'username with 1 for i'],
  ['\u0408ohn\u0405mith rocks hard', [], 'Cyrillic look-alikes are not the name (NFKC keeps them); strong'],
  ['tea-with-jo-and-sam', [], 'two-letter fragments are not names'],
  ['smit-happens-daily', [], 'a fragment of the surname is not the surname'],
  ['\u00d1ew-jOHN-sm!th-2024', [PERSONAL], 'sm!th folds to smith'],

  // --- More of each kind ----------------------------------------------------------------------
  ['Spring2025!Autumn', [BANNED], 'season + year + ! + season'],
  ['Summer2024!', [SHORT, BANNED, WEAK], 'the classic rotation password: short, 3 points, zxcvbn 2'],
  ['Summer2024!Summer2024!', [WEAK], 'twice: 2 x (summer + 2024 + !) = 6 points, but weak'],
  ['correcthorsebatterystaple', [], 'passphrase without spaces'],
  ['iloveyouiloveyou', [BREACHED, BANNED, WEAK], 'doubled stem'],
  ['P@ssw0rd!P@ssw0rd!', [BANNED, WEAK], 'leet password twice'],
  ['Finance-Team-2025!', [], 'department is only a strength hint: 6 points, zxcvbn 3+'],
  ['jsmith', [SHORT, PERSONAL, BREACHED, WEAK], 'the username alone (also a breached password)'],
  ['john.smith@example.com', [PERSONAL], 'the mail address'],
  ['xX_SlayerOfDragons_Xx', [], 'gamer tag: long, not weak'],
  ['1'.repeat(40), [WEAK], 'forty ones: 6 x "111111" + 4 = 10 points, but weak'],
  [' '.repeat(20), [WEAK], 'twenty spaces'],
  ['\ttab and spaces inside\t', [], 'whitespace is allowed'],
  ['Tr0ub4dor&3Tr0ub4dor&3', [], 'a strong 11-character base twice: zxcvbn scores the repeat'],
  ['ContosoHQ-London-Office', [], 'organisation + place + office: enough other characters'],
  ['Fabrikam!Fabrikam!', [BANNED, WEAK], 'organisation twice'],
  ['contoso', [SHORT, BANNED, WEAK], 'organisation name alone'],
  ['C0nt0s0-R0cks-2025', [], 'contoso + -r0cks- + 2025: 8 points'],
  ['Blank-Blank-Blank-Blank', [WEAK], 'four terms + three hyphens = 7 points, but weak'],
  ['Hunter2Hunter2Hunter2', [WEAK], 'hunter x3 + three 2s = 6 points, but weak'],
  [
    'Dragon!Monkey!Tiger!',
    [BANNED],
    '"!" reads as i, so dragon! and monkey! are the banned dragon1, monkey1: 4 points',
  ],

  // --- Entra's worked example, under this whole policy ----------------------------------------------
  ['C0ntos0Blank12', [SHORT, BANNED], 'Entra: 4 points, refused (and 14 characters)'],
  ['ContoS0Bl@nkf9!', [], 'Entra: 5 points, accepted (15 characters, zxcvbn 3)'],
];

describe('password policy table (default settings, one user)', () => {
  it(`has at least 150 rows (${rows.length})`, () => {
    assert.ok(rows.length >= 150, `only ${rows.length} rows`);
  });

  for (const [password, codes, why] of rows) {
    const label = `${JSON.stringify(password.length > 40 ? `${password.slice(0, 40)}...` : password)}: ${why}`;
    it(label, () => {
      const result = policy.checkOffline(password, user);
      assert.deepEqual(
        result.failures.map((failure) => failure.code),
        codes,
      );
      assert.equal(result.isAccepted, codes.length === 0);
    });
  }

  it('reports failures in the fixed rule order, the primary refusal first', () => {
    for (const [password] of rows) {
      const codes = policy.checkOffline(password, user).failures.map((failure) => failure.code);
      const order = codes.map((code) => POLICY_CODES.indexOf(code));
      assert.deepEqual(
        order,
        [...order].sort((a, b) => a - b),
        password,
      );
    }
  });
});
