-- Executions and trades lose their foreign keys to users and accounts: a key-share lock and an index probe per inserted
-- row and key were about a fifth of each large insert (a 1,000,000-row import writes 1,000,000 executions and 500,000
-- trades). What the four keys did is done per statement instead:
-- * after each INSERT, one statement-level trigger checks the statement's rows at once: every (account_id, user_id)
--   written must be an account of that user (which also makes the user exist). It locks those accounts first (key
--   share, as a foreign-key check does), so an account deleted at the same time either waits for this transaction or,
--   deleted first, makes this statement fail (foreign_key_violation), as the foreign keys did;
-- * an UPDATE that moves a row to another account or user is checked and locked the same way, row by row (no path does);
-- * deleting accounts deletes their trades and executions (statement-level, as trade_executions' links since 0006, one
--   index scan over the deleted ids per statement). Users cascade to accounts, and every row's account belongs to the
--   row's user, so deleting a user deletes them too.
ALTER TABLE "executions" DROP CONSTRAINT "executions_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "executions" DROP CONSTRAINT "executions_account_id_accounts_id_fk";
--> statement-breakpoint
ALTER TABLE "trades" DROP CONSTRAINT "trades_user_id_users_id_fk";
--> statement-breakpoint
ALTER TABLE "trades" DROP CONSTRAINT "trades_account_id_accounts_id_fk";
--> statement-breakpoint
CREATE FUNCTION ledger_check_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  account_ids uuid[];
  user_ids uuid[];
  bad record;
BEGIN
  SELECT array_agg(account_id), array_agg(user_id) INTO account_ids, user_ids
  FROM (SELECT DISTINCT account_id, user_id FROM added) owners;
  PERFORM 1 FROM accounts WHERE id = ANY (account_ids) FOR KEY SHARE;
  SELECT o.account_id, o.user_id INTO bad
  FROM unnest(account_ids, user_ids) AS o(account_id, user_id)
  WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = o.account_id AND a.user_id = o.user_id)
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'insert on table "%" violates its account check', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
            DETAIL = format('Key (account_id, user_id)=(%s, %s) is not an account of that user.', bad.account_id, bad.user_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION ledger_check_moved_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts WHERE id = NEW.account_id AND user_id = NEW.user_id FOR KEY SHARE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'update on table "%" violates its account check', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME,
            DETAIL = format('Key (account_id, user_id)=(%s, %s) is not an account of that user.', NEW.account_id, NEW.user_id);
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION ledger_delete_of_accounts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM trades WHERE account_id = ANY (ARRAY(SELECT id FROM gone));
  DELETE FROM executions WHERE account_id = ANY (ARRAY(SELECT id FROM gone));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER executions_check_accounts AFTER INSERT ON executions REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_accounts();
--> statement-breakpoint
CREATE TRIGGER trades_check_accounts AFTER INSERT ON trades REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_check_accounts();
--> statement-breakpoint
CREATE TRIGGER executions_check_moved AFTER UPDATE OF account_id, user_id ON executions FOR EACH ROW
  WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION ledger_check_moved_row();
--> statement-breakpoint
CREATE TRIGGER trades_check_moved AFTER UPDATE OF account_id, user_id ON trades FOR EACH ROW
  WHEN (OLD.account_id IS DISTINCT FROM NEW.account_id OR OLD.user_id IS DISTINCT FROM NEW.user_id)
  EXECUTE FUNCTION ledger_check_moved_row();
--> statement-breakpoint
CREATE TRIGGER accounts_delete_ledger AFTER DELETE ON accounts REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_delete_of_accounts();
