-- The bi schema is what a BI tool's own PostgreSQL role reads, and nothing else: `npm run cli -- bi grant <role>`
-- grants USAGE on bi, SELECT on its views and EXECUTE on its functions, no grant on any base table (where webhook
-- secrets, feed auth headers and token hashes live). The views read the base tables with their owner's rights, as every
-- PostgreSQL view does; the functions they call are made SECURITY DEFINER here, with a fixed search_path (the hub's
-- tables are in public; pg_temp last, so a caller's temporary tables cannot stand in for them).
ALTER FUNCTION bi.indicator_progress_at(text, date) SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION bi.project_progress_at(text, date) SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION bi.plan_progress_at(text, date) SECURITY DEFINER SET search_path = public, pg_temp;
--> statement-breakpoint
-- functions are executable by PUBLIC by default: only roles given `bi grant` may call these
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA bi FROM PUBLIC;
--> statement-breakpoint
-- no view hides rows from its reader today; security_barrier keeps a reader's own functions from seeing rows a
-- view's joins and filters drop, should one ever filter by who reads
ALTER VIEW bi.observations_daily SET (security_barrier = true);
--> statement-breakpoint
ALTER VIEW bi.indicator_progress SET (security_barrier = true);
--> statement-breakpoint
ALTER VIEW bi.project_progress SET (security_barrier = true);
--> statement-breakpoint
ALTER VIEW bi.plan_progress SET (security_barrier = true);
--> statement-breakpoint
COMMENT ON SCHEMA bi IS 'Views and functions for BI tools (FineBI, Superset, Metabase, Power BI): the same figures as the GraphQL API. Grant a role access with npm run cli -- bi grant <role>.';
--> statement-breakpoint
COMMENT ON VIEW bi.observations_daily IS 'The daily roll-up of every observation, with codes and names: one row per plan, indicator, reporting unit, milestone stage and day with data. Figures are exact decimals.';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.plan_code IS 'the plan''s code, e.g. shangrao-2023';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.project_number IS 'the project number within the plan (1, 2, …)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.indicator_code IS 'the indicator code "N.M" (project number, indicator number)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.indicator_name IS 'the indicator name as in the plan';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.unit IS 'the indicator''s unit (亿元, 个, 人, %, …); every value is in it';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.region_code IS 'the reporting unit: a county or zone code, or 361100 for 市本级 (the city-level unit)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.region_name IS 'the reporting unit name';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.stage_code IS 'the milestone stage (MILESTONE indicators); null for every other kind';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.observed_on IS 'the day the figures are dated (the observation date, not when it was received)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.sum_value IS 'the sum of the day''s current values (what SUM indicators accumulate)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.latest_value IS 'the value received last for that day (what LATEST indicators and milestone stages take)';
--> statement-breakpoint
COMMENT ON COLUMN bi.observations_daily.observation_count IS 'how many current observations (latest revisions) make up the row';
--> statement-breakpoint
COMMENT ON VIEW bi.indicator_progress IS 'Every indicator of every plan as of today in the plan''s time zone: one 全市 row (region_code ALL) and one row per reporting unit. The same figures as the GraphQL API (README: How progress is computed); bi.indicator_progress_at replays a past date.';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.plan_code IS 'the plan''s code, e.g. shangrao-2023';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.as_of IS 'the date the figures are as of (the views: today in the plan''s time zone by the database clock)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.project_number IS 'the project number within the plan (1, 2, …)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.project_title IS 'the project title as in the plan';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.indicator_code IS 'the indicator code "N.M"';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.indicator_name IS 'the indicator name as in the plan';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.unit IS 'the indicator''s unit; value and target are in it';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.kind IS 'TARGET, THRESHOLD (a bound such as ≥ 95 %), LEVEL (a standard), MILESTONE (weighted stages) or TRACKED (shown, never scored)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.weight IS 'the indicator''s weight in its project''s mean';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.region_code IS 'ALL for 全市 (every unit that reported, 市本级 included), else the reporting unit code (361100 is 市本级)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.region_name IS '全市, or the reporting unit name';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.is_city IS 'true on the 全市 row';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.target IS 'the target the row is judged against: for TARGET indicators a unit''s own decomposed target (null: none, the unit is not scored), else the plan''s target';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.baseline IS 'the starting level of a LEVEL indicator; null where none is given';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.value IS 'the value as of as_of: the sum (SUM), the latest value (LATEST), the weights of the stages done (MILESTONE) or a ratio in percent to six decimals (derived); null: no data';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.percent IS 'progress in percent, rounded half-up to two decimals; not capped (187.9 is shown)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.percent_exact IS 'progress in percent, unrounded';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.expected_percent IS 'progress expected by as_of: the share of the plan period elapsed, in whole days, two decimals (100 for THRESHOLD bounds, which hold all year)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.achieved IS 'the target is met (for a bound: the value is within it)';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.status IS 'ACHIEVED, ON_TRACK, LAGGING (at most 10 points behind; a bound: at 90 % of it or more), BEHIND, NO_DATA or NOT_SCORED';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.last_observed_on IS 'the latest day with data up to as_of';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.share_of_city IS 'a unit''s share of 全市 in percent (占全市), for indicators that add up; null on the 全市 row';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.scored IS 'whether the row has a percent: false for TRACKED indicators, units without a decomposed target, and units that do not report the indicator';
--> statement-breakpoint
COMMENT ON COLUMN bi.indicator_progress.reported_by IS 'who reports the indicator: REGIONS (counties and zones), CITY (市本级) or BOTH';
--> statement-breakpoint
COMMENT ON VIEW bi.project_progress IS 'Every project of every plan as of today in the plan''s time zone: the weighted mean of its scored indicators at 全市, each capped at 100, an indicator without data counting 0. bi.project_progress_at replays a past date.';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.plan_code IS 'the plan''s code, e.g. shangrao-2023';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.as_of IS 'the date the figures are as of (the views: today in the plan''s time zone by the database clock)';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.project_number IS 'the project number within the plan (1, 2, …)';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.project_title IS 'the project title as in the plan';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.lead_agencies IS 'the names of the lead agencies (牵头单位), joined with 、';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.percent IS 'progress in percent, rounded half-up to two decimals; null when no scored indicator has data';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.percent_exact IS 'progress in percent, unrounded';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.expected_percent IS 'progress expected by as_of: the share of the plan period elapsed, in whole days, two decimals (100 for THRESHOLD bounds, which hold all year)';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.achieved IS 'every scored indicator is achieved';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.status IS 'ACHIEVED, ON_TRACK, LAGGING (at most 10 points behind), BEHIND, NO_DATA (no scored indicator has data) or NOT_SCORED (TRACKED indicators only)';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.indicators_with_data IS 'how many scored indicators have data';
--> statement-breakpoint
COMMENT ON COLUMN bi.project_progress.indicators_scored IS 'how many indicators are scored (all but TRACKED ones)';
--> statement-breakpoint
COMMENT ON VIEW bi.plan_progress IS 'Every plan as of today in its time zone: the mean of its scored projects (a project without data counts 0; projects of TRACKED indicators only are left out). bi.plan_progress_at replays a past date.';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.plan_code IS 'the plan''s code, e.g. shangrao-2023';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.as_of IS 'the date the figures are as of (the views: today in the plan''s time zone by the database clock)';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.percent IS 'progress in percent, rounded half-up to two decimals; null when no project has data';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.percent_exact IS 'progress in percent, unrounded';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.expected_percent IS 'progress expected by as_of: the share of the plan period elapsed, in whole days, two decimals (100 for THRESHOLD bounds, which hold all year)';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.achieved IS 'every scored project is achieved';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.status IS 'ACHIEVED, ON_TRACK, LAGGING (at most 10 points behind), BEHIND, NO_DATA or NOT_SCORED';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.projects_with_data IS 'how many scored projects have data';
--> statement-breakpoint
COMMENT ON COLUMN bi.plan_progress.projects_scored IS 'how many projects are scored';
--> statement-breakpoint
COMMENT ON FUNCTION bi.indicator_progress_at(text, date) IS 'Every indicator of plan p_plan as of the date p_as_of (a past date replays exactly what was known): the columns of bi.indicator_progress. Runs with its owner''s rights: the caller needs no grant on the hub''s tables.';
--> statement-breakpoint
COMMENT ON FUNCTION bi.project_progress_at(text, date) IS 'Every project of plan p_plan as of the date p_as_of: the columns of bi.project_progress. Runs with its owner''s rights.';
--> statement-breakpoint
COMMENT ON FUNCTION bi.plan_progress_at(text, date) IS 'Plan p_plan as of the date p_as_of: the columns of bi.plan_progress. Runs with its owner''s rights.';
