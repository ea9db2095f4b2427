-- Reconciliation with bank and treasury statements (issue 6): statement
-- imports and their lines, matching runs, matches between statement lines
-- and the ledger's cash postings, and revocations of matches.
--
-- Everything here is append-only (fl_append_only from 00001). A match is
-- never deleted or changed: a person revokes it by inserting into
-- recon_unmatches, and its items are unmatched again. The one derived
-- column, recon_match_items.active, is turned off by that insert's trigger
-- and by nothing else (as periods.closed follows period_events).
--
-- What PostgreSQL guards:
--   * a statement line, or a posting, is in at most one active match: two
--     partial unique indexes on the active items (no per-row probe: a run
--     writes up to a million matches);
--   * a match's items are added only by the transaction that created the
--     match, into an existing match; revocation needs a reason, once;
--   * matches of one bank account are written by one transaction at a time
--     (the bank_accounts row is locked by the matches trigger).
-- What Go guards (recon package), because checking it per row here would
-- cost more than the whole insert: a match has at least one line and one
-- posting, its lines are the bank account's, its postings are financial
-- cash postings of entries for that account, and the lines' signed amounts
-- add up to the postings'.
-- SQLSTATEs (class FR, mapped in recon/errors.go): FR002 item not valid for
-- its match; a second active match of an item is a unique violation on
-- recon_items_line_active or recon_items_posting_active.

-- +goose Up

-- One row per imported file. A file whose content (SHA-256) was imported
-- for the account before is not imported again.
CREATE TABLE recon_imports (
    id               bigserial PRIMARY KEY,
    bank_account     text NOT NULL REFERENCES bank_accounts (code),
    profile          text NOT NULL CHECK (profile <> '' AND length(profile) <= 64),
    file_name        text NOT NULL CHECK (length(file_name) <= 1000),
    sha256           text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    lines_read       integer NOT NULL CHECK (lines_read >= 0),
    lines_added      integer NOT NULL CHECK (lines_added >= 0 AND lines_added <= lines_read),
    first_date       date,
    last_date        date,
    opening_balance  numeric CHECK (opening_balance = round(opening_balance, 2)),
    closing_balance  numeric CHECK (closing_balance = round(closing_balance, 2)),
    imported_at      timestamptz NOT NULL DEFAULT now(),
    imported_by      text NOT NULL CHECK (imported_by <> '' AND length(imported_by) <= 200),
    CONSTRAINT recon_imports_once UNIQUE (bank_account, sha256),
    CONSTRAINT recon_imports_id_account UNIQUE (id, bank_account)
);

-- Statement lines, as the bank or the treasury listed them. direction is
-- the account's point of view: 'in' money received (a debit to cash in the
-- books), 'out' money paid (a credit to cash). fingerprint identifies a line
-- across overlapping files (see recon.Fingerprint): a line whose fingerprint
-- is already stored for the account is a duplicate and is not added.
CREATE TABLE recon_statement_lines (
    id                    bigserial PRIMARY KEY,
    import_id             bigint NOT NULL,
    bank_account          text NOT NULL,
    source_row            integer NOT NULL CHECK (source_row > 0),
    value_date            date NOT NULL,
    direction             text NOT NULL CHECK (direction IN ('in', 'out')),
    amount                numeric NOT NULL CONSTRAINT recon_lines_amount_fen
                          CHECK (amount > 0 AND amount = round(amount, 2) AND amount < 1000000000000000),
    balance               numeric CHECK (balance = round(balance, 2)), -- running balance after the line, when listed
    counterparty          text NOT NULL DEFAULT '' CHECK (length(counterparty) <= 500),
    counterparty_account  text NOT NULL DEFAULT '' CHECK (length(counterparty_account) <= 100),
    reference             text NOT NULL DEFAULT '' CHECK (length(reference) <= 200),
    memo                  text NOT NULL DEFAULT '' CHECK (length(memo) <= 1000),
    serial                text NOT NULL DEFAULT '' CHECK (length(serial) <= 100),
    occurrence            integer NOT NULL CHECK (occurrence > 0),
    fingerprint           bytea NOT NULL CHECK (length(fingerprint) = 32),
    CONSTRAINT recon_lines_import FOREIGN KEY (import_id, bank_account) REFERENCES recon_imports (id, bank_account),
    CONSTRAINT recon_lines_once UNIQUE (bank_account, fingerprint)
);
CREATE INDEX recon_lines_account_date ON recon_statement_lines (bank_account, value_date, id);

