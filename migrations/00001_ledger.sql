-- The double-entry core. PostgreSQL itself guards the books, so that a raw
-- SQL statement cannot break them either:
--   * every entry balances (deferred constraint trigger, checked at commit);
--   * entries, postings, period events and the hash chain are append-only;
--   * amounts are positive with at most two decimals (fen);
--   * idempotency keys are unique;
--   * a no_overdraft account never goes below zero on any day;
--   * an entry dated in a closed period is refused.
-- Custom SQLSTATEs (class FL) are mapped to Go errors in ledger/errors.go:
--   FL001 unbalanced, FL002 overdraft, FL003 period closed, FL004 append-only,
--   FL005 book mismatch, FL006 derived table written directly.

-- +goose Up

CREATE TABLE accounts (
    id            bigserial PRIMARY KEY,
    code          text NOT NULL UNIQUE
                  CHECK (code ~ '^[^:[:space:]]+(:[^:[:space:]]+)*$' AND length(code) <= 200),
    name          text NOT NULL DEFAULT '',
    book          text NOT NULL CHECK (book IN ('financial', 'budget')),
    type          text NOT NULL,
    normal_side   char(1) NOT NULL CHECK (normal_side IN ('D', 'C')),
    no_overdraft  boolean NOT NULL DEFAULT false,
    district      text,
    project       text,
    source        text,
    category      text,
    bond          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text NOT NULL DEFAULT current_user,
    CONSTRAINT accounts_type_book CHECK (
        (book = 'financial' AND type IN ('asset', 'liability', 'net_assets', 'revenue', 'expense'))
        OR (book = 'budget' AND type IN ('budget_asset', 'budget_revenue', 'budget_expense', 'budget_balance'))
    )
);

CREATE TABLE entries (
    id                 bigserial PRIMARY KEY,
    book               text NOT NULL CHECK (book IN ('financial', 'budget')),
    effective_date     date NOT NULL,
    recorded_at        timestamptz NOT NULL DEFAULT now(),
    memo               text NOT NULL DEFAULT '' CHECK (length(memo) <= 2000),
    actor              text NOT NULL CHECK (actor <> '' AND length(actor) <= 200),
    idempotency_key    text NOT NULL CHECK (idempotency_key <> '' AND length(idempotency_key) <= 200),
    reverses_entry_id  bigint REFERENCES entries (id),
    corrects_entry_id  bigint REFERENCES entries (id),
    metadata           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(metadata) = 'object'),
    content_hash       bytea NOT NULL CHECK (length(content_hash) = 32), -- SHA-256; a hex regex check would cost more than the insert
    created_txid       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    CONSTRAINT entries_idempotency_key_key UNIQUE (idempotency_key)
);
-- An entry is reversed at most once.
CREATE UNIQUE INDEX entries_reverses_once ON entries (reverses_entry_id) WHERE reverses_entry_id IS NOT NULL;

-- No foreign keys here: per-row referential triggers would cost more than
-- the rest of a bulk post together; fl_postings_inserted checks entry and
-- account existence for the whole statement at once. effective_date and book
-- repeat the entry's (checked equal by the trigger) so that day balances and
-- book checks need no join per posting.
CREATE TABLE postings (
    entry_id        bigint NOT NULL,
    line            smallint NOT NULL CHECK (line > 0),
    account_id      bigint NOT NULL,
    side            char(1) NOT NULL CHECK (side IN ('D', 'C')),
    effective_date  date NOT NULL,
    book            text NOT NULL,
    -- Plain NUMERIC, not NUMERIC(p,2): a typed column would silently round
    -- 1.005 to 1.01; here a third decimal is refused.
    amount      numeric NOT NULL CONSTRAINT postings_amount_fen
                CHECK (amount > 0 AND amount = round(amount, 2) AND amount < 1000000000000000),
    PRIMARY KEY (entry_id, line)
);
CREATE INDEX postings_account ON postings (account_id, entry_id);

-- Per account and effective day, the debits and credits posted. Derived by
-- the postings trigger only; a balance as of any date sums one account's days
-- up to that date instead of scanning history.
CREATE TABLE account_day_balances (
    account_id  bigint NOT NULL REFERENCES accounts (id),
    day         date NOT NULL,
    debit       numeric NOT NULL DEFAULT 0,
    credit      numeric NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, day)
);

-- Accounting periods are calendar months. The state lives in periods (one
-- row a month, locked by posters and closers) and changes only through an
-- insert into period_events, which is the audit trail.
CREATE TABLE periods (
    period  date PRIMARY KEY CHECK (extract(day FROM period) = 1),
    closed  boolean NOT NULL DEFAULT false
);

