-- Accounts by code prefix (issue 16): `GET /api/accounts?prefix=P` (and
-- `ledger.Accounts` with CodePrefix) lists the account P and the accounts
-- below it (codes starting "P:"), ordered by code. No index could find
-- them: starts_with() cannot use accounts_code_key (the database's
-- collation is not byte order), so the planner walked the whole code index
-- in order, filtering, until a page was full — 28.5 s for one project's
-- cash accounts at 220,000 communities (5,940,000 accounts), and past the
-- API clients' 30 s timeout under load.
--
-- This index orders codes by their bytes (COLLATE "C"): the codes starting
-- "P:" are exactly those from "P:" up to, not including, "P;" (':' is
-- 0x3A, ';' the next byte), one range of it.
--
-- Its cost: one more index entry per account created.

-- +goose Up
CREATE INDEX accounts_code_bytes ON accounts (code COLLATE "C");
