CREATE TABLE "import_staging" (
	"import_id" uuid NOT NULL,
	"ord" bigint NOT NULL,
	"line" integer NOT NULL,
	"account_id" uuid,
	"account_ref" text,
	"instrument_key" text NOT NULL,
	"executed_at" timestamp (6) with time zone NOT NULL,
	"symbol" text NOT NULL,
	"asset_class" text NOT NULL,
	"side" text NOT NULL,
	"quantity" numeric NOT NULL,
	"price" numeric NOT NULL,
	"commission" numeric NOT NULL,
	"fees" numeric NOT NULL,
	"multiplier" numeric NOT NULL,
	"currency" text,
	"broker_exec_id" text,
	"underlying" text,
	"expiry" date,
	"strike" numeric,
	"option_right" text,
	"content_key" text NOT NULL,
	CONSTRAINT "import_staging_ord_positive" CHECK ("import_staging"."ord" >= 0)
);
--> statement-breakpoint
CREATE TABLE "imports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"account_id" uuid,
	"status" text DEFAULT 'queued' NOT NULL,
	"broker_requested" text NOT NULL,
	"broker" text,
	"timezone" text NOT NULL,
	"on_invalid" text NOT NULL,
	"file_name" text,
	"file_bytes" bigint NOT NULL,
	"file_sha256" text NOT NULL,
	"bytes_read" bigint DEFAULT 0 NOT NULL,
	"rows_read" integer DEFAULT 0 NOT NULL,
	"executions_parsed" integer DEFAULT 0 NOT NULL,
	"executions_added" integer DEFAULT 0 NOT NULL,
	"duplicates_skipped" integer DEFAULT 0 NOT NULL,
	"invalid_rows" integer DEFAULT 0 NOT NULL,
	"ignored_rows" integer DEFAULT 0 NOT NULL,
	"accounts_created" integer DEFAULT 0 NOT NULL,
	"row_errors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"failure" jsonb,
	"created_at" timestamp (6) with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"heartbeat_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "import_staging" ADD CONSTRAINT "import_staging_import_id_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."imports"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "imports" ADD CONSTRAINT "imports_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "import_staging_import_idx" ON "import_staging" USING btree ("import_id","ord");--> statement-breakpoint
CREATE INDEX "imports_user_created_idx" ON "imports" USING btree ("user_id","created_at","id");--> statement-breakpoint
CREATE INDEX "imports_running_idx" ON "imports" USING btree ("status","heartbeat_at") WHERE "imports"."status" in ('queued', 'parsing', 'writing');