CREATE TABLE period_events (
    id      bigserial PRIMARY KEY,
    period  date NOT NULL CHECK (extract(day FROM period) = 1),
    action  text NOT NULL CHECK (action IN ('close', 'reopen')),
    actor   text NOT NULL CHECK (actor <> ''),
    reason  text NOT NULL DEFAULT '',
    at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT period_events_reopen_reason CHECK (action = 'close' OR btrim(reason) <> '')
);

-- Tamper evidence: entries are sealed into blocks; each block hashes the
-- previous block's hash and the content hashes of its entries.
CREATE TABLE chain_blocks (
    id           bigserial PRIMARY KEY,
    prev_hash    text NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text NOT NULL UNIQUE CHECK (hash ~ '^[0-9a-f]{64}$'),
    entry_count  integer NOT NULL CHECK (entry_count > 0),
    sealed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE chain_block_entries (
    entry_id  bigint PRIMARY KEY REFERENCES entries (id),
    block_id  bigint NOT NULL REFERENCES chain_blocks (id)
);
CREATE INDEX chain_block_entries_block ON chain_block_entries (block_id, entry_id);
-- One row per transaction that inserted entries, with the range of their
-- ids. At commit one deferred check per transaction (not per entry) proves
-- that every entry it created balances; afterwards the row says which
-- entries wait to be sealed, and leaves only when they are.
CREATE TABLE tx_entries (
    txid    xid8 PRIMARY KEY,
    min_id  bigint NOT NULL,
    max_id  bigint NOT NULL
);

-- +goose StatementBegin
CREATE FUNCTION fl_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % refused: the books are append-only; post a reversal instead', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'FL004';
END $$;
-- +goose StatementEnd

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER postings_no_truncate BEFORE TRUNCATE ON postings
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER period_events_append_only BEFORE UPDATE OR DELETE ON period_events
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER period_events_no_truncate BEFORE TRUNCATE ON period_events
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER chain_blocks_append_only BEFORE UPDATE OR DELETE ON chain_blocks
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER chain_blocks_no_truncate BEFORE TRUNCATE ON chain_blocks
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER chain_block_entries_append_only BEFORE UPDATE OR DELETE ON chain_block_entries
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER accounts_no_truncate BEFORE TRUNCATE ON accounts
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

-- An account's identity never changes once created; only its display name may.
-- +goose StatementBegin
CREATE FUNCTION fl_accounts_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.id, NEW.code, NEW.book, NEW.type, NEW.normal_side, NEW.no_overdraft,
        NEW.district, NEW.project, NEW.source, NEW.category, NEW.bond, NEW.created_at, NEW.created_by)
       IS DISTINCT FROM
       (OLD.id, OLD.code, OLD.book, OLD.type, OLD.normal_side, OLD.no_overdraft,
        OLD.district, OLD.project, OLD.source, OLD.category, OLD.bond, OLD.created_at, OLD.created_by) THEN
        RAISE EXCEPTION 'account %: only the name of an account may change', OLD.code USING ERRCODE = 'FL004';
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER accounts_immutable BEFORE UPDATE ON accounts
    FOR EACH ROW EXECUTE FUNCTION fl_accounts_immutable();

-- Derived tables are written by triggers only (pg_trigger_depth() > 1 means
-- "called from inside another trigger").
-- +goose StatementBegin
CREATE FUNCTION fl_derived_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION '% on % refused: it is maintained by the ledger itself', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'FL006';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER account_day_balances_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON account_day_balances
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();
CREATE TRIGGER periods_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON periods
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();

-- tx_entries: written by the entries trigger; a row may be deleted only
-- once every entry of its transaction is sealed into a block.
-- +goose StatementBegin
CREATE FUNCTION fl_tx_entries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad bigint;
BEGIN
    -- The row of the current transaction is its pending balance check:
    -- nobody may remove it before commit.
    IF EXISTS (SELECT 1 FROM old_rows WHERE txid = pg_current_xact_id()) THEN
        RAISE EXCEPTION 'the entries of this transaction are not committed yet' USING ERRCODE = 'FL006';
    END IF;
    SELECT e.id INTO bad FROM old_rows o JOIN entries e ON e.id BETWEEN o.min_id AND o.max_id AND e.created_txid = o.txid
     WHERE NOT EXISTS (SELECT 1 FROM chain_block_entries c WHERE c.entry_id = e.id) LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry % is not sealed yet', bad USING ERRCODE = 'FL006';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER tx_entries_derived BEFORE INSERT OR UPDATE OR TRUNCATE ON tx_entries
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();
CREATE TRIGGER tx_entries_deleted AFTER DELETE ON tx_entries
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION fl_tx_entries_deleted();