-- One row per matching run (recon run), with what it found.
CREATE TABLE recon_runs (
    id            bigserial PRIMARY KEY,
    bank_account  text NOT NULL REFERENCES bank_accounts (code),
    period_from   date NOT NULL,
    period_to     date NOT NULL CHECK (period_to >= period_from),
    window_days   integer NOT NULL CHECK (window_days BETWEEN 0 AND 31),
    summary       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summary) = 'object'),
    actor         text NOT NULL CHECK (actor <> '' AND length(actor) <= 200),
    at            timestamptz NOT NULL DEFAULT now()
);

-- A match: statement lines and postings that are the same money. It was
-- made by a run (run_id and its pass: 1 reference, 2 amount and date, 3 sum)
-- or by a person (actor and reason). No per-row foreign keys: the statement
-- trigger below checks the bank account and the run once per statement.
CREATE TABLE recon_matches (
    id            bigserial PRIMARY KEY,
    bank_account  text NOT NULL,
    run_id        bigint,
    pass          smallint CHECK (pass BETWEEN 1 AND 3),
    actor         text CHECK (actor <> '' AND length(actor) <= 200),
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 2000),
    at            timestamptz NOT NULL DEFAULT now(),
    created_txid  xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT recon_matches_how CHECK (
        (run_id IS NOT NULL AND pass IS NOT NULL)
        OR (run_id IS NULL AND pass IS NULL AND actor IS NOT NULL AND btrim(reason) <> ''))
);

-- The items of a match. A row holds a line, a posting, or both (a
-- one-to-one match is one row); a split is one row with the line and the
-- first posting and one row per further posting. active is derived: true
-- until the match is revoked.
CREATE TABLE recon_match_items (
    match_id      bigint NOT NULL,
    line_id       bigint,
    entry_id      bigint,
    posting_line  smallint,
    active        boolean NOT NULL DEFAULT true,
    CONSTRAINT recon_items_posting CHECK ((entry_id IS NULL) = (posting_line IS NULL)),
    CONSTRAINT recon_items_some CHECK (line_id IS NOT NULL OR entry_id IS NOT NULL)
);
CREATE INDEX recon_items_match ON recon_match_items (match_id);
CREATE UNIQUE INDEX recon_items_line_active ON recon_match_items (line_id) WHERE active AND line_id IS NOT NULL;
CREATE UNIQUE INDEX recon_items_posting_active ON recon_match_items (entry_id, posting_line) WHERE active AND entry_id IS NOT NULL;

-- Revocation of a match by a person: the match stays, marked revoked.
CREATE TABLE recon_unmatches (
    match_id  bigint PRIMARY KEY REFERENCES recon_matches (id),
    reason    text NOT NULL CHECK (btrim(reason) <> '' AND length(reason) <= 2000),
    actor     text NOT NULL CHECK (actor <> '' AND length(actor) <= 200),
    at        timestamptz NOT NULL DEFAULT now()
);

CREATE TRIGGER recon_imports_append_only BEFORE UPDATE OR DELETE ON recon_imports
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_imports_no_truncate BEFORE TRUNCATE ON recon_imports
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_lines_append_only BEFORE UPDATE OR DELETE ON recon_statement_lines
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_lines_no_truncate BEFORE TRUNCATE ON recon_statement_lines
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_runs_append_only BEFORE UPDATE OR DELETE ON recon_runs
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_runs_no_truncate BEFORE TRUNCATE ON recon_runs
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_matches_append_only BEFORE UPDATE OR DELETE ON recon_matches
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_matches_no_truncate BEFORE TRUNCATE ON recon_matches
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_items_append_only BEFORE DELETE ON recon_match_items
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_items_no_truncate BEFORE TRUNCATE ON recon_match_items
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_unmatches_append_only BEFORE UPDATE OR DELETE ON recon_unmatches
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER recon_unmatches_no_truncate BEFORE TRUNCATE ON recon_unmatches
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

