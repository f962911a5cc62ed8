import { DateTime } from 'luxon';
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { isDecimalString, parseDecimal, toPlain } from './decimal.js';

const invalid = (message: string, node?: ValueNode) => new GraphQLError(message, { nodes: node, extensions: { code: 'BAD_USER_INPUT' } });

/** Parses a literal, tying an error to its node: the caller is told where in the document it is. */
function fromLiteral<T>(ast: ValueNode, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof GraphQLError) throw invalid(error.message, ast);
    throw error;
  }
}

function decimalFrom(input: unknown): string {
  if (typeof input === 'string') {
    if (!isDecimalString(input)) throw invalid(`"${input.slice(0, 40)}" is not a decimal number; send it as a string such as "19.5"`);
    return toPlain(parseDecimal(input)!);
  }
  // a JSON number is already a binary float; accept it only when it round-trips unchanged
  if (
    typeof input === 'number' &&
    Number.isFinite(input) &&
    String(input).replace(/[-.]/g, '').replace(/^0+/, '').length <= 15 &&
    !/e/i.test(String(input))
  ) {
    return toPlain(parseDecimal(String(input))!);
  }
  throw invalid('a Decimal must be a string such as "19.5"');
}

/** Exact decimal, serialised as a string ("19.5"); never a binary float. */
export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: 'Decimal',
  description: 'An exact decimal number, serialised as a string: "19.5"',
  serialize: (value) => (typeof value === 'string' ? value : decimalFrom(value)),
  parseValue: decimalFrom,
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind === Kind.STRING || ast.kind === Kind.INT || ast.kind === Kind.FLOAT) return fromLiteral(ast, () => decimalFrom(ast.value));
    throw invalid('a Decimal must be a string such as "19.5"', ast);
  },
});

/** A real day of the Gregorian calendar (2023-02-30 is not), without a date library: a batch has thousands. */
function isCalendarDate(text: string): boolean {
  const year = Number(text.slice(0, 4));
  const month = Number(text.slice(5, 7));
  const day = Number(text.slice(8, 10));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

function dateFrom(input: unknown): string {
  if (typeof input === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(input) && isCalendarDate(input)) return input;
  throw invalid(`"${String(input).slice(0, 40)}" is not a date YYYY-MM-DD`);
}

/** A calendar date, YYYY-MM-DD, with no time zone attached. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date: 2023-06-28',
  serialize: (value) => dateFrom(value),
  parseValue: dateFrom,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return fromLiteral(ast, () => dateFrom(ast.value));
    throw invalid('a Date must be a string YYYY-MM-DD', ast);
  },
});

function dateTimeFrom(input: unknown): Date {
  if (typeof input === 'string') {
    const parsed = DateTime.fromISO(input, { setZone: true });
    if (parsed.isValid && /[T ]\d{2}:\d{2}/.test(input) && /(Z|[+-]\d{2}:?\d{2})$/.test(input)) return parsed.toJSDate();
  }
  throw invalid(`"${String(input).slice(0, 40)}" is not an ISO 8601 date-time with an offset`);
}

/** An instant, ISO 8601 with an offset. Resolvers may return a string already in the plan's zone. */
export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: 'DateTime',
  description: 'An instant, ISO 8601 with an offset: 2023-06-28T23:59:59.999+08:00',
  serialize: (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString();
    throw new Error('DateTime serialize: not a date');
  },
  parseValue: dateTimeFrom,
  parseLiteral: (ast) => {
    if (ast.kind === Kind.STRING) return fromLiteral(ast, () => dateTimeFrom(ast.value));
    throw invalid('a DateTime must be a string', ast);
  },
});

/** An instant shown in a time zone, with its offset: how every DateTime leaves the API. */
export function formatInZone(at: Date, timeZone: string): string {
  return DateTime.fromJSDate(at, { zone: timeZone }).toISO({ suppressMilliseconds: false })!;
}
