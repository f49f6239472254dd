-- The occurrence number of a staged row among the file's identical fills of its account, counted by the parse worker
-- (occurrences.ts) instead of by a window over the whole staged file in the import's write (a sort of every staged row
-- by content key, about 3 s of a 1,000,000-row import). Staged rows never outlive their import (an import interrupted
-- by a restart is failed and its staging emptied at start-up), so no row of an older server lacks it when written.
ALTER TABLE "import_staging" ADD COLUMN "occurrence" integer;
