import { CgerError } from '../common/errors.ts';

/** A whole-number option value, at least `min`; anything else ("2.5", "", "8x", "0x10", "-1") is an error naming the option. */
export function wholeNumber(value: string, flag: string, min = 1): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min) {
    throw new CgerError(`${flag}: "${value}" is not a whole number >= ${min}`);
  }
  return n;
}

/** The same check as a commander option parser: `.option('--threads <n>', '...', wholeNumberOption('--threads'))`. */
export function wholeNumberOption(flag: string, min = 1): (value: string) => number {
  return (value) => wholeNumber(value, flag, min);
}