-- New matches: lock their bank accounts, check the accounts and runs exist
-- and agree.
-- +goose StatementBegin
CREATE FUNCTION fl_recon_matches_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    PERFORM 1 FROM bank_accounts
        WHERE code IN (SELECT DISTINCT bank_account FROM new_matches)
        ORDER BY code FOR NO KEY UPDATE;
    SELECT x.bank_account INTO bad
      FROM (SELECT DISTINCT bank_account FROM new_matches) x
     WHERE NOT EXISTS (SELECT 1 FROM bank_accounts b WHERE b.code = x.bank_account)
     LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'match refused: bank account % does not exist', bad.bank_account USING ERRCODE = '23503';
    END IF;
    SELECT x.run_id, x.bank_account, r.id IS NULL AS no_run INTO bad
      FROM (SELECT DISTINCT run_id, bank_account FROM new_matches WHERE run_id IS NOT NULL) x
      LEFT JOIN recon_runs r ON r.id = x.run_id
     WHERE r.id IS NULL OR r.bank_account <> x.bank_account
     LIMIT 1;
    IF FOUND THEN
        IF bad.no_run THEN
            RAISE EXCEPTION 'match refused: run % does not exist', bad.run_id USING ERRCODE = '23503';
        END IF;
        RAISE EXCEPTION 'match refused: run % is not a run of bank account %', bad.run_id, bad.bank_account
            USING ERRCODE = 'FR002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER recon_matches_inserted AFTER INSERT ON recon_matches
    REFERENCING NEW TABLE AS new_matches
    FOR EACH STATEMENT EXECUTE FUNCTION fl_recon_matches_inserted();

-- New match items: into matches of this transaction, active.
-- +goose StatementBegin
CREATE FUNCTION fl_recon_items_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    SELECT n.match_id, m.id IS NULL AS no_match INTO bad
      FROM (SELECT DISTINCT match_id FROM new_items) n
      LEFT JOIN recon_matches m ON m.id = n.match_id
     WHERE m.id IS NULL OR m.created_txid <> pg_current_xact_id()
     LIMIT 1;
    IF FOUND THEN
        IF bad.no_match THEN
            RAISE EXCEPTION 'match item refused: match % does not exist', bad.match_id USING ERRCODE = '23503';
        END IF;
        RAISE EXCEPTION 'match item refused: match % is committed; items are added only by the transaction that creates the match',
            bad.match_id USING ERRCODE = 'FR002';
    END IF;
    IF EXISTS (SELECT 1 FROM new_items WHERE NOT active) THEN
        RAISE EXCEPTION 'match item refused: an item is inactive only once its match is revoked' USING ERRCODE = 'FR002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER recon_items_inserted AFTER INSERT ON recon_match_items
    REFERENCING NEW TABLE AS new_items
    FOR EACH STATEMENT EXECUTE FUNCTION fl_recon_items_inserted();

-- Items change only when their match is revoked: active true → false, by
-- the recon_unmatches trigger (pg_trigger_depth() > 1), nothing else.
-- +goose StatementBegin
CREATE FUNCTION fl_recon_items_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 OR NOT OLD.active OR NEW.active
       OR (NEW.match_id, NEW.line_id, NEW.entry_id, NEW.posting_line)
          IS DISTINCT FROM (OLD.match_id, OLD.line_id, OLD.entry_id, OLD.posting_line) THEN
        RAISE EXCEPTION 'UPDATE on recon_match_items refused: matches are append-only; revoke one with recon unmatch'
            USING ERRCODE = 'FL004';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER recon_items_updated BEFORE UPDATE ON recon_match_items
    FOR EACH ROW EXECUTE FUNCTION fl_recon_items_updated();

-- A revocation turns its match's items inactive.
-- +goose StatementBegin
CREATE FUNCTION fl_recon_unmatched() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM bank_accounts WHERE code = (SELECT bank_account FROM recon_matches WHERE id = NEW.match_id) FOR NO KEY UPDATE;
    UPDATE recon_match_items SET active = false WHERE match_id = NEW.match_id;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER recon_unmatches_apply AFTER INSERT ON recon_unmatches
    FOR EACH ROW EXECUTE FUNCTION fl_recon_unmatched();
