-- The BI functions under the rules of DESIGN.md 4.1–4.5: 361100 is 市本级, one reporting unit beside the
-- counties and zones; 全市 (region_code 'ALL', is_city) aggregates every unit that reported; a unit is scored
-- against its own decomposed target (none: NOT_SCORED, with its share of 全市); bounds ignore time elapsed;
-- an indicator without data counts 0 in its project, TRACKED-only projects are left out of the plan.
DROP VIEW IF EXISTS bi.project_progress;
--> statement-breakpoint
DROP VIEW IF EXISTS bi.indicator_progress;
--> statement-breakpoint
DROP FUNCTION IF EXISTS bi.project_progress_at(text, date);
--> statement-breakpoint
DROP FUNCTION IF EXISTS bi.indicator_progress_at(text, date);
--> statement-breakpoint
-- Every indicator of a plan as of a date: one 全市 row (region_code 'ALL', is_city) and one row per reporting unit.
CREATE FUNCTION bi.indicator_progress_at(p_plan text, p_as_of date)
RETURNS TABLE (
  plan_code text, as_of date, project_number integer, project_title text, indicator_code text, indicator_name text,
  unit text, kind text, weight numeric, region_code text, region_name text, is_city boolean, target numeric, baseline numeric,
  value numeric, percent numeric, percent_exact numeric, expected_percent numeric, achieved boolean, status text,
  last_observed_on date, share_of_city numeric, scored boolean, reported_by text
)
LANGUAGE sql STABLE AS $$
WITH plan AS (SELECT * FROM plans WHERE code = p_plan),
expected AS (
  SELECT CASE WHEN p_as_of < plan.period_start THEN 0::numeric
              WHEN p_as_of >= plan.period_end THEN 100::numeric
              ELSE round((p_as_of - plan.period_start + 1)::numeric * 100 / (plan.period_end - plan.period_start + 1), 2)
         END AS pct
  FROM plan
),
plan_region AS (
  SELECT r.id, r.code, r.name, x.position FROM plan_regions x JOIN regions r ON r.id = x.region_id WHERE x.plan_id = (SELECT id FROM plan)
),
-- 全市 is region 0 beside the units
scope AS (
  SELECT 0 AS id, 'ALL'::text AS code, '全市'::text AS name, -1 AS position
  UNION ALL SELECT id, code, name, position FROM plan_region
),
series AS (
  SELECT d.indicator_id, d.region_id, d.stage_id, sum(d.sum_value) AS sum_v,
         (array_agg(d.latest_value ORDER BY d.observed_on DESC))[1] AS latest_v, max(d.observed_on) AS last_on
  FROM indicator_daily d JOIN indicators i ON i.id = d.indicator_id
  WHERE i.plan_id = (SELECT id FROM plan) AND d.observed_on <= p_as_of AND d.region_id IN (SELECT id FROM plan_region)
  GROUP BY d.indicator_id, d.region_id, d.stage_id
),
own AS (
  SELECT s.indicator_id, s.region_id, CASE i.accumulation WHEN 'SUM' THEN s.sum_v ELSE s.latest_v END AS value, s.last_on
  FROM series s JOIN indicators i ON i.id = s.indicator_id
  WHERE i.accumulation IN ('SUM', 'LATEST') AND s.stage_id = 0
  UNION ALL
  -- a milestone: the weights of the stages whose latest report says done
  SELECT s.indicator_id, s.region_id, sum(CASE WHEN s.latest_v >= 1 THEN st.weight ELSE 0 END), max(s.last_on)
  FROM series s JOIN indicators i ON i.id = s.indicator_id JOIN indicator_stages st ON st.id = s.stage_id
  WHERE i.accumulation = 'STAGES'
  GROUP BY s.indicator_id, s.region_id
),
plain AS (
  SELECT indicator_id, region_id, value, last_on FROM own
  UNION ALL
  -- 全市: every unit that reported, 市本级 included (a standard is met only where every unit meets it)
  SELECT o.indicator_id, 0,
         CASE i.region_aggregation WHEN 'MIN' THEN min(o.value) WHEN 'MAX' THEN max(o.value) ELSE sum(o.value) END,
         max(o.last_on)
  FROM own o JOIN indicators i ON i.id = o.indicator_id
  GROUP BY o.indicator_id, i.region_aggregation
),
valued AS (
  SELECT indicator_id, region_id, value, last_on FROM plain
  UNION ALL
  -- a ratio of the (aggregated) numerator and denominator; a zero denominator gives no value
  SELECT i.id, n.region_id, (n.value * 100 + 0.000000000000000000000000000000) / d.value, greatest(n.last_on, d.last_on)
  FROM indicators i
  JOIN plain n ON n.indicator_id = i.numerator_id
  JOIN plain d ON d.indicator_id = i.denominator_id AND d.region_id = n.region_id
  WHERE i.plan_id = (SELECT id FROM plan) AND i.accumulation = 'DERIVED' AND d.value <> 0
),
-- the target a row is judged against: a unit's own for TARGET indicators (none: not scored), else the plan's
judged AS (
  SELECT i.id AS indicator_id, u.id AS region_id,
         CASE WHEN i.kind = 'TRACKED' OR silent THEN NULL
              WHEN i.kind = 'TARGET' AND u.id <> 0 THEN (i.region_targets ->> u.code)::numeric
              ELSE i.target END AS tgt,
         i.kind <> 'TRACKED' AND NOT silent AND NOT (i.kind = 'TARGET' AND u.id <> 0 AND NOT (i.region_targets ? u.code)) AS scored
  FROM indicators i CROSS JOIN scope u CROSS JOIN plan
  -- a unit that does not report the indicator at all is not judged on it
  CROSS JOIN LATERAL (SELECT (i.reported_by = 'REGIONS' AND u.id = plan.city_region_id)
                          OR (i.reported_by = 'CITY' AND u.id NOT IN (0, plan.city_region_id)) AS silent) x
  WHERE i.plan_id = plan.id
),
scored AS (
  SELECT j.indicator_id, j.region_id, j.scored, v.value, v.last_on,
         CASE WHEN NOT j.scored OR v.value IS NULL THEN NULL ELSE
           CASE i.kind
             WHEN 'TARGET' THEN v.value * 100 / j.tgt
             WHEN 'THRESHOLD' THEN CASE WHEN i.direction = 'AT_MOST'
                                        THEN CASE WHEN v.value <= j.tgt THEN 100 ELSE j.tgt * 100 / v.value END
                                        ELSE v.value * 100 / j.tgt END
             WHEN 'LEVEL' THEN CASE WHEN i.baseline IS NULL THEN CASE WHEN v.value >= j.tgt THEN 100 ELSE 0 END
                                    ELSE (v.value - i.baseline) * 100 / (j.tgt - i.baseline) END
             WHEN 'MILESTONE' THEN v.value
           END
         END AS pct,
         CASE WHEN NOT j.scored OR v.value IS NULL THEN false ELSE
           CASE i.kind
             WHEN 'MILESTONE' THEN v.value >= 100
             WHEN 'THRESHOLD' THEN CASE WHEN i.direction = 'AT_MOST' THEN v.value <= j.tgt ELSE v.value >= j.tgt END
             ELSE v.value >= j.tgt
           END
         END AS achieved,
         j.tgt
  FROM judged j JOIN indicators i ON i.id = j.indicator_id
  LEFT JOIN valued v ON v.indicator_id = j.indicator_id AND v.region_id = j.region_id
)
SELECT plan.code, p_as_of, pr.number, pr.title, i.code, i.name, i.unit, i.kind::text, i.weight, u.code, u.name,
       u.id = 0, s.tgt, i.baseline,
       CASE WHEN i.accumulation = 'DERIVED' THEN trim_scale(round(s.value, 6)) ELSE trim_scale(s.value) END,
       round(s.pct, 2), s.pct, x.expected, s.achieved,
       CASE WHEN NOT s.scored THEN 'NOT_SCORED'
            WHEN s.value IS NULL THEN 'NO_DATA'
            WHEN s.achieved THEN 'ACHIEVED'
            WHEN i.kind = 'THRESHOLD' THEN CASE WHEN round(s.pct, 2) >= 90 THEN 'LAGGING' ELSE 'BEHIND' END
            WHEN round(s.pct, 2) >= x.expected THEN 'ON_TRACK'
            WHEN x.expected - round(s.pct, 2) <= 10 THEN 'LAGGING'
            ELSE 'BEHIND' END,
       s.last_on,
       CASE WHEN u.id <> 0 AND i.region_aggregation = 'SUM' AND t.value <> 0 THEN round(s.value * 100 / t.value, 2) END,
       s.scored, i.reported_by::text
