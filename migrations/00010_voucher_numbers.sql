-- Voucher numbers (记账凭证编号): every entry gets a number continuous within
-- its book and month (the month of its effective date), 1, 2, 3… with no gap
-- and no repeat, shown as "2021-03 财-0001" (预- in the budget book; the
-- format is ledger.Voucher's).
--
-- Entry ids are not that number: a refused post, a rolled-back transaction
-- and an idempotent replay all consume ids. So the number is given at
-- commit, by a deferred constraint trigger that runs once per transaction
-- (on its tx_entries row, like the balance check, and after it: triggers of
-- one event fire in name order, tx_entries_balanced before
-- tx_entries_vouchers): it locks the (book, month) counter rows it needs, in order,
-- and numbers the transaction's new entries in id order. A transaction that
-- rolls back, for whatever reason, takes its counter increments with it; a
-- concurrent poster in the same book and month waits on the counter row
-- only for the moment between the numbering and the commit.
--
-- Entries are append-only and their content hash covers what the caller
-- asked for, so the number lives beside them, in entry_vouchers, written by
-- that trigger alone; nobody may change or delete a number afterwards.
-- Errors: FL004 (append-only) and FL006 (derived table written directly),
-- as in 00001.

-- +goose Up

-- One row per book and month: the last number given.
CREATE TABLE voucher_counters (
    book      text NOT NULL CHECK (book IN ('financial', 'budget')),
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    last_seq  integer NOT NULL CHECK (last_seq > 0),
    PRIMARY KEY (book, month)
) WITH (fillfactor = 50);

-- No foreign key to entries: a per-row referential trigger would cost a bulk
-- post one trigger event per entry; the numbering trigger writes only
-- entries it has just read, and verify checks the pairing.
-- The trigger copies book and month from the entry, so no CHECK repeats the
-- entries' own. The unique index leads with month and number, which decide
-- nearly every comparison: a bulk post inserting 10,000 numbers then hardly
-- ever compares text, which under the database's locale calls the C
-- library's collation (with book first, the numbering of a 10,000-entry
-- batch cost a median 65 ms of server CPU against 35 ms, on a loaded VM).
CREATE TABLE entry_vouchers (
    entry_id  bigint PRIMARY KEY,
    book      text NOT NULL,
    month     date NOT NULL,
    seq       integer NOT NULL,
    CONSTRAINT entry_vouchers_seq_key UNIQUE (month, seq, book)
);

-- Existing entries are numbered by effective date, then id, within their
-- book and month, so that an upgraded database is continuous too. Posting
-- waits until this migration commits (and the migration for transactions
-- that are posting now), so no entry escapes both this and the trigger.
LOCK TABLE entries IN SHARE MODE;
INSERT INTO entry_vouchers (entry_id, book, month, seq)
    SELECT id, book, date_trunc('month', effective_date)::date,
           row_number() OVER (PARTITION BY book, date_trunc('month', effective_date) ORDER BY effective_date, id)
      FROM entries;
INSERT INTO voucher_counters (book, month, last_seq)
    SELECT book, month, max(seq) FROM entry_vouchers GROUP BY book, month;

-- Written only by the ledger's triggers; never changed or removed.
CREATE TRIGGER entry_vouchers_derived BEFORE INSERT ON entry_vouchers
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();
CREATE TRIGGER entry_vouchers_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON entry_vouchers
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER voucher_counters_derived BEFORE INSERT OR UPDATE ON voucher_counters
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();
CREATE TRIGGER voucher_counters_append_only BEFORE DELETE OR TRUNCATE ON voucher_counters
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

-- At commit: number the transaction's entries that have no number yet, per
-- book and month in id order, after the numbers already given. Three
-- statements, none of which joins: the first counts the new entries of each
-- book and month (one pass over the transaction's id range, into small
-- arrays sorted by book and month); the second raises those counters by
-- the counts, locking them in that order, so that two transactions spanning
-- the same months queue instead of deadlocking; the third numbers each
-- entry below its counter's new value, finding its book and month in the
-- arrays by position.
--
-- The trigger fires on the transaction's tx_entries row: on its INSERT (the
-- transaction's first statement that inserted entries) and on each UPDATE
-- (each later one widens the range). Deferred, the INSERT event comes first
-- and numbers everything; the UPDATE events then find nothing left. Only
-- when someone sets the constraint IMMEDIATE do they each number the
-- entries of their own statement. The first numbering of a transaction is
-- always its INSERT event, so that one need not look for numbers already
-- given (the common path of a bulk post skips one index probe per entry).
-- +goose StatementBegin
CREATE FUNCTION fl_entries_numbered() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    lo bigint;
    hi bigint;
    first_time boolean := TG_OP = 'INSERT';
    -- per book and month with new entries, sorted by book and month: a key
    -- (the days from 2000-01-01 to the month's first day × 2, + 1 in the
    -- budget book), the book, the month, the number of new entries and the
    -- counter after raising it
    g_key integer[];
    g_book text[];
    g_month date[];
    g_n integer[];
    g_last integer[];
BEGIN
    SELECT min_id, max_id INTO lo, hi FROM tx_entries WHERE txid = NEW.txid;
    IF lo IS NULL THEN
        RAISE EXCEPTION 'the voucher numbering of transaction % lost its range of entries', NEW.txid USING ERRCODE = 'FL006';
    END IF;
    SELECT array_agg(k ORDER BY b, m), array_agg(b ORDER BY b, m), array_agg(m ORDER BY b, m), array_agg(n ORDER BY b, m)
      INTO g_key, g_book, g_month, g_n
      FROM (SELECT e.book AS b, date_trunc('month', e.effective_date::timestamp)::date AS m,
                   ((date_trunc('month', e.effective_date::timestamp)::date - DATE '2000-01-01') * 2
                    + (e.book = 'budget')::integer) AS k,
                   count(*)::integer AS n
              FROM entries e
             WHERE e.id BETWEEN lo AND hi AND e.created_txid = NEW.txid
               AND (first_time OR NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.id))
             GROUP BY 1, 2, 3) s;
    IF g_key IS NULL THEN
        RETURN NULL;
    END IF;
    WITH raised AS (
        INSERT INTO voucher_counters AS c (book, month, last_seq)
            SELECT u.b, u.m, u.n FROM unnest(g_book, g_month, g_n) WITH ORDINALITY AS u(b, m, n, i) ORDER BY u.i
        ON CONFLICT (book, month) DO UPDATE SET last_seq = c.last_seq + EXCLUDED.last_seq
        RETURNING c.book, c.month, c.last_seq
    )
    SELECT array_agg(last_seq ORDER BY book, month) INTO g_last FROM raised;
    INSERT INTO entry_vouchers (entry_id, book, month, seq)
        SELECT s.id, g_book[s.i], g_month[s.i], g_last[s.i] - g_n[s.i] + row_number() OVER (PARTITION BY s.i ORDER BY s.id)::integer
          FROM (SELECT e.id, array_position(g_key, (date_trunc('month', e.effective_date::timestamp)::date - DATE '2000-01-01') * 2
                                                   + (e.book = 'budget')::integer) AS i
                  FROM entries e
                 WHERE e.id BETWEEN lo AND hi AND e.created_txid = NEW.txid
                   AND (first_time OR NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.id))) s;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER tx_entries_vouchers AFTER INSERT OR UPDATE ON tx_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION fl_entries_numbered();
