import { describe, expect, it } from 'vitest';
import { convertUnit } from '../../src/observations/units.js';
import { Decimal, roundPercent, significantDigits, toPlain, parseDecimal } from '../../src/shared/decimal.js';

const convert = (value: string, from: string, to: string) => {
  const result = convertUnit(new Decimal(value), from, to);
  return result && toPlain(result);
};

describe('unit conversion', () => {
  it('converts money exactly between 元, 万元 and 亿元', () => {
    expect(convert('1234.5', '万元', '亿元')).toBe('0.12345');
    expect(convert('0.12345', '亿元', '万元')).toBe('1234.5');
    expect(convert('1', '元', '亿元')).toBe('0.00000001');
    expect(convert('50000', '元', '万元')).toBe('5');
    expect(convert('19.5', '亿元', '亿元')).toBe('19.5');
  });

  it('refuses units that do not convert', () => {
    expect(convert('3', '户', '元')).toBeUndefined();
    expect(convert('3', '元', '元/人/月')).toBeUndefined();
    expect(convert('3', '台', '户')).toBeUndefined();
  });
});

describe('decimals', () => {
  it('parses plain decimals only', () => {
    expect(parseDecimal('19.50')?.toFixed()).toBe('19.5');
    for (const bad of ['NaN', 'Infinity', '1e5', '', '1,5', '0x10', '1.2.3']) expect(parseDecimal(bad)).toBeUndefined();
  });

  it('counts significant digits', () => {
    expect(significantDigits(new Decimal('0.00120'))).toBe(2);
    expect(significantDigits(new Decimal('1000'))).toBe(4);
    expect(significantDigits(new Decimal('12345678901234567890.1'))).toBe(21);
  });

  it('rounds percents half-up to two decimals only for display', () => {
    expect(roundPercent(new Decimal('12.345'))).toBe(12.35);
    expect(roundPercent(new Decimal('12.344999'))).toBe(12.34);
    expect(roundPercent(new Decimal('-0.005'))).toBe(-0.01);
    expect(roundPercent(new Decimal(2).div(3).times(100))).toBe(66.67);
  });
});
