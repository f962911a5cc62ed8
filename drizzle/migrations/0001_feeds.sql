CREATE TYPE "public"."feed_format" AS ENUM('JSON', 'CSV', 'GRAPHQL');--> statement-breakpoint
CREATE TYPE "public"."feed_run_status" AS ENUM('QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."feed_run_trigger" AS ENUM('SCHEDULE', 'MANUAL');--> statement-breakpoint
CREATE TABLE "feed_rejections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"feed_run_id" bigint NOT NULL,
	"page" integer NOT NULL,
	"record_index" integer NOT NULL,
	"raw" jsonb NOT NULL,
	"field" text,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "feed_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"feed_id" integer NOT NULL,
	"job_id" text NOT NULL,
	"trigger" "feed_run_trigger" NOT NULL,
	"status" "feed_run_status" NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"fetched" integer DEFAULT 0 NOT NULL,
	"accepted" integer DEFAULT 0 NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"revised" integer DEFAULT 0 NOT NULL,
	"unchanged" integer DEFAULT 0 NOT NULL,
	"rejected" integer DEFAULT 0 NOT NULL,
	"error" text,
	"cursor_before" text,
	"cursor_after" text,
	"resume_state" jsonb
);
--> statement-breakpoint
CREATE TABLE "feeds" (
	"id" serial PRIMARY KEY NOT NULL,
	"plan_id" integer NOT NULL,
	"agency_id" integer NOT NULL,
	"name" text NOT NULL,
	"url" text NOT NULL,
	"format" "feed_format" NOT NULL,
	"records_path" text,
	"graphql_query" text,
	"graphql_variables" jsonb,
	"auth_header_name" text,
	"auth_header_value" text,
	"schedule" text NOT NULL,
	"time_zone" text NOT NULL,
	"pagination" jsonb NOT NULL,
	"incremental" jsonb,
	"mapping" jsonb NOT NULL,
	"cursor" text,
	"enabled" boolean DEFAULT true NOT NULL,
	"timeout_ms" integer NOT NULL,
	"max_bytes" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "feed_rejections" ADD CONSTRAINT "feed_rejections_feed_run_id_feed_runs_id_fk" FOREIGN KEY ("feed_run_id") REFERENCES "public"."feed_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feed_runs" ADD CONSTRAINT "feed_runs_feed_id_feeds_id_fk" FOREIGN KEY ("feed_id") REFERENCES "public"."feeds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feeds" ADD CONSTRAINT "feeds_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "feeds" ADD CONSTRAINT "feeds_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "feed_rejections_run_idx" ON "feed_rejections" USING btree ("feed_run_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "feed_runs_job_uq" ON "feed_runs" USING btree ("feed_id","job_id");--> statement-breakpoint
CREATE INDEX "feed_runs_feed_idx" ON "feed_runs" USING btree ("feed_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "feeds_plan_name_uq" ON "feeds" USING btree ("plan_id","name");