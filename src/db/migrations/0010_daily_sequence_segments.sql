-- The summary's texts of each per-day sequence row (schema: `segment`, `segment_ladder`), written with the row from now on; existing rows get them from their columns here.
ALTER TABLE "daily_account_sequences" ADD COLUMN "segment" text;
--> statement-breakpoint
ALTER TABLE "daily_account_sequences" ADD COLUMN "segment_ladder" text;
--> statement-breakpoint
UPDATE "daily_account_sequences" SET
  "segment" = concat_ws(';', trade_count, net_pnl, floor(first_us / 1000.0)::bigint, floor(last_us / 1000.0)::bigint, min_prefix, min_k,
    floor(min_us / 1000.0)::bigint, max_drawdown, drawdown_k, floor(drawdown_us / 1000.0)::bigint, lead_outcome, lead_run, trail_outcome, trail_run,
    max_win_run, max_loss_run),
  "segment_ladder" = concat_ws(';', array_to_string(ladder_k, ','), array_to_string(ladder_pnl, ','),
    coalesce((select string_agg(floor(u / 1000.0)::bigint::text, ',' order by o) from unnest(ladder_us) with ordinality as x(u, o)), ''));
--> statement-breakpoint
ALTER TABLE "daily_account_sequences" ALTER COLUMN "segment" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_account_sequences" ALTER COLUMN "segment_ladder" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_sequences" ADD COLUMN "segment" text;
--> statement-breakpoint
ALTER TABLE "daily_sequences" ADD COLUMN "segment_ladder" text;
--> statement-breakpoint
UPDATE "daily_sequences" SET
  "segment" = concat_ws(';', trade_count, net_pnl, floor(first_us / 1000.0)::bigint, floor(last_us / 1000.0)::bigint, min_prefix, min_k,
    floor(min_us / 1000.0)::bigint, max_drawdown, drawdown_k, floor(drawdown_us / 1000.0)::bigint, lead_outcome, lead_run, trail_outcome, trail_run,
    max_win_run, max_loss_run),
  "segment_ladder" = concat_ws(';', array_to_string(ladder_k, ','), array_to_string(ladder_pnl, ','),
    coalesce((select string_agg(floor(u / 1000.0)::bigint::text, ',' order by o) from unnest(ladder_us) with ordinality as x(u, o)), ''));
--> statement-breakpoint
ALTER TABLE "daily_sequences" ALTER COLUMN "segment" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_sequences" ALTER COLUMN "segment_ladder" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_symbol_sequences" ADD COLUMN "segment" text;
--> statement-breakpoint
ALTER TABLE "daily_symbol_sequences" ADD COLUMN "segment_ladder" text;
--> statement-breakpoint
UPDATE "daily_symbol_sequences" SET
  "segment" = concat_ws(';', trade_count, net_pnl, floor(first_us / 1000.0)::bigint, floor(last_us / 1000.0)::bigint, min_prefix, min_k,
    floor(min_us / 1000.0)::bigint, max_drawdown, drawdown_k, floor(drawdown_us / 1000.0)::bigint, lead_outcome, lead_run, trail_outcome, trail_run,
    max_win_run, max_loss_run),
  "segment_ladder" = concat_ws(';', array_to_string(ladder_k, ','), array_to_string(ladder_pnl, ','),
    coalesce((select string_agg(floor(u / 1000.0)::bigint::text, ',' order by o) from unnest(ladder_us) with ordinality as x(u, o)), ''));
--> statement-breakpoint
ALTER TABLE "daily_symbol_sequences" ALTER COLUMN "segment" SET NOT NULL;
--> statement-breakpoint
ALTER TABLE "daily_symbol_sequences" ALTER COLUMN "segment_ladder" SET NOT NULL;