-- Closing or reopening a period is an insert into period_events.
-- +goose StatementBegin
CREATE FUNCTION fl_period_event() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_closed boolean;
BEGIN
    IF NEW.at <> now() THEN
        RAISE EXCEPTION 'period events record when they happen; "at" cannot be set' USING ERRCODE = 'FL004';
    END IF;
    INSERT INTO periods (period) VALUES (NEW.period) ON CONFLICT DO NOTHING;
    -- The row lock makes a close wait for posters in that month to commit.
    SELECT closed INTO was_closed FROM periods WHERE period = NEW.period FOR UPDATE;
    IF NEW.action = 'close' AND was_closed THEN
        RAISE EXCEPTION 'period % is already closed', to_char(NEW.period, 'YYYY-MM') USING ERRCODE = 'FL003';
    ELSIF NEW.action = 'reopen' AND NOT was_closed THEN
        RAISE EXCEPTION 'period % is not closed', to_char(NEW.period, 'YYYY-MM') USING ERRCODE = 'FL003';
    END IF;
    UPDATE periods SET closed = (NEW.action = 'close') WHERE period = NEW.period;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER period_events_apply AFTER INSERT ON period_events
    FOR EACH ROW EXECUTE FUNCTION fl_period_event();

-- New entries: refuse closed periods, queue for sealing.
-- +goose StatementBegin
CREATE FUNCTION fl_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- created_txid ties an entry to its balance check, and recorded_at is
    -- the audit trail's clock: neither is for setting.
    IF EXISTS (SELECT 1 FROM new_entries WHERE created_txid <> pg_current_xact_id() OR recorded_at <> now()) THEN
        RAISE EXCEPTION 'entries record the transaction and time that create them; created_txid and recorded_at cannot be set'
            USING ERRCODE = 'FL004';
    END IF;
    INSERT INTO periods (period)
        SELECT DISTINCT date_trunc('month', effective_date)::date FROM new_entries
        ORDER BY 1
        ON CONFLICT DO NOTHING;
    -- Share-lock the months so that a concurrent close waits for us.
    PERFORM 1 FROM periods
        WHERE period IN (SELECT date_trunc('month', effective_date)::date FROM new_entries)
        ORDER BY period FOR SHARE;
    SELECT n.id, n.effective_date, n.idempotency_key INTO bad
        FROM new_entries n JOIN periods p ON p.period = date_trunc('month', n.effective_date)::date
        WHERE p.closed ORDER BY n.id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry % (key %) dated % falls in closed period %',
            bad.id, bad.idempotency_key, bad.effective_date, to_char(bad.effective_date, 'YYYY-MM')
            USING ERRCODE = 'FL003';
    END IF;
    INSERT INTO tx_entries (txid, min_id, max_id)
        SELECT pg_current_xact_id(), min(id), max(id) FROM new_entries HAVING count(*) > 0
    ON CONFLICT (txid) DO UPDATE
        SET min_id = least(tx_entries.min_id, EXCLUDED.min_id),
            max_id = greatest(tx_entries.max_id, EXCLUDED.max_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER entries_inserted AFTER INSERT ON entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION fl_entries_inserted();

-- Each entry balances, checked at commit when all its postings are in: one
-- deferred check per transaction, over the entries it created.
-- +goose StatementBegin
CREATE FUNCTION fl_entries_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    lo bigint;
    hi bigint;
    bad record;
BEGIN
    -- NEW is the row as first inserted; later statements of the transaction
    -- may have widened the range, so read it again.
    SELECT min_id, max_id INTO lo, hi FROM tx_entries WHERE txid = NEW.txid;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'the balance check of transaction % lost its range of entries', NEW.txid USING ERRCODE = 'FL006';
    END IF;
    -- Two single-pass queries whose plans do not depend on statistics (the
    -- tables were just filled in this very transaction): sums per entry over
    -- the id range, then entries of the range without any posting.
    SELECT p.entry_id AS id, p.n, p.d, p.c INTO bad FROM (
        SELECT entry_id, count(*) AS n,
               coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS d,
               coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS c
          FROM postings WHERE entry_id BETWEEN lo AND hi GROUP BY entry_id) p
     WHERE p.n < 2 OR p.d <> p.c
     ORDER BY p.entry_id LIMIT 1;
    IF NOT FOUND THEN
        SELECT e.id, 0::bigint AS n, 0::numeric AS d, 0::numeric AS c INTO bad FROM entries e
         WHERE e.id BETWEEN lo AND hi AND e.created_txid = NEW.txid
           AND NOT EXISTS (SELECT 1 FROM postings p WHERE p.entry_id = e.id)
         ORDER BY e.id LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'entry % (key %) is unbalanced: % postings, debits %, credits %',
            bad.id, (SELECT idempotency_key FROM entries WHERE id = bad.id), bad.n, bad.d, bad.c USING ERRCODE = 'FL001';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER tx_entries_balanced AFTER INSERT ON tx_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION fl_entries_balanced();

-- New postings: only into entries of this transaction, in the entry's book;
-- maintain day balances; refuse an overdraft of a no_overdraft account.
-- +goose StatementBegin
CREATE FUNCTION fl_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    -- Once per entry and once per account, not once per posting.
    SELECT x.entry_id, e.id IS NULL AS no_entry, e.created_txid <> pg_current_xact_id() AS committed
      INTO bad
      FROM (SELECT DISTINCT entry_id, effective_date, book FROM new_postings) x
      LEFT JOIN entries e ON e.id = x.entry_id
     WHERE e.id IS NULL OR e.created_txid <> pg_current_xact_id()
        OR e.effective_date <> x.effective_date OR e.book <> x.book
     LIMIT 1;
    IF FOUND THEN
        IF bad.no_entry THEN
            RAISE EXCEPTION 'posting refused: entry % does not exist', bad.entry_id USING ERRCODE = '23503';
        ELSIF bad.committed THEN
            RAISE EXCEPTION 'posting into entry % refused: postings are added only in the transaction that creates the entry',
                bad.entry_id USING ERRCODE = 'FL004';
        ELSE
            RAISE EXCEPTION 'posting into entry % refused: its date and book must be the entry''s', bad.entry_id
                USING ERRCODE = '23514';
        END IF;
    END IF;
    SELECT x.account_id, x.book, a.id IS NULL AS no_account, a.code, a.book AS account_book
      INTO bad
      FROM (SELECT DISTINCT account_id, book FROM new_postings) x
      LEFT JOIN accounts a ON a.id = x.account_id
     WHERE a.id IS NULL OR a.book <> x.book
     LIMIT 1;
    IF FOUND THEN
        IF bad.no_account THEN
            RAISE EXCEPTION 'posting refused: account % does not exist', bad.account_id USING ERRCODE = '23503';
        END IF;
        RAISE EXCEPTION 'a % book entry cannot post to account %, which is in the % book',
            bad.book, bad.code, bad.account_book USING ERRCODE = 'FL005';
    END IF;

    -- Lock the no_overdraft accounts in a fixed order before reading their
    -- balances, so concurrent posters queue instead of both passing the check.
    PERFORM 1 FROM accounts
        WHERE id IN (SELECT account_id FROM new_postings) AND no_overdraft
        ORDER BY id FOR UPDATE;

    INSERT INTO account_day_balances (account_id, day, debit, credit)
        SELECT account_id, effective_date,
               coalesce(sum(amount) FILTER (WHERE side = 'D'), 0),
               coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
          FROM new_postings
         GROUP BY account_id, effective_date
         ORDER BY account_id, effective_date
    ON CONFLICT (account_id, day) DO UPDATE
        SET debit = account_day_balances.debit + EXCLUDED.debit,
            credit = account_day_balances.credit + EXCLUDED.credit;

    -- The balance must stay >= 0 on every day, not only today: a payment
    -- back-dated before the money arrived is an overdraft too.
    SELECT s.code, s.day, s.cum INTO bad FROM (
        SELECT a.code, b.day,
               sum(CASE WHEN a.normal_side = 'D' THEN b.debit - b.credit ELSE b.credit - b.debit END)
                   OVER (PARTITION BY b.account_id ORDER BY b.day) AS cum
          FROM account_day_balances b JOIN accounts a ON a.id = b.account_id
         WHERE b.account_id IN (
               SELECT np.account_id FROM new_postings np JOIN accounts a2 ON a2.id = np.account_id
                WHERE a2.no_overdraft AND np.side <> a2.normal_side)
    ) s WHERE s.cum < 0 ORDER BY s.day, s.code LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'account % would overdraw by % on %', bad.code, -bad.cum, bad.day
            USING ERRCODE = 'FL002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER postings_inserted AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION fl_postings_inserted();
