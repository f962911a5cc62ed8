CREATE TABLE "indicator_monthly" (
	"indicator_id" integer NOT NULL,
	"region_id" integer NOT NULL,
	"stage_id" integer NOT NULL,
	"month" date NOT NULL,
	"sum_value" numeric NOT NULL,
	"observation_count" integer NOT NULL,
	CONSTRAINT "indicator_monthly_indicator_id_region_id_stage_id_month_pk" PRIMARY KEY("indicator_id","region_id","stage_id","month")
);
--> statement-breakpoint
CREATE TABLE "plan_data_versions" (
	"plan_id" integer PRIMARY KEY NOT NULL,
	"version" bigint DEFAULT 1 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "indicator_daily" ADD COLUMN "latest_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "indicator_monthly" ADD CONSTRAINT "indicator_monthly_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plan_data_versions" ADD CONSTRAINT "plan_data_versions_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;