CREATE TYPE "public"."delivery_status" AS ENUM('NONE', 'PENDING', 'DELIVERED', 'FAILED');--> statement-breakpoint
CREATE TYPE "public"."notification_kind" AS ENUM('REMINDER_7D', 'REMINDER_3D', 'REMINDER_1D', 'REMINDER_DUE', 'ESCALATION');--> statement-breakpoint
CREATE TABLE "notifications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedupe_key" text NOT NULL,
	"agency_id" integer NOT NULL,
	"plan_id" integer NOT NULL,
	"round_id" integer NOT NULL,
	"kind" "notification_kind" NOT NULL,
	"title" text NOT NULL,
	"body" text NOT NULL,
	"payload" jsonb NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"read_at" timestamp with time zone,
	"delivery_status" "delivery_status" NOT NULL,
	"delivery_attempts" integer DEFAULT 0 NOT NULL,
	"delivery_error" text,
	"delivered_at" timestamp with time zone,
	CONSTRAINT "notifications_dedupeKey_unique" UNIQUE("dedupe_key")
);
--> statement-breakpoint
CREATE TABLE "progress_report_revisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_id" bigint NOT NULL,
	"revision" integer NOT NULL,
	"text" text NOT NULL,
	"links" jsonb NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"late" boolean NOT NULL,
	"client_id" integer
);
--> statement-breakpoint
CREATE TABLE "progress_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"round_id" integer NOT NULL,
	"project_id" integer NOT NULL,
	"agency_id" integer NOT NULL,
	"text" text NOT NULL,
	"links" jsonb NOT NULL,
	"revision" integer NOT NULL,
	"submitted_at" timestamp with time zone NOT NULL,
	"revised_at" timestamp with time zone NOT NULL,
	"on_time" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_plan_id_plans_id_fk" FOREIGN KEY ("plan_id") REFERENCES "public"."plans"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notifications" ADD CONSTRAINT "notifications_round_id_reporting_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."reporting_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_report_revisions" ADD CONSTRAINT "progress_report_revisions_report_id_progress_reports_id_fk" FOREIGN KEY ("report_id") REFERENCES "public"."progress_reports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_report_revisions" ADD CONSTRAINT "progress_report_revisions_client_id_api_clients_id_fk" FOREIGN KEY ("client_id") REFERENCES "public"."api_clients"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_round_id_reporting_rounds_id_fk" FOREIGN KEY ("round_id") REFERENCES "public"."reporting_rounds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_project_id_projects_id_fk" FOREIGN KEY ("project_id") REFERENCES "public"."projects"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "progress_reports" ADD CONSTRAINT "progress_reports_agency_id_agencies_id_fk" FOREIGN KEY ("agency_id") REFERENCES "public"."agencies"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "notifications_agency_idx" ON "notifications" USING btree ("agency_id","id");--> statement-breakpoint
CREATE INDEX "notifications_delivery_idx" ON "notifications" USING btree ("delivery_status");--> statement-breakpoint
CREATE UNIQUE INDEX "progress_report_revisions_uq" ON "progress_report_revisions" USING btree ("report_id","revision");--> statement-breakpoint
CREATE UNIQUE INDEX "progress_reports_uq" ON "progress_reports" USING btree ("round_id","project_id","agency_id");