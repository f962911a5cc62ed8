CREATE TYPE "public"."accumulation" AS ENUM('SUM', 'LATEST', 'DERIVED', 'STAGES');--> statement-breakpoint
CREATE TYPE "public"."agency_role" AS ENUM('LEAD', 'RESPONSIBLE');--> statement-breakpoint
CREATE TYPE "public"."indicator_kind" AS ENUM('TARGET', 'THRESHOLD', 'LEVEL', 'MILESTONE', 'TRACKED');--> statement-breakpoint
CREATE TYPE "public"."region_aggregation" AS ENUM('SUM', 'MIN', 'MAX', 'RATIO');--> statement-breakpoint
CREATE TYPE "public"."region_level" AS ENUM('CITY', 'COUNTY', 'ZONE');--> statement-breakpoint
CREATE TYPE "public"."threshold_direction" AS ENUM('AT_LEAST', 'AT_MOST');--> statement-breakpoint
CREATE TYPE "public"."client_role" AS ENUM('AGENCY', 'BI', 'OFFICE');--> statement-breakpoint
CREATE TABLE "agencies" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"name_en" text NOT NULL,
	"webhook_url" text,
	"webhook_secret" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agencies_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "indicator_stages" (
	"id" serial PRIMARY KEY NOT NULL,
	"indicator_id" integer NOT NULL,
	"code" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"weight" numeric NOT NULL
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"project_id" integer NOT NULL,
	"code" text NOT NULL,
	"position" integer NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"unit" text NOT NULL,
	"kind" "indicator_kind" NOT NULL,
	"accumulation" "accumulation" NOT NULL,
	"region_aggregation" "region_aggregation" NOT NULL,
	"direction" "threshold_direction" DEFAULT 'AT_LEAST' NOT NULL,
	"target" numeric,
	"baseline" numeric,
	"weight" numeric DEFAULT '1' NOT NULL,
	"allow_negative" integer DEFAULT 0 NOT NULL,
	"numerator_id" integer,
	"denominator_id" integer,
	"note" text DEFAULT '' NOT NULL,
	CONSTRAINT "indicators_weight_positive" CHECK ("indicators"."weight" >= 0)
);
--> statement-breakpoint
CREATE TABLE "plan_regions" (
	"plan_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "plan_regions_plan_id_region_id_pk" PRIMARY KEY("plan_id","region_id")
);
--> statement-breakpoint
CREATE TABLE "plans" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"title" text NOT NULL,
	"document_number" text NOT NULL,
	"issued_on" date NOT NULL,
	"period_start" date NOT NULL,
	"period_end" date NOT NULL,
	"time_zone" text NOT NULL,
	"city_region_id" integer NOT NULL,
	"office_agency_id" integer,
	"content_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plans_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "project_agencies" (
	"project_id" integer NOT NULL,
	"agency_id" integer NOT NULL,
	"role" "agency_role" NOT NULL,
	"position" integer NOT NULL,
	CONSTRAINT "project_agencies_project_id_agency_id_role_pk" PRIMARY KEY("project_id","agency_id","role")
);
--> statement-breakpoint
CREATE TABLE "projects" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"number" integer NOT NULL,
	"title" text NOT NULL,
	"summary" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE TABLE "regions" (
	"id" serial PRIMARY KEY NOT NULL,
	"code" text NOT NULL,
	"name" text NOT NULL,
	"level" "region_level" NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "regions_code_unique" UNIQUE("code")
);
--> statement-breakpoint
CREATE TABLE "reporting_rounds" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"due_on" date NOT NULL,
	"title" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_clients" (
	"id" serial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"token_prefix" text NOT NULL,
	"role" "client_role" NOT NULL,
	"agency_id" integer,
	"label" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_clients_tokenHash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "indicator_daily" (
	"indicator_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"stage_id" integer NOT NULL,
	"observed_on" date NOT NULL,
	"sum_value" numeric NOT NULL,
	"latest_value" numeric NOT NULL,
	"observation_count" integer NOT NULL,
	"last_received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "indicator_daily_indicator_id_region_id_stage_id_observed_on_pk" PRIMARY KEY("indicator_id","region_id","stage_id","observed_on")
);
--> statement-breakpoint
CREATE TABLE "observation_revisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"observation_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"region_id" integer NOT NULL,
	"stage_id" integer NOT NULL,
	"observed_on" date NOT NULL,
	"value" numeric NOT NULL,
	"previous_value" numeric,
	"submitted_value" text NOT NULL,
	"submitted_unit" text,
	"note" text,
	"client_id" integer,
	"feed_run_id" bigint,
	"recorded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "observations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"indicator_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"stage_id" integer DEFAULT 0 NOT NULL,
	"observed_on" date NOT NULL,
	"value" numeric NOT NULL,
	"source" text NOT NULL,
	"ref" text NOT NULL,
	"note" text,
	"revision" integer DEFAULT 1 NOT NULL,
	"client_id" integer,
	"feed_run_id" bigint,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "indicator_stages" ADD CONSTRAINT "indicator_stages_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_regions" ADD CONSTRAINT "plan_regions_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_regions" ADD CONSTRAINT "plan_regions_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_city_region_id_regions_id_fk" FOREIGN KEY ("city_region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plans" ADD CONSTRAINT "plans_office_agency_id_agencies_id_fk" FOREIGN KEY ("office_agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_agencies" ADD CONSTRAINT "project_agencies_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "project_agencies" ADD CONSTRAINT "project_agencies_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "projects" ADD CONSTRAINT "projects_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reporting_rounds" ADD CONSTRAINT "reporting_rounds_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_clients" ADD CONSTRAINT "api_clients_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_daily" ADD CONSTRAINT "indicator_daily_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observation_revisions" ADD CONSTRAINT "observation_revisions_observation_id_observations_id_fk" FOREIGN KEY ("observation_id") REFERENCES "public"."observations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_region_id_regions_id_fk" FOREIGN KEY ("region_id") REFERENCES "public"."regions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "observations" ADD CONSTRAINT "observations_client_id_api_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_stages_code_uq" ON "indicator_stages" USING btree ("indicator_id","code");--> statement-breakpoint
CREATE UNIQUE INDEX "indicators_plan_code_uq" ON "indicators" USING btree ("plan_id","code");--> statement-breakpoint
CREATE INDEX "indicators_project_idx" ON "indicators" USING btree ("project_id");--> statement-breakpoint
CREATE INDEX "project_agencies_agency_idx" ON "project_agencies" USING btree ("agency_id");--> statement-breakpoint
CREATE UNIQUE INDEX "projects_plan_number_uq" ON "projects" USING btree ("plan_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "reporting_rounds_plan_due_uq" ON "reporting_rounds" USING btree ("plan_id","due_on");--> statement-breakpoint
CREATE INDEX "api_clients_agency_idx" ON "api_clients" USING btree ("agency_id");--> statement-breakpoint
CREATE UNIQUE INDEX "observation_revisions_uq" ON "observation_revisions" USING btree ("observation_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "observations_key_uq" ON "observations" USING btree ("indicator_id","source","ref");--> statement-breakpoint
CREATE INDEX "observations_series_idx" ON "observations" USING btree ("indicator_id","region_id","stage_id","observed_on");