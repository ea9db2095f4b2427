-- Statement continuity and duplicates across layouts (issue 15).
--
-- A statement whose opening balance does not follow the closing balance of
-- the account's previous statement (or whose closing balance does not lead
-- to the next one's opening) is refused by recon.Import unless a person
-- gives a reason; the reason and the breaks accepted are recorded here.
-- The rows skipped as totals, page marks and notices, and the lines found
-- already stored from a file of another layout (same account, date,
-- direction, amount and running balance), are counted.
--
-- recon_imports stays append-only (00004): these columns are written by
-- the INSERT of the import and never changed. Imports stored before 00014
-- have NULLs: nothing was checked or counted then.

-- +goose Up

ALTER TABLE recon_imports
    ADD COLUMN continuity_reason text
        CHECK (continuity_reason IS NULL OR (btrim(continuity_reason) <> '' AND length(continuity_reason) <= 2000)),
    ADD COLUMN continuity_breaks jsonb
        CHECK (continuity_breaks IS NULL OR jsonb_typeof(continuity_breaks) = 'array'),
    ADD COLUMN rows_skipped integer CHECK (rows_skipped >= 0),
    ADD COLUMN lines_same_as_stored integer CHECK (lines_same_as_stored >= 0),
    ADD CONSTRAINT recon_imports_break_reason CHECK ((continuity_breaks IS NULL) = (continuity_reason IS NULL));

