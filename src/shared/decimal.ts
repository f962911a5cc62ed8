import { Decimal as DecimalJs } from 'decimal.js';

/** A Decimal class of our own so no other module's configuration can change ours. */
export const Decimal = DecimalJs.clone({ precision: 60, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -60, toExpPos: 60 });
export type Decimal = InstanceType<typeof Decimal>;

const decimalPattern = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;

export function isDecimalString(text: string): boolean {
  return decimalPattern.test(text.trim());
}

/** Parses a plain decimal string ("19.5", "-3", "0.0001"); anything else (NaN, 1e5, "") is refused. */
export function parseDecimal(text: string): Decimal | undefined {
  const trimmed = text.trim();
  if (!decimalPattern.test(trimmed)) return undefined;
  return new Decimal(trimmed);
}

/** Significant digits of the value (trailing zeros of the fraction aside): "0.00120" has 2, "1000" has 4. */
export function significantDigits(value: Decimal): number {
  if (value.isZero()) return 1;
  return value.sd(true);
}

/** Plain notation, no exponent, no trailing zeros: what the API and the database receive. */
export function toPlain(value: Decimal): string {
  const text = value.toFixed();
  return text === '-0' ? '0' : text;
}

/** Percent as shown: half-up to two decimals, as a JS number only at the very end. */
export function roundPercent(value: Decimal): number {
  return value.toDecimalPlaces(2, Decimal.ROUND_HALF_UP).toNumber();
}

export const ZERO = new Decimal(0);
export const HUNDRED = new Decimal(100);
