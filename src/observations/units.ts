import { Decimal } from '../shared/decimal.js';

/** Money units a submission may name, in 元. Conversion between them is exact. */
const moneyUnits: Record<string, Decimal> = {
  元: new Decimal(1),
  万元: new Decimal(10_000),
  亿元: new Decimal(100_000_000),
};

export const isMoneyUnit = (unit: string) => unit in moneyUnits;

/**
 * Converts a value from the unit it was sent in to the indicator's unit. Undefined when the two
 * cannot be converted (户 sent for a 元 indicator): only money converts, and only exactly.
 */
export function convertUnit(value: Decimal, from: string, to: string): Decimal | undefined {
  if (from === to) return value;
  const fromFactor = moneyUnits[from];
  const toFactor = moneyUnits[to];
  if (!fromFactor || !toFactor) return undefined;
  return value.times(fromFactor).div(toFactor);
}
