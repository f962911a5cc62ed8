import { DateTime } from 'luxon';
import type { ObservationItem } from '../observations/observations.service.js';
import type { Condition, Mapping } from './feeds.config.js';

/** Reads a dotted path ("borrower.type") from a record. */
export function pathGet(record: unknown, path: string): unknown {
  let node: unknown = record;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

const isEmpty = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

function holds(record: unknown, condition: Condition): boolean {
  const value = pathGet(record, condition.field);
  if (condition.present !== undefined && isEmpty(value) === condition.present) return false;
  if (condition.equals !== undefined && String(value) !== String(condition.equals)) return false;
  if (condition.in !== undefined && !condition.in.some((c) => String(c) === String(value))) return false;
  return true;
}

/** A date field as the plan's calendar date: "2023-02-10" as it is, a date-time in the plan's zone. */
function toDate(value: unknown, timeZone: string): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) return DateTime.fromISO(text).isValid ? text : undefined;
  const parsed = DateTime.fromISO(text, { setZone: true });
  return parsed.isValid ? (parsed.setZone(timeZone).toISODate() ?? undefined) : undefined;
}

function toDecimalText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A record's id as its observations carry it (the ref field, with the prefix); undefined when it has none. */
export function recordRef(record: unknown, ref: Mapping['ref']): string | undefined {
  const value = pathGet(record, ref.field);
  if (isEmpty(value) || (typeof value !== 'string' && typeof value !== 'number')) return undefined;
  return `${ref.prefix ?? ''}${String(value).trim()}`;
}

export class MappingError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Turns one feed record into the observations its rules produce (possibly none). A record that
 * cannot be read (no ref, an unknown region, an unreadable date or value) throws MappingError.
 */
/** Where each part of an observation came from in the record: a quarantined record names its own field. */
export type SourceFields = Partial<Record<keyof ObservationItem, string>>;

export interface MappedRecord {
  items: ObservationItem[];
  /** beside each item: the record's fields (or mapping settings) its parts came from */
  sources: SourceFields[];
  /** rules that did not fire for this record: an observation they made earlier is withdrawn */
  silent: { indicatorCode: string; ref: string }[];
}

export function mapRecord(
  record: unknown,
  mapping: Mapping,
  plan: { timeZone: string; periodStart: string; periodEnd: string },
): MappedRecord {
  const { timeZone } = plan;
  if (record === null || typeof record !== 'object' || Array.isArray(record))
    throw new MappingError('(record)', 'a record must be an object');
  const ref = recordRef(record, mapping.ref);
  if (ref === undefined) throw new MappingError(mapping.ref.field, `no record id in "${mapping.ref.field}"`);

  let regionCode: string | null = null;
  if (mapping.region) {
    const source = pathGet(record, mapping.region.field);
    const key = isEmpty(source) ? undefined : String(source).trim();
    regionCode = key === undefined ? (mapping.region.default ?? null) : (mapping.region.map?.[key] ?? key);
    if (regionCode === null) throw new MappingError(mapping.region.field, `no region in "${mapping.region.field}"`);
  }

  const items: ObservationItem[] = [];
  const quiet: { indicatorCode: string; ref: string }[] = [];
  const sources: SourceFields[] = [];
  for (const [ruleIndex, rule] of mapping.rules.entries()) {
    const key = { indicatorCode: rule.indicator, ref: `${ref}${rule.refSuffix ?? ''}` };
    const conditions = rule.when === undefined ? [] : Array.isArray(rule.when) ? rule.when : [rule.when];
    if (!conditions.every((c) => holds(record, c))) {
      quiet.push(key);
      continue;
    }
    const dateField = rule.date ?? mapping.date.field;
    const date = toDate(pathGet(record, dateField), timeZone);
    if (!date) throw new MappingError(dateField, `"${dateField}" is not a date: ${JSON.stringify(pathGet(record, dateField))}`);
    // a rule's own date is a scheduled event (a loan falling due): outside the plan period it is not
    // this plan's to count, and a future one counts from its day on
    const scheduled = rule.date !== undefined;
    if (scheduled && (date < plan.periodStart || date > plan.periodEnd)) {
      quiet.push(key);
      continue;
    }
    const value = rule.constant ?? toDecimalText(pathGet(record, rule.value!));
    if (value === undefined || value === '') throw new MappingError(rule.value!, `"${rule.value}" has no value`);
    items.push({
      indicatorCode: rule.indicator,
      regionCode,
      date,
      value,
      unit: rule.unit ?? null,
      ref: key.ref,
      stageCode: rule.stage ?? null,
      allowFuture: scheduled,
    });
    const at = `rules[${ruleIndex}]`;
    sources.push({
      indicatorCode: `${at}.indicator`,
      regionCode: mapping.region?.field ?? 'region',
      date: dateField,
      value: rule.value ?? `${at}.constant`,
      unit: `${at}.unit`,
      ref: mapping.ref.field,
      stageCode: `${at}.stage`,
      note: 'note',
    });
  }
  // a key another rule filled is not silent (two rules may feed one indicator under conditions)
  const filled = new Set(items.map((i) => `${i.indicatorCode}|${i.ref}`));
  return { items, sources, silent: quiet.filter((k) => !filled.has(`${k.indicatorCode}|${k.ref}`)) };
}
