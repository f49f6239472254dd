-- Time-ordered UUIDs (version 7, RFC 9562): 48 bits of Unix milliseconds, then random bits. PostgreSQL 15 has no
-- uuidv7(); this sets the timestamp and the version bits on a random (v4) UUID. New executions and trades get ids in
-- insertion order, so a large import appends to the id indexes instead of touching a random page per row.
CREATE FUNCTION uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
    PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;--> statement-breakpoint
ALTER TABLE "executions" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
ALTER TABLE "trades" ALTER COLUMN "id" SET DEFAULT uuid_v7();--> statement-breakpoint
-- The fill links lose their foreign keys (a key-share lock on a trade and on an execution per inserted link was more
-- than half of a large import's rebuild). Deleting trades or executions still deletes their links: one statement-level
-- trigger per table, one index scan over the deleted ids per statement (also for deletes cascading from accounts and
-- users). ANY(ARRAY(...)) keeps the cached plan an index scan whatever the number of deleted rows.
ALTER TABLE "trade_executions" DROP CONSTRAINT "trade_executions_trade_id_trades_id_fk";--> statement-breakpoint
ALTER TABLE "trade_executions" DROP CONSTRAINT "trade_executions_execution_id_executions_id_fk";--> statement-breakpoint
CREATE FUNCTION trade_executions_delete_links() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'trades' THEN
    DELETE FROM trade_executions WHERE trade_id = ANY (ARRAY(SELECT id FROM gone));
  ELSE
    DELETE FROM trade_executions WHERE execution_id = ANY (ARRAY(SELECT id FROM gone));
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER trades_delete_links AFTER DELETE ON trades REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION trade_executions_delete_links();--> statement-breakpoint
CREATE TRIGGER executions_delete_links AFTER DELETE ON executions REFERENCING OLD TABLE AS gone
  FOR EACH STATEMENT EXECUTE FUNCTION trade_executions_delete_links();--> statement-breakpoint
-- Staging rows are written once, read once by the import's write transaction and deleted by import id: no WAL (a
-- crash empties the table, and start-up recovery fails every import it interrupted anyway), no index, no foreign key.
ALTER TABLE "import_staging" DROP CONSTRAINT "import_staging_import_id_imports_id_fk";--> statement-breakpoint
DROP INDEX "import_staging_import_idx";--> statement-breakpoint
ALTER TABLE "import_staging" SET UNLOGGED;
