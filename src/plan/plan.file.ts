import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { z } from 'zod';
import {
  accumulation,
  indicatorKind,
  regionAggregation,
  regionLevel,
  reportingLevel,
  thresholdDirection,
  type Accumulation,
  type IndicatorKind,
  type RegionAggregation,
  type RegionLevel,
  type ReportingLevel,
  type ThresholdDirection,
} from '../../drizzle/schema/plan.js';
import { Decimal, isDecimalString, parseDecimal } from '../shared/decimal.js';

/**
 * The plan file: a year's plan as data (YAML or JSON). Parsed with YAML's failsafe schema so every
 * scalar stays the string that was written ("19.5" never becomes a float), then validated by zod.
 */

const decimal = z.string().refine(isDecimalString, 'must be a decimal number such as "19.5"');
const isoDate = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid, 'must be a date YYYY-MM-DD');
const code = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"');
const list = <T extends z.ZodType>(item: T) => z.array(item).default([]);

const agencySchema = z.strictObject({
  code: code,
  name: z.string().min(1),
  nameEn: z.string().min(1),
});

const regionSchema = z.strictObject({
  code: code,
  name: z.string().min(1),
  level: z.enum(regionLevel.enumValues),
});

const stageSchema = z.strictObject({
  code: code,
  name: z.string().min(1),
  weight: decimal,
});

const indicatorSchema = z.strictObject({
  code: z.string().regex(/^\d+\.\d+$/, 'must be "N.M": project number, then indicator number'),
  name: z.string().min(1),
  description: z.string().optional(),
  note: z.string().optional(),
  kind: z.enum(indicatorKind.enumValues),
  unit: z.string().min(1),
  target: decimal.optional(),
  baseline: decimal.optional(),
  weight: decimal.optional(),
  accumulation: z.enum(accumulation.enumValues).optional(),
  aggregation: z.enum(regionAggregation.enumValues).optional(),
  direction: z.enum(thresholdDirection.enumValues).optional(),
  numerator: z.string().optional(),
  denominator: z.string().optional(),
  allowNegative: z.enum(['true', 'false']).optional(),
  stages: z.array(stageSchema).optional(),
  reportedBy: z.enum(reportingLevel.enumValues).optional(),
  regionTargets: z.record(z.string(), decimal).optional(),
});

const projectSchema = z.strictObject({
  number: z.string().regex(/^[1-9]\d*$/, 'must be a whole number from 1'),
  title: z.string().min(1),
  summary: z.string().optional(),
  lead: z.array(code).min(1, 'a project needs at least one lead agency'),
  responsible: list(code),
  indicators: z.array(indicatorSchema).min(1, 'a project needs at least one indicator'),
});

const planSchema = z.strictObject({
  code: code,
  title: z.string().min(1),
  documentNumber: z.string().min(1),
  issuedOn: isoDate,
  periodStart: isoDate,
  periodEnd: isoDate,
  timeZone: z
    .string()
    .refine((tz) => DateTime.local().setZone(tz).isValid, 'must be an IANA time zone')
    .default('Asia/Shanghai'),
  cityRegion: code,
  officeAgency: code.optional(),
  agencies: z.array(agencySchema).min(1),
  regions: z.array(regionSchema).min(1),
  reportingRounds: list(z.strictObject({ dueOn: isoDate, title: z.string().min(1) })),
  projects: z.array(projectSchema).min(1),
});

type RawPlan = z.infer<typeof planSchema>;

export interface PlanFileIndicator {
  code: string;
  name: string;
  description: string;
  note: string;
  kind: IndicatorKind;
  unit: string;
  target: string | null;
  baseline: string | null;
  weight: string;
  accumulation: Accumulation;
  aggregation: RegionAggregation;
  direction: ThresholdDirection;
  numerator: string | null;
  denominator: string | null;
  allowNegative: boolean;
  stages: { code: string; name: string; weight: string }[];
  /** derived ratios: BOTH when their parts differ, else their parts' level */
  reportedBy: ReportingLevel;
  /** 任务分解: region code → target, sorted by code */
  regionTargets: Record<string, string>;
}

