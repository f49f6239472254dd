CREATE TABLE "daily_aggregate_states" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"timezone" text NOT NULL,
	"breakeven_tolerance" numeric NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_aggregates" (
	"user_id" uuid NOT NULL,
	"account_id" uuid NOT NULL,
	"symbol" text NOT NULL,
	"day" date NOT NULL,
	"trade_count" integer NOT NULL,
	"wins" integer NOT NULL,
	"losses" integer NOT NULL,
	"breakeven" integer NOT NULL,
	"net_pnl" numeric NOT NULL,
	"gross_pnl" numeric NOT NULL,
	"fees" numeric NOT NULL,
	"gross_profit" numeric NOT NULL,
	"gross_loss" numeric NOT NULL,
	"net_pnl_squares" numeric NOT NULL,
	"largest_win" numeric,
	"largest_loss" numeric,
	"hold_count" integer NOT NULL,
	"hold_seconds" bigint NOT NULL,
	"hold_count_win" integer NOT NULL,
	"hold_seconds_win" bigint NOT NULL,
	"hold_count_loss" integer NOT NULL,
	"hold_seconds_loss" bigint NOT NULL,
	CONSTRAINT "daily_aggregates_user_id_account_id_symbol_day_pk" PRIMARY KEY("user_id","account_id","symbol","day")
);
--> statement-breakpoint
ALTER TABLE "daily_aggregate_states" ADD CONSTRAINT "daily_aggregate_states_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_aggregates" ADD CONSTRAINT "daily_aggregates_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "daily_aggregates" ADD CONSTRAINT "daily_aggregates_account_id_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "daily_aggregates_user_day_idx" ON "daily_aggregates" USING btree ("user_id","day");--> statement-breakpoint
-- Backfill (the same definition as dailyGroups in src/modules/trades/trades.repository.ts): every existing user's
-- aggregates and the settings they were made with, so analytics can read them from the start.
INSERT INTO "daily_aggregates" ("user_id", "account_id", "symbol", "day", "trade_count", "wins", "losses", "breakeven", "net_pnl", "gross_pnl",
  "fees", "gross_profit", "gross_loss", "net_pnl_squares", "largest_win", "largest_loss", "hold_count", "hold_seconds", "hold_count_win",
  "hold_seconds_win", "hold_count_loss", "hold_seconds_loss")
SELECT user_id, account_id, symbol, day, count(*)::int, (count(*) FILTER (WHERE o = 1))::int, (count(*) FILTER (WHERE o = -1))::int,
       (count(*) FILTER (WHERE o = 0))::int, sum(net_pnl), sum(gross_pnl), sum(fees),
       coalesce(sum(net_pnl) FILTER (WHERE o = 1), 0), coalesce(sum(net_pnl) FILTER (WHERE o = -1), 0), sum(net_pnl * net_pnl),
       max(net_pnl) FILTER (WHERE o = 1), min(net_pnl) FILTER (WHERE o = -1),
       count(hold_seconds)::int, coalesce(sum(hold_seconds), 0)::bigint,
       (count(hold_seconds) FILTER (WHERE o = 1))::int, coalesce(sum(hold_seconds) FILTER (WHERE o = 1), 0)::bigint,
       (count(hold_seconds) FILTER (WHERE o = -1))::int, coalesce(sum(hold_seconds) FILTER (WHERE o = -1), 0)::bigint
FROM (
  SELECT t.user_id, t.account_id, t.symbol, (t.closed_at AT TIME ZONE u.timezone)::date AS day, t.net_pnl, t.gross_pnl, t.fees, t.hold_seconds,
         CASE WHEN t.net_pnl > u.breakeven_tolerance THEN 1 WHEN t.net_pnl < -(u.breakeven_tolerance) THEN -1 ELSE 0 END AS o
  FROM "trades" t JOIN "users" u ON u.id = t.user_id
  WHERE t.status = 'closed'
) g
GROUP BY user_id, account_id, symbol, day;--> statement-breakpoint
INSERT INTO "daily_aggregate_states" ("user_id", "timezone", "breakeven_tolerance") SELECT id, timezone, breakeven_tolerance FROM "users";