FROM plan
CROSS JOIN expected e
JOIN indicators i ON i.plan_id = plan.id
JOIN projects pr ON pr.id = i.project_id
CROSS JOIN scope u
JOIN scored s ON s.indicator_id = i.id AND s.region_id = u.id
LEFT JOIN valued t ON t.indicator_id = i.id AND t.region_id = 0
-- a bound holds all year: its expected percent is 100, and LAGGING means percent ≥ 90
CROSS JOIN LATERAL (SELECT CASE WHEN i.kind = 'THRESHOLD' THEN 100::numeric ELSE e.pct END AS expected) x
ORDER BY i.position, u.position
$$;
--> statement-breakpoint
-- Every project of a plan as of a date: the weighted mean of its scored indicators (no data counts 0), each capped at 100.
CREATE FUNCTION bi.project_progress_at(p_plan text, p_as_of date)
RETURNS TABLE (
  plan_code text, as_of date, project_number integer, project_title text, lead_agencies text,
  percent numeric, percent_exact numeric, expected_percent numeric, achieved boolean, status text,
  indicators_with_data integer, indicators_scored integer
)
LANGUAGE sql STABLE AS $$
WITH city AS (
  SELECT * FROM bi.indicator_progress_at(p_plan, p_as_of) WHERE is_city
),
expected AS (
  SELECT CASE WHEN p_as_of < p.period_start THEN 0::numeric
              WHEN p_as_of >= p.period_end THEN 100::numeric
              ELSE round((p_as_of - p.period_start + 1)::numeric * 100 / (p.period_end - p.period_start + 1), 2)
         END AS pct
  FROM plans p WHERE p.code = p_plan
),
rolled AS (
  SELECT project_number, project_title,
         (count(*) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL))::int AS with_data,
         (count(*) FILTER (WHERE kind <> 'TRACKED'))::int AS parts,
         CASE WHEN sum(weight) FILTER (WHERE kind <> 'TRACKED') = 0
                THEN avg(least(coalesce(percent_exact, 0), 100)) FILTER (WHERE kind <> 'TRACKED')
              ELSE sum(least(coalesce(percent_exact, 0), 100) * weight) FILTER (WHERE kind <> 'TRACKED')
                   / sum(weight) FILTER (WHERE kind <> 'TRACKED') END AS mean,
         coalesce(bool_and(achieved) FILTER (WHERE kind <> 'TRACKED'), false) AS achieved
  FROM city GROUP BY project_number, project_title
)
SELECT p_plan, p_as_of, r.project_number, r.project_title,
       (SELECT string_agg(a.name, '、' ORDER BY pa.position) FROM projects pr JOIN plans pl ON pl.id = pr.plan_id
          JOIN project_agencies pa ON pa.project_id = pr.id AND pa.role = 'LEAD' JOIN agencies a ON a.id = pa.agency_id
         WHERE pl.code = p_plan AND pr.number = r.project_number),
       round(m.rolled_pct, 2), m.rolled_pct, e.pct, r.parts > 0 AND r.achieved,
       CASE WHEN r.parts = 0 THEN 'NOT_SCORED'
            WHEN r.with_data = 0 THEN 'NO_DATA'
            WHEN r.achieved THEN 'ACHIEVED'
            WHEN round(m.rolled_pct, 2) >= e.pct THEN 'ON_TRACK'
            WHEN e.pct - round(m.rolled_pct, 2) <= 10 THEN 'LAGGING'
            ELSE 'BEHIND' END,
       r.with_data, r.parts
