import { CronExpressionParser } from 'cron-parser';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { isDecimalString } from '../shared/decimal.js';

/** How a feed pages: not at all, by page number, by a cursor from the response, or by a next link. */
export const paginationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('NONE') }),
  z.strictObject({
    type: z.literal('PAGE'),
    pageParam: z.string().min(1).default('page'),
    sizeParam: z.string().min(1).default('size'),
    pageSize: z.number().int().min(1).max(10_000).default(100),
    firstPage: z.number().int().min(0).default(1),
  }),
  z.strictObject({
    type: z.literal('CURSOR'),
    /** query parameter (JSON, CSV) or GraphQL variable that carries the cursor */
    cursorParam: z.string().min(1).default('cursor'),
    /** where the next cursor is in the response, e.g. "nextCursor" or "data.screenings.pageInfo.endCursor" */
    cursorPath: z.string().min(1),
    /** optional: a boolean in the response that says whether there is more */
    hasMorePath: z.string().min(1).optional(),
  }),
  z.strictObject({ type: z.literal('NEXT_LINK'), nextLinkPath: z.string().min(1) }),
]);
export type Pagination = z.infer<typeof paginationSchema>;

/** The incremental cursor: ask only for records after the largest `field` value seen so far. */
export const incrementalSchema = z.strictObject({
  /** the query parameter (or GraphQL variable) the remembered position is sent in */
  param: z.string().min(1),
  /** the record field whose largest value becomes the next position (ISO dates/times or numbers) */
  field: z.string().min(1),
});
export type Incremental = z.infer<typeof incrementalSchema>;

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const conditionSchema = z.strictObject({
  field: z.string().min(1),
  equals: scalar.optional(),
  in: z.array(scalar).min(1).optional(),
  /** true: the field must have a non-empty value; false: it must be empty or missing */
  present: z.boolean().optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

const ruleSchema = z
  .strictObject({
    indicator: z.string().min(1),
    /** the record field holding the value … */
    value: z.string().min(1).optional(),
    /** … or a constant per record ("1": each record counts one) */
    constant: z.string().refine(isDecimalString, 'must be a decimal such as "1"').optional(),
    unit: z.string().min(1).optional(),
    /** a date field of its own for this indicator (a loan's due date for "due amount") */
    date: z.string().min(1).optional(),
    /** MILESTONE indicators: the stage a matching record reports done */
    stage: z.string().min(1).optional(),
    /** appended to the record's ref: one record can feed one indicator twice (prenatal and newborn counts) */
    refSuffix: z.string().min(1).optional(),
    when: z.union([conditionSchema, z.array(conditionSchema).min(1)]).optional(),
  })
  .refine((r) => (r.value === undefined) !== (r.constant === undefined), {
    message: 'give either value (a field) or constant',
    path: ['value'],
  });
export type MappingRule = z.infer<typeof ruleSchema>;

export const mappingSchema = z.strictObject({
  /** where the region is (required by upsertFeed; a stored mapping without it quarantines every record) */
  region: z
    .strictObject({
      field: z.string().min(1),
      /** source codes or names → region codes ("信州区": "361102") */
      map: z.record(z.string(), z.string()).optional(),
      default: z.string().optional(),
    })
    .optional(),
  date: z.strictObject({ field: z.string().min(1) }),
  ref: z.strictObject({ field: z.string().min(1), prefix: z.string().optional() }),
  rules: z.array(ruleSchema).min(1),
});
export type Mapping = z.infer<typeof mappingSchema>;

export function validateCron(pattern: string, timeZone: string): string | undefined {
  try {
    CronExpressionParser.parse(pattern, { tz: timeZone });
    const fields = pattern.trim().split(/\s+/).length;
    if (fields < 5 || fields > 6) return 'a cron pattern has 5 fields (or 6 with seconds)';
    return undefined;
  } catch (error) {
    return `not a cron pattern: ${(error as Error).message}`;
  }
}

export const isTimeZone = (tz: string) => DateTime.local().setZone(tz).isValid;

/** Every field a mapping reads: a CSV header must have each of them. */
export function fieldsOf(mapping: Mapping, incremental: Incremental | null): string[] {
  const fields = new Set<string>([mapping.date.field, mapping.ref.field]);
  if (mapping.region) fields.add(mapping.region.field);
  for (const rule of mapping.rules) {
    if (rule.value) fields.add(rule.value);
    if (rule.date) fields.add(rule.date);
    const conditions = rule.when === undefined ? [] : Array.isArray(rule.when) ? rule.when : [rule.when];
    for (const c of conditions) fields.add(c.field);
  }
  if (incremental) fields.add(incremental.field);
  return [...fields].map((f) => f.split('.')[0]);
}

/** The longest text each feed field takes (characters). JSON fields are bounded by the API's input check. */
export const feedTextLimits = {
  name: 200,
  url: 2_048,
  recordsPath: 200,
  graphqlQuery: 50_000,
  schedule: 100,
  timeZone: 64,
  'authHeader.name': 100,
  'authHeader.value': 8_192,
} as const;

/** Problems with the length of a feed's free text, each naming its field (`authHeader.value`). */
export function feedTextProblems(input: {
  name: string;
  url: string;
  recordsPath?: string | null;
  graphqlQuery?: string | null;
  schedule: string;
  timeZone?: string | null;
  authHeader?: { name: string; value: string } | null;
}): { field: string; message: string }[] {
  const texts: Record<keyof typeof feedTextLimits, string | null | undefined> = {
    name: input.name,
    url: input.url,
    recordsPath: input.recordsPath,
    graphqlQuery: input.graphqlQuery,
    schedule: input.schedule,
    timeZone: input.timeZone,
    'authHeader.name': input.authHeader?.name,
    'authHeader.value': input.authHeader?.value,
  };
  return Object.entries(texts).flatMap(([field, text]) => {
    const limit = feedTextLimits[field as keyof typeof feedTextLimits];
    return text && text.length > limit ? [{ field, message: `at most ${limit} characters, not ${text.length}` }] : [];
  });
}
