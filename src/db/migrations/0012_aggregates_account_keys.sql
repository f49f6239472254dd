-- daily_aggregates and daily_account_sequences lose their foreign keys to accounts. With them, every insert of an
-- aggregate row took a key-share lock on its account, so an aggregates rebuild holding a user's row waited for an
-- account delete holding that account's row, while the delete waited for the user's row (the delete takes it before
-- touching the aggregates): a deadlock. Every writer of a user's aggregates holds the user's row lock, and the rows are
-- computed from trades whose account exists (checked since 0011), so the key checked nothing more.
-- Deleting accounts now deletes their aggregate rows too, with their trades and executions (statement-level, as in 0011);
-- daily_sequences and daily_symbol_sequences are repaired by the account delete itself (the trades module).
ALTER TABLE "daily_account_sequences" DROP CONSTRAINT "daily_account_sequences_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "daily_aggregates" DROP CONSTRAINT "daily_aggregates_account_id_accounts_id_fk";
--> statement-breakpoint
CREATE OR REPLACE FUNCTION ledger_delete_of_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM trades WHERE account_id = ANY (ARRAY(SELECT id FROM gone));
  DELETE FROM executions WHERE account_id = ANY (ARRAY(SELECT id FROM gone));
  DELETE FROM daily_aggregates WHERE (user_id, account_id) IN (SELECT user_id, id FROM gone);
  DELETE FROM daily_account_sequences WHERE (user_id, account_id) IN (SELECT user_id, id FROM gone);
  RETURN NULL;
END
$$;