FROM rolled r
CROSS JOIN expected e
CROSS JOIN LATERAL (SELECT CASE WHEN r.with_data = 0 THEN NULL ELSE r.mean END AS rolled_pct) m
ORDER BY r.project_number
$$;
--> statement-breakpoint
-- The plan as of a date: the mean of its scored projects (a project with no data counts 0; TRACKED-only ones left out).
CREATE FUNCTION bi.plan_progress_at(p_plan text, p_as_of date)
RETURNS TABLE (
  plan_code text, as_of date, percent numeric, percent_exact numeric, expected_percent numeric, achieved boolean, status text,
  projects_with_data integer, projects_scored integer
)
LANGUAGE sql STABLE AS $$
WITH projects AS (
  SELECT * FROM bi.project_progress_at(p_plan, p_as_of) WHERE status <> 'NOT_SCORED'
),
rolled AS (
  SELECT (count(*) FILTER (WHERE percent_exact IS NOT NULL))::int AS with_data, count(*)::int AS parts,
         avg(least(coalesce(percent_exact, 0), 100)) AS mean, coalesce(bool_and(achieved), false) AS achieved,
         max(expected_percent) AS expected
  FROM projects
)
SELECT p_plan, p_as_of, round(m.rolled_pct, 2), m.rolled_pct, r.expected, r.parts > 0 AND r.achieved,
       CASE WHEN r.parts = 0 THEN 'NOT_SCORED'
            WHEN r.with_data = 0 THEN 'NO_DATA'
            WHEN r.achieved THEN 'ACHIEVED'
            WHEN round(m.rolled_pct, 2) >= r.expected THEN 'ON_TRACK'
            WHEN r.expected - round(m.rolled_pct, 2) <= 10 THEN 'LAGGING'
            ELSE 'BEHIND' END,
       r.with_data, r.parts
FROM rolled r
CROSS JOIN LATERAL (SELECT CASE WHEN r.with_data = 0 THEN NULL ELSE r.mean END AS rolled_pct) m
WHERE EXISTS (SELECT 1 FROM plans WHERE code = p_plan)
$$;
--> statement-breakpoint
-- As of today in each plan's own time zone (by the database clock; use the *_at functions to replay a date).
CREATE VIEW bi.indicator_progress AS
SELECT f.* FROM plans p CROSS JOIN LATERAL bi.indicator_progress_at(p.code, (now() AT TIME ZONE p.time_zone)::date) f;
--> statement-breakpoint
CREATE VIEW bi.project_progress AS
SELECT f.* FROM plans p CROSS JOIN LATERAL bi.project_progress_at(p.code, (now() AT TIME ZONE p.time_zone)::date) f;
--> statement-breakpoint
CREATE VIEW bi.plan_progress AS
SELECT f.* FROM plans p CROSS JOIN LATERAL bi.plan_progress_at(p.code, (now() AT TIME ZONE p.time_zone)::date) f;
