CREATE TABLE "daily_sequences" (
	"user_id" uuid NOT NULL,
	"day" date NOT NULL,
	"trade_count" integer NOT NULL,
	"net_pnl" numeric NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"last_at" timestamp with time zone NOT NULL,
	"min_prefix" numeric NOT NULL,
	"min_k" integer NOT NULL,
	"min_at" timestamp with time zone NOT NULL,
	"max_drawdown" numeric NOT NULL,
	"drawdown_k" integer NOT NULL,
	"drawdown_at" timestamp with time zone NOT NULL,
	"ladder_k" integer[] NOT NULL,
	"ladder_pnl" numeric[] NOT NULL,
	"ladder_at" timestamp with time zone[] NOT NULL,
	"lead_outcome" smallint NOT NULL,
	"lead_run" integer NOT NULL,
	"trail_outcome" smallint NOT NULL,
	"trail_run" integer NOT NULL,
	"max_win_run" integer NOT NULL,
	"max_loss_run" integer NOT NULL,
	CONSTRAINT "daily_sequences_user_id_day_pk" PRIMARY KEY("user_id","day")
);
--> statement-breakpoint
ALTER TABLE "daily_aggregate_states" ADD COLUMN "sequences_built" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "daily_sequences" ADD CONSTRAINT "daily_sequences_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "trades_user_closed_risk_idx" ON "trades" USING btree ("user_id","closed_at") WHERE "trades"."status" = 'closed' and ("trades"."initial_risk" is not null or "trades"."stop_price" is not null);