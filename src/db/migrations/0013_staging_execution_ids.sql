-- Executions written by an import take the id its parser made (time-ordered uuid v7 from the parse worker): ids made
-- by uuid_v7() in the INSERT cost about 5 s of a 1,000,000-row import (gen_random_uuid per row, and ids in random
-- order within a millisecond). Nullable: rows staged by an older server still get uuid_v7().
ALTER TABLE "import_staging" ADD COLUMN "execution_id" uuid;