export interface PlanFile {
  code: string;
  title: string;
  documentNumber: string;
  issuedOn: string;
  periodStart: string;
  periodEnd: string;
  timeZone: string;
  cityRegion: string;
  officeAgency: string | null;
  agencies: { code: string; name: string; nameEn: string }[];
  regions: { code: string; name: string; level: RegionLevel }[];
  reportingRounds: { dueOn: string; title: string }[];
  projects: {
    number: number;
    title: string;
    summary: string;
    lead: string[];
    responsible: string[];
    indicators: PlanFileIndicator[];
  }[];
  /** sha256 of the validated content: the same plan loaded twice is recognised and skipped */
  contentHash: string;
  /** what is worth a look but not refused: region targets that do not add up to the city's */
  warnings: PlanProblem[];
}

export interface PlanProblem {
  /** where in the file: `projects[0].indicators[5].target` */
  path: string;
  line?: number;
  message: string;
}

export class PlanFileError extends Error {
  constructor(
    readonly source: string,
    readonly problems: PlanProblem[],
  ) {
    const [only] = problems;
    super(
      // a fault of the whole file (missing, too large) is one line
      problems.length === 1 && !only.path && !only.line
        ? `plan ${source} was refused: ${only.message}`
        : `plan ${source} was refused (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
            problems.map((p) => `  - ${p.line ? `line ${p.line}, ` : ''}${p.path || '(file)'}: ${p.message}`).join('\n'),
    );
    this.name = 'PlanFileError';
  }
}

const defaultAccumulation: Record<IndicatorKind, Accumulation> = {
  TARGET: 'SUM',
  TRACKED: 'SUM',
  LEVEL: 'LATEST',
  THRESHOLD: 'DERIVED',
  MILESTONE: 'STAGES',
};

// amounts and counts add up across regions; a standard is met only where every region meets it;
// ratios come from the aggregated numerator and denominator
const defaultAggregation: Record<IndicatorKind, RegionAggregation> = {
  TARGET: 'SUM',
  TRACKED: 'SUM',
  LEVEL: 'MIN',
  THRESHOLD: 'RATIO',
  MILESTONE: 'MIN',
};

function formatPath(path: PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** A plan file has no need of many YAML aliases; many more are an expansion bomb. */
const maxAliasCount = 100;

/** Parses and validates plan text; throws PlanFileError listing every problem with its line. */
export function parsePlanFile(text: string, source = 'plan'): PlanFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { schema: 'failsafe', lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new PlanFileError(
      source,
      doc.errors.map((e) => ({ path: '', line: lineCounter.linePos(e.pos[0]).line, message: e.message.split('\n')[0] })),
    );
  }
  const lineOf = (path: PropertyKey[]): number | undefined => {
    // walk up until a node with a position exists (a missing key points at its parent)
    for (let n = path.length; n >= 0; n -= 1) {
      const node = doc.getIn(path.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const problem = (path: PropertyKey[], message: string): PlanProblem => ({
    path: formatPath(path),
    line: lineOf(path),
    message,
  });

  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount });
  } catch (error) {
    // yaml refuses an alias bomb ("billion laughs") with a ReferenceError
    if (error instanceof ReferenceError)
      throw new PlanFileError(source, [{ path: '', message: `more than ${maxAliasCount} YAML aliases` }]);
    throw error;
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => problem(issue.path, issue.message));
    // list the cross-reference faults too, as far as the malformed file lets us see them
    try {
      problems.push(...crossCheck(raw as RawPlan, problem));
    } catch {
      // the shape is too broken to cross-check; the shape problems above say why
    }
    throw new PlanFileError(source, problems);
  }
  const problems = crossCheck(parsed.data, problem);
  if (problems.length > 0) throw new PlanFileError(source, problems);
  return { ...normalise(parsed.data), warnings: decompositionWarnings(parsed.data, problem) };
}

/** Checks that span fields: references resolve, codes are unique, targets fit their kind. */
function crossCheck(plan: RawPlan, problem: (path: PropertyKey[], message: string) => PlanProblem): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const unique = <T>(items: T[], key: (t: T) => string, at: (i: number) => PropertyKey[], what: string) => {
    const seen = new Set<string>();
    items.forEach((item, i) => {
      const k = key(item);
      if (seen.has(k)) problems.push(problem(at(i), `duplicate ${what} "${k}"`));
      seen.add(k);
    });
  };
  unique(
    plan.agencies,
    (a) => a.code,
    (i) => ['agencies', i, 'code'],
    'agency code',
  );
  unique(
    plan.regions,
    (r) => r.code,
    (i) => ['regions', i, 'code'],
    'region code',
  );
  unique(
    plan.projects,
    (p) => p.number,
    (i) => ['projects', i, 'number'],
    'project number',
  );
  unique(
    plan.reportingRounds ?? [],
    (r) => r.dueOn,
    (i) => ['reportingRounds', i, 'dueOn'],
    'reporting round date',
  );

  const agencyCodes = new Set(plan.agencies.map((a) => a.code));
  const city = plan.regions.find((r) => r.code === plan.cityRegion);
  if (!city) problems.push(problem(['cityRegion'], `region "${plan.cityRegion}" is not listed under regions`));
  else if (city.level !== 'CITY') problems.push(problem(['cityRegion'], `region "${city.code}" must have level CITY`));
  if (plan.officeAgency && !agencyCodes.has(plan.officeAgency)) {
    problems.push(problem(['officeAgency'], `agency "${plan.officeAgency}" is not listed under agencies`));
  }
  if (plan.periodStart > plan.periodEnd) problems.push(problem(['periodEnd'], 'must not be before periodStart'));
  (plan.reportingRounds ?? []).forEach((r, i) => {
    if (r.dueOn < plan.periodStart || r.dueOn > plan.periodEnd) {
      problems.push(problem(['reportingRounds', i, 'dueOn'], 'must fall within the plan period'));
    }
  });

  const indicators = new Map<string, { kind: string; path: PropertyKey[] }>();
  plan.projects.forEach((project, p) => {
    for (const role of ['lead', 'responsible'] as const) {
      (project[role] ?? []).forEach((agency, a) => {
        if (!agencyCodes.has(agency)) problems.push(problem(['projects', p, role, a], `agency "${agency}" is not listed under agencies`));
      });
    }
    project.indicators.forEach((ind, i) => {
      const at = ['projects', p, 'indicators', i];
      if (indicators.has(ind.code)) problems.push(problem([...at, 'code'], `duplicate indicator code "${ind.code}"`));
      indicators.set(ind.code, { kind: ind.kind, path: at });
      if (ind.code.split('.')[0] !== project.number) {
        problems.push(problem([...at, 'code'], `must start with the project number ${project.number}`));
      }
    });
  });

  plan.projects.forEach((project, p) =>
    project.indicators.forEach((ind, i) => {
      const at = ['projects', p, 'indicators', i];
      const needsTarget = ind.kind === 'TARGET' || ind.kind === 'THRESHOLD' || ind.kind === 'LEVEL';
      if (needsTarget && ind.target === undefined) problems.push(problem([...at, 'target'], `a ${ind.kind} indicator needs a target`));
      if (!needsTarget && ind.target !== undefined) problems.push(problem([...at, 'target'], `a ${ind.kind} indicator has no target`));
      if (ind.baseline !== undefined && ind.kind !== 'LEVEL')
        problems.push(problem([...at, 'baseline'], 'only LEVEL indicators have a baseline'));
      const target = decimalOf(ind.target);
      const baseline = decimalOf(ind.baseline);
      const weight = decimalOf(ind.weight);
      if (ind.kind === 'LEVEL' && baseline && target && baseline.gte(target)) {
        problems.push(problem([...at, 'baseline'], 'must be below the target'));
      }
      if (weight?.isNegative()) problems.push(problem([...at, 'weight'], 'must not be negative'));
      // a percent divides by the target (or bound): zero would divide by zero
      if ((ind.kind === 'TARGET' || ind.kind === 'THRESHOLD') && target && !target.gt(0))
        problems.push(problem([...at, 'target'], 'must be greater than zero'));

      if (ind.kind === 'THRESHOLD') {
        for (const part of ['numerator', 'denominator'] as const) {
          const ref = ind[part];
          if (!ref) problems.push(problem([...at, part], `a THRESHOLD indicator needs a ${part} indicator`));
          else if (!indicators.has(ref)) problems.push(problem([...at, part], `indicator "${ref}" is not in this plan`));
          else if (indicators.get(ref)!.kind === 'THRESHOLD' || indicators.get(ref)!.kind === 'MILESTONE') {
            problems.push(problem([...at, part], `indicator "${ref}" is ${indicators.get(ref)!.kind}; a ratio needs plain amounts`));
          }
        }
        if (ind.accumulation && ind.accumulation !== 'DERIVED')
          problems.push(problem([...at, 'accumulation'], 'a THRESHOLD indicator is DERIVED'));
        if (ind.aggregation && ind.aggregation !== 'RATIO')
          problems.push(problem([...at, 'aggregation'], 'a THRESHOLD indicator aggregates as RATIO'));
      } else {
        if (ind.numerator || ind.denominator)
          problems.push(
            problem([...at, ind.numerator ? 'numerator' : 'denominator'], 'only THRESHOLD indicators have a numerator and denominator'),
          );
        if (ind.direction) problems.push(problem([...at, 'direction'], 'only THRESHOLD indicators have a direction'));
        if (ind.accumulation === 'DERIVED') problems.push(problem([...at, 'accumulation'], 'only THRESHOLD indicators are DERIVED'));
        if (ind.aggregation === 'RATIO') problems.push(problem([...at, 'aggregation'], 'only THRESHOLD indicators aggregate as RATIO'));
      }

      if (ind.kind === 'THRESHOLD' && ind.reportedBy)
        problems.push(problem([...at, 'reportedBy'], 'a derived ratio is reported where its numerator and denominator are'));
      if (ind.regionTargets) {
        if (ind.kind !== 'TARGET')
          problems.push(
            problem(
              [...at, 'regionTargets'],
              ind.kind === 'LEVEL' || ind.kind === 'THRESHOLD'
                ? `a ${ind.kind} standard holds in every unit as it is: it is not decomposed`
                : `only TARGET indicators have decomposed targets, not ${ind.kind}`,
            ),
          );
        for (const [regionCode, text] of Object.entries(ind.regionTargets)) {
          const where = [...at, 'regionTargets', regionCode];
          const region = plan.regions.find((r) => r.code === regionCode);
          if (!region) {
            problems.push(problem(where, `region "${regionCode}" is not listed under regions`));
            continue;
          }
          const isCity = regionCode === plan.cityRegion;
          if (isCity && ind.reportedBy === 'REGIONS')
            problems.push(problem(where, `indicator ${ind.code} is reported by counties and zones, not by 市本级`));
          if (!isCity && ind.reportedBy === 'CITY') problems.push(problem(where, `indicator ${ind.code} is reported by 市本级 only`));
          // zero would divide by zero: leave the unit out to give it no target
          const target = decimalOf(text);
          if (target && !target.gt(0)) problems.push(problem(where, 'must be greater than zero (leave a unit out to give it no target)'));
        }
      }

      if (ind.kind === 'MILESTONE') {
        if (!ind.stages || ind.stages.length === 0) problems.push(problem([...at, 'stages'], 'a MILESTONE indicator needs stages'));
        else {
          unique(
            ind.stages,
            (s) => s.code,
            (s) => [...at, 'stages', s, 'code'],
            'stage code',
          );
          const weights = ind.stages.map((s) => decimalOf(s.weight));
          const total = weights.reduce<Decimal>((sum, w) => sum.plus(w ?? 0), new Decimal(0));
          if (weights.every(Boolean) && !total.eq(100))
            problems.push(problem([...at, 'stages'], `stage weights must sum to 100, not ${total.toFixed()}`));
        }
        if (ind.accumulation && ind.accumulation !== 'STAGES')
          problems.push(problem([...at, 'accumulation'], 'a MILESTONE indicator accumulates STAGES'));
      } else {
        if (ind.stages) problems.push(problem([...at, 'stages'], 'only MILESTONE indicators have stages'));
        if (ind.accumulation === 'STAGES') problems.push(problem([...at, 'accumulation'], 'only MILESTONE indicators accumulate STAGES'));
      }
    }),
  );
  return problems;
}

/** Region targets that do not add up to the city's target: likely a typo, but a plan may mean it (a reserve). */
function decompositionWarnings(plan: RawPlan, problem: (path: PropertyKey[], message: string) => PlanProblem): PlanProblem[] {
  const warnings: PlanProblem[] = [];
  plan.projects.forEach((project, p) =>
    project.indicators.forEach((ind, i) => {
      if (!ind.regionTargets || !ind.target) return;
      const total = Object.values(ind.regionTargets).reduce((sum, t) => sum.plus(decimalOf(t) ?? 0), new Decimal(0));
      if (!total.eq(decimalOf(ind.target)!))
        warnings.push(
          problem(
            ['projects', p, 'indicators', i, 'regionTargets'],
            `region targets add up to ${total.toFixed()}, not the target ${decimalOf(ind.target)!.toFixed()}`,
          ),
        );
    }),
  );
  return warnings;
}

const decimalOf = (text: unknown) => (typeof text === 'string' ? parseDecimal(text) : undefined);

function normalise(plan: RawPlan): Omit<PlanFile, 'warnings'> {
  const codes = new Map(plan.projects.flatMap((p) => p.indicators.map((i) => [i.code, i] as const)));
  const levelOf = (code: string | undefined) => codes.get(code ?? '')?.reportedBy ?? 'BOTH';
  const content = {
    code: plan.code,
    title: plan.title,
    documentNumber: plan.documentNumber,
    issuedOn: plan.issuedOn,
    periodStart: plan.periodStart,
    periodEnd: plan.periodEnd,
    timeZone: plan.timeZone,
    cityRegion: plan.cityRegion,
    officeAgency: plan.officeAgency ?? null,
    agencies: plan.agencies,
    regions: plan.regions,
    reportingRounds: [...plan.reportingRounds].sort((a, b) => a.dueOn.localeCompare(b.dueOn)),
    projects: plan.projects.map((p) => ({
      number: Number(p.number),
      title: p.title.trim(),
      summary: (p.summary ?? '').trim(),
      lead: p.lead,
      responsible: p.responsible,
      indicators: p.indicators.map((i): PlanFileIndicator => ({
        code: i.code,
        name: i.name.trim(),
        description: (i.description ?? '').trim(),
        note: (i.note ?? '').trim(),
        kind: i.kind,
        unit: i.unit,
        target: i.target !== undefined ? parseDecimal(i.target)!.toFixed() : null,
        baseline: i.baseline !== undefined ? parseDecimal(i.baseline)!.toFixed() : null,
        weight: i.weight !== undefined ? parseDecimal(i.weight)!.toFixed() : '1',
        accumulation: i.accumulation ?? defaultAccumulation[i.kind],
        aggregation: i.aggregation ?? defaultAggregation[i.kind],
        direction: i.direction ?? 'AT_LEAST',
        numerator: i.numerator ?? null,
        denominator: i.denominator ?? null,
        allowNegative: i.allowNegative === 'true',
        stages: (i.stages ?? []).map((s) => ({ ...s, weight: parseDecimal(s.weight)!.toFixed() })),
        reportedBy:
          i.kind === 'THRESHOLD'
            ? levelOf(i.numerator) === levelOf(i.denominator)
              ? levelOf(i.numerator)
              : 'BOTH'
            : (i.reportedBy ?? 'BOTH'),
        regionTargets: Object.fromEntries(
          Object.entries(i.regionTargets ?? {})
            .map(([code, target]) => [code, parseDecimal(target)!.toFixed()] as const)
            .sort(([a], [b]) => a.localeCompare(b)),
        ),
      })),
    })),
  };
  const contentHash = createHash('sha256').update(JSON.stringify(content)).digest('hex');
  return { ...content, contentHash };
}
