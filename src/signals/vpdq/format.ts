/**
 * Number formats the vPDQ references print, reproduced exactly (ties included):
 * `{:.3}` of Python (3 significant digits, the signal string) and `%.3f` of C (the .txt files).
 * Both round exact decimal ties half-to-even, unlike JS toPrecision/toFixed.
 */

/** Exact decimal digits of a finite non-negative double below 1e21: integer part and 100 fraction digits. */
function exactDecimal(x: number): { int: string; frac: string } {
  // oxlint-disable-next-line oxc/number-arg-out-of-range -- toFixed takes 0–100 digits since ES2018
  const [int, frac = ''] = x.toFixed(100).split('.');
  return { int, frac };
}

/**
 * Rounds a digit string to `keep` digits, half-to-even on exact ties, given the digits that
 * follow. Returns the kept digits (possibly one longer after a carry).
 */
function roundDigits(kept: string, rest: string): string {
  const first = rest.charCodeAt(0) - 48;
  const tail = rest.slice(1);
  const up = first > 5 || (first === 5 && (/[1-9]/.test(tail) || (Number(kept.at(-1) ?? '0') & 1) === 1));
  if (!up || rest.length === 0 || Number.isNaN(first)) return kept;
  const digits = kept.split('').map(Number);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 9) digits[i--] = 0;
  if (i < 0) digits.unshift(1);
  else digits[i]++;
  return digits.join('');
}

/** C's printf("%.3f", x) for x ≥ 0. */
export function formatFixed3(x: number): string {
  checkFormattable(x);
  const { int, frac } = exactDecimal(x);
  const rounded = roundDigits(int + frac.slice(0, 3), frac.slice(3));
  const intPart = rounded.slice(0, -3) || '0';
  return `${intPart.replace(/^0+(?=\d)/, '')}.${rounded.slice(-3)}`;
}

/** Python's format(x, '.3') for x ≥ 0: 0.0333, 1.0, 12.3, 1e+02, 1.23e+02, 1e-05. */
export function formatPythonPrecision3(x: number): string {
  checkFormattable(x);
  if (x === 0) return '0.0';
  const { int, frac } = exactDecimal(x);
  const all = int + frac;
  const lead = all.search(/[1-9]/);
  // Decimal exponent of the leading digit (x = d.dd… × 10^exp).
  let exp = int.length - 1 - lead;
  let digits = roundDigits(all.slice(lead, lead + 3), all.slice(lead + 3));
  if (digits.length > 3) {
    digits = digits.slice(0, 3);
    exp++;
  }
  // Unlike plain "g", Python's default float format switches to exponent notation at exp ≥ p − 1.
  if (exp < -4 || exp >= 2) {
    const mantissa = `${digits[0]}.${digits.slice(1)}`.replace(/\.?0+$/, '');
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  // Fixed notation, trailing zeros dropped but at least one fraction digit.
  const padded = exp < 0 ? '0'.repeat(-exp) + digits : digits.padEnd(exp + 1, '0');
  const intLen = exp < 0 ? 1 : exp + 1;
  const fracDigits = padded.slice(intLen).replace(/0+$/, '') || '0';
  return `${padded.slice(0, intLen)}.${fracDigits}`;
}

function checkFormattable(x: number): void {
  if (!Number.isFinite(x) || x < 0 || x >= 1e21) throw new RangeError(`cannot format ${x}`);
}
