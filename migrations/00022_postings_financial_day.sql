-- Financial postings by day (issue 16): a bank account's cash postings of a
-- period — what a reconciliation run matches, what a bank statement shows
-- (recon.CashLines) — were found by reading every posting of the ledger
-- and keeping the period's, so each run cost the whole ledger's size (2.6 s
-- a run at 8,000 simulated communities; a minute or more at 220,000).
-- With this index a run reads its period's financial postings only.
--
-- Its cost: one more index entry per financial posting written (budget
-- postings are left out); the measured effect on posting is in README.md's
-- simulation section.

-- +goose Up
CREATE INDEX postings_financial_day ON postings (effective_date) WHERE book = 'financial';
