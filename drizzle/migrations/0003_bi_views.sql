-- Views and functions for BI tools that connect to PostgreSQL directly (FineBI, Superset, Metabase, Power BI).
-- They compute exactly what the GraphQL API computes (README: "How progress is computed").
CREATE SCHEMA IF NOT EXISTS bi;
--> statement-breakpoint
-- The daily roll-up with codes and names: one row per indicator, region (and stage) and day with data.
CREATE VIEW bi.observations_daily AS
SELECT p.code AS plan_code, pr.number AS project_number, i.code AS indicator_code, i.name AS indicator_name, i.unit,
       r.code AS region_code, r.name AS region_name, st.code AS stage_code, d.observed_on,
       trim_scale(d.sum_value) AS sum_value, trim_scale(d.latest_value) AS latest_value, d.observation_count
FROM indicator_daily d
JOIN indicators i ON i.id = d.indicator_id
JOIN plans p ON p.id = i.plan_id
JOIN projects pr ON pr.id = i.project_id
JOIN regions r ON r.id = d.region_id
LEFT JOIN indicator_stages st ON st.id = d.stage_id;
--> statement-breakpoint
-- Every indicator of a plan in every region of the plan, as of a date (the city scope is region 361100).
CREATE FUNCTION bi.indicator_progress_at(p_plan text, p_as_of date)
RETURNS TABLE (
  plan_code text, as_of date, project_number integer, project_title text, indicator_code text, indicator_name text,
  unit text, kind text, weight numeric, region_code text, region_name text, is_city boolean, target numeric, baseline numeric,
  value numeric, percent numeric, percent_exact numeric, expected_percent numeric, achieved boolean, status text, last_observed_on date
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
series AS (
  SELECT d.indicator_id, d.region_id, d.stage_id, sum(d.sum_value) AS sum_v,
         (array_agg(d.latest_value ORDER BY d.observed_on DESC))[1] AS latest_v, max(d.observed_on) AS last_on
  FROM indicator_daily d JOIN indicators i ON i.id = d.indicator_id
  WHERE i.plan_id = (SELECT id FROM plan) AND d.observed_on <= p_as_of
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
  -- the city has no series of its own: aggregate the regions that reported
  SELECT o.indicator_id, plan.city_region_id,
         CASE i.region_aggregation WHEN 'MIN' THEN min(o.value) WHEN 'MAX' THEN max(o.value) ELSE sum(o.value) END,
         max(o.last_on)
  FROM own o JOIN indicators i ON i.id = o.indicator_id CROSS JOIN plan
  WHERE o.region_id <> plan.city_region_id
    AND o.region_id IN (SELECT id FROM plan_region)
    AND NOT EXISTS (SELECT 1 FROM own c WHERE c.indicator_id = o.indicator_id AND c.region_id = plan.city_region_id)
  GROUP BY o.indicator_id, plan.city_region_id, i.region_aggregation
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
scored AS (
  SELECT v.indicator_id, v.region_id, v.value, v.last_on,
         CASE i.kind
           WHEN 'TARGET' THEN v.value * 100 / i.target
           WHEN 'THRESHOLD' THEN CASE WHEN i.direction = 'AT_MOST'
                                      THEN CASE WHEN v.value <= i.target THEN 100 ELSE i.target * 100 / v.value END
                                      ELSE v.value * 100 / i.target END
           WHEN 'LEVEL' THEN CASE WHEN i.baseline IS NULL THEN CASE WHEN v.value >= i.target THEN 100 ELSE 0 END
                                  ELSE (v.value - i.baseline) * 100 / (i.target - i.baseline) END
           WHEN 'MILESTONE' THEN v.value
         END AS pct,
         CASE i.kind
           WHEN 'TRACKED' THEN false
           WHEN 'MILESTONE' THEN v.value >= 100
           WHEN 'THRESHOLD' THEN CASE WHEN i.direction = 'AT_MOST' THEN v.value <= i.target ELSE v.value >= i.target END
           ELSE v.value >= i.target
         END AS achieved
  FROM valued v JOIN indicators i ON i.id = v.indicator_id
)
SELECT plan.code, p_as_of, pr.number, pr.title, i.code, i.name, i.unit, i.kind::text, i.weight, r.code, r.name,
       r.id = plan.city_region_id, i.target, i.baseline,
       CASE WHEN i.accumulation = 'DERIVED' THEN trim_scale(round(s.value, 6)) ELSE trim_scale(s.value) END,
       round(s.pct, 2), s.pct, e.pct, coalesce(s.achieved, false),
       CASE WHEN s.value IS NULL THEN 'NO_DATA'
            WHEN s.achieved THEN 'ACHIEVED'
            WHEN s.pct IS NULL THEN 'ON_TRACK'
            WHEN round(s.pct, 2) >= e.pct THEN 'ON_TRACK'
            WHEN e.pct - round(s.pct, 2) <= 10 THEN 'LAGGING'
            ELSE 'BEHIND' END,
       s.last_on
FROM plan
CROSS JOIN expected e
JOIN indicators i ON i.plan_id = plan.id
JOIN projects pr ON pr.id = i.project_id
CROSS JOIN plan_region r
LEFT JOIN scored s ON s.indicator_id = i.id AND s.region_id = r.id
ORDER BY i.position, r.position
$$;
--> statement-breakpoint
-- Every project of a plan as of a date: the weighted mean of its indicators' percents, each capped at 100.
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
rolled AS (
  SELECT project_number, project_title, max(expected_percent) AS expected,
         CASE WHEN count(*) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL) = 0 THEN NULL
              WHEN sum(weight) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL) = 0
                THEN avg(least(percent_exact, 100)) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL)
              ELSE sum(least(percent_exact, 100) * weight) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL)
                   / sum(weight) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL) END AS pct,
         count(*) FILTER (WHERE kind <> 'TRACKED') > 0 AND coalesce(bool_and(achieved) FILTER (WHERE kind <> 'TRACKED'), false) AS achieved,
         (count(*) FILTER (WHERE kind <> 'TRACKED' AND percent_exact IS NOT NULL))::int AS with_data,
         (count(*) FILTER (WHERE kind <> 'TRACKED'))::int AS scored
  FROM city GROUP BY project_number, project_title
)
SELECT p_plan, p_as_of, r.project_number, r.project_title,
       (SELECT string_agg(a.name, '、' ORDER BY pa.position) FROM projects pr JOIN plans pl ON pl.id = pr.plan_id
          JOIN project_agencies pa ON pa.project_id = pr.id AND pa.role = 'LEAD' JOIN agencies a ON a.id = pa.agency_id
         WHERE pl.code = p_plan AND pr.number = r.project_number),
       round(r.pct, 2), r.pct, r.expected, r.achieved,
       CASE WHEN r.pct IS NULL THEN 'NO_DATA'
            WHEN r.achieved THEN 'ACHIEVED'
            WHEN round(r.pct, 2) >= r.expected THEN 'ON_TRACK'
            WHEN r.expected - round(r.pct, 2) <= 10 THEN 'LAGGING'
            ELSE 'BEHIND' END,
       r.with_data, r.scored
FROM rolled r ORDER BY r.project_number
$$;
--> statement-breakpoint
-- As of today in each plan's own time zone (by the database clock; use the *_at functions to replay a date).
CREATE VIEW bi.indicator_progress AS
SELECT f.* FROM plans p CROSS JOIN LATERAL bi.indicator_progress_at(p.code, (now() AT TIME ZONE p.time_zone)::date) f;
--> statement-breakpoint
CREATE VIEW bi.project_progress AS
SELECT f.* FROM plans p CROSS JOIN LATERAL bi.project_progress_at(p.code, (now() AT TIME ZONE p.time_zone)::date) f;
