CREATE TYPE "public"."reporting_level" AS ENUM('REGIONS', 'CITY', 'BOTH');--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "reported_by" "reporting_level" DEFAULT 'BOTH' NOT NULL;--> statement-breakpoint
ALTER TABLE "indicators" ADD COLUMN "region_targets" jsonb DEFAULT '{}'::jsonb NOT NULL;