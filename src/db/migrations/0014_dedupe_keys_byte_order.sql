-- The dedupe keys of executions compare in byte order (COLLATE "C"): they are only ever compared for equality, and
-- under the database's linguistic collation every comparison in their unique indexes went through strcoll. Inserting
-- 1,000,000 executions took 1.5-2 s less (docs/performance.md). Same type, so no table rewrite; the two unique
-- indexes are rebuilt, under an exclusive lock on executions.
ALTER TABLE "executions" ALTER COLUMN "content_hash" TYPE text COLLATE "C", ALTER COLUMN "broker_exec_id" TYPE text COLLATE "C";
