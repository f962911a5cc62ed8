-- Issue 11: reads and writes at the speed of PostgreSQL.
-- 1. The daily roll-up keeps the write_seq its latest value came from, so concurrent writers of one day
--    merge by "highest write_seq wins" instead of rebuilding the day under a lock on the whole indicator.
UPDATE indicator_daily d SET latest_seq = o.seq
FROM (SELECT indicator_id, region_id, stage_id, observed_on, max(write_seq) AS seq FROM observations GROUP BY 1, 2, 3, 4) o
WHERE d.indicator_id = o.indicator_id AND d.region_id = o.region_id AND d.stage_id = o.stage_id AND d.observed_on = o.observed_on;
--> statement-breakpoint
-- 2. The monthly roll-up, from the daily one.
INSERT INTO indicator_monthly (indicator_id, region_id, stage_id, month, sum_value, observation_count)
SELECT indicator_id, region_id, stage_id, date_trunc('month', observed_on::timestamp)::date, trim_scale(sum(sum_value)), sum(observation_count)::int
FROM indicator_daily
GROUP BY 1, 2, 3, 4;
--> statement-breakpoint
-- Room on every page for the next version of a row: a roll-up row is updated in place (HOT, no index entry) by
-- every batch that touches its day or month.
ALTER TABLE indicator_daily SET (fillfactor = 80);
--> statement-breakpoint
ALTER TABLE indicator_monthly SET (fillfactor = 50);
--> statement-breakpoint
-- 3. Each plan's data version. Observation writes bump their plan's version in their own transaction (the hub
--    does it); whatever changes a plan's structure (a plan load: plans, projects, indicators, stages, regions,
--    links, agency names) bumps every plan's version, by these statement triggers, in the same transaction as the
--    change. Readers read the version first, then the figures: what they compute is at least as new as the
--    version they keep it under.
INSERT INTO plan_data_versions (plan_id, version) SELECT id, 1 FROM plans ON CONFLICT (plan_id) DO NOTHING;
--> statement-breakpoint
CREATE FUNCTION bump_plan_data_versions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO plan_data_versions AS v (plan_id, version) SELECT id, 1 FROM plans
  ON CONFLICT (plan_id) DO UPDATE SET version = v.version + 1;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER plans_data_version AFTER INSERT OR UPDATE OR DELETE ON plans FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER plan_regions_data_version AFTER INSERT OR UPDATE OR DELETE ON plan_regions FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER projects_data_version AFTER INSERT OR UPDATE OR DELETE ON projects FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER project_agencies_data_version AFTER INSERT OR UPDATE OR DELETE ON project_agencies FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER indicators_data_version AFTER INSERT OR UPDATE OR DELETE ON indicators FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER indicator_stages_data_version AFTER INSERT OR UPDATE OR DELETE ON indicator_stages FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
CREATE TRIGGER regions_data_version AFTER INSERT OR UPDATE OR DELETE ON regions FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
-- an agency's webhook settings are not figures: only its code and names are
CREATE TRIGGER agencies_data_version AFTER INSERT OR DELETE OR UPDATE OF code, name, name_en ON agencies FOR EACH STATEMENT EXECUTE FUNCTION bump_plan_data_versions();
--> statement-breakpoint
-- 4. The BI function reads the roll-ups as the API does: a few rows per series, not every day up to the date.
--    The same figures as before (the rules of 0006), only found faster.
CREATE OR REPLACE FUNCTION bi.indicator_progress_at(p_plan text, p_as_of date)
RETURNS TABLE (
  plan_code text, as_of date, project_number integer, project_title text, indicator_code text, indicator_name text,
  unit text, kind text, weight numeric, region_code text, region_name text, is_city boolean, target numeric, baseline numeric,
  value numeric, percent numeric, percent_exact numeric, expected_percent numeric, achieved boolean, status text,
  last_observed_on date, share_of_city numeric, scored boolean, reported_by text
)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
-- each series (indicator, unit, stage) as of the date: its last day with data is one probe of the daily
-- roll-up; a sum is the months before the date's month plus the days of its month up to the date
series AS (
  SELECT s.indicator_id, s.region_id, s.stage_id, t.sum_v, l.latest_value AS latest_v, l.observed_on AS last_on
  FROM (
    SELECT i.id AS indicator_id, i.accumulation, r.id AS region_id, coalesce(st.id, 0) AS stage_id
    FROM indicators i
    CROSS JOIN plan_region r
    LEFT JOIN indicator_stages st ON st.indicator_id = i.id AND i.accumulation = 'STAGES'
    WHERE i.plan_id = (SELECT id FROM plan) AND i.accumulation <> 'DERIVED'
  ) s
  CROSS JOIN LATERAL (
    SELECT d.observed_on, d.latest_value FROM indicator_daily d
    WHERE d.indicator_id = s.indicator_id AND d.region_id = s.region_id AND d.stage_id = s.stage_id AND d.observed_on <= p_as_of
    ORDER BY d.observed_on DESC LIMIT 1
  ) l
  CROSS JOIN LATERAL (
    SELECT CASE WHEN s.accumulation = 'SUM' THEN
      coalesce((SELECT sum(m.sum_value) FROM indicator_monthly m
                WHERE m.indicator_id = s.indicator_id AND m.region_id = s.region_id AND m.stage_id = s.stage_id
                  AND m.month < date_trunc('month', p_as_of::timestamp)::date), 0)
      + coalesce((SELECT sum(d.sum_value) FROM indicator_daily d
                  WHERE d.indicator_id = s.indicator_id AND d.region_id = s.region_id AND d.stage_id = s.stage_id
                    AND d.observed_on >= date_trunc('month', p_as_of::timestamp)::date AND d.observed_on <= p_as_of), 0)
    END AS sum_v
  ) t
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
