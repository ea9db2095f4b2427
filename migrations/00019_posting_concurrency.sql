-- Posting that does not queue on the district totals, and rolls a batch
-- up by key before it spreads it over periods (issue 16, item 2). The
-- totals are what 00017 defines, computed from the same postings; only the
-- rows they are kept in change:
--
--   * A key of district_totals (district, book, type, role, source,
--     category; per period) was one row, updated by every statement that
--     posted to it and locked until its transaction committed: two
--     transactions posting into the same district queued on it from their
--     postings to the end of the slower one's commit (the WAL flush
--     included), so concurrent single posts of one district ran one at a
--     time. A key is now kept in up to 16 rows, its slots (column slot,
--     0–15): a posting transaction adds to the slot it holds, the first
--     one free when it first posts (a transaction-scoped advisory lock,
--     pg_try_advisory_xact_lock(0x44544f54, slot), held to its commit or
--     rollback), so transactions that overlap in time write different rows
--     and do not wait for each other. When all 16 are held it adds to slot
--     (backend pid mod 16) without holding it: it may then wait for that
--     row's holder, as every poster did before. A lone poster always holds
--     slot 0, so a key rarely has more than a few rows.
--     The total of a key is the sum of its slots: ledger.DistrictTotals
--     sums them (it already summed periods), and verify compares the sum.
--
--   * The trigger first sums the statement's postings per key and day
--     (the accounts' district, book, type, role, source and category),
--     then spreads each key and day over its four periods: with 60,000
--     accounts of a few hundred keys, it spreads a few hundred rows
--     instead of 60,000 account-days (×8 rows each) that it then summed
--     again.
--
--   * Voucher numbers (00010) are given right after the posting
--     transaction commits, by a numbering run, instead of inside it. A
--     number given inside the posting transaction held its (book, month)
--     counter row from the numbering to the end of the commit, WAL flush
--     included, so every poster of a month committed one after the other
--     (4 durable clients ran at 0.15 of bare INSERT commits, against 0.30
--     without the numbering). Now:
--       - at commit, the transaction's deferred trigger (tx_entries_vouchers,
--         as before) queues its range of entries in voucher_queue, a row of
--         its own: no lock anyone else waits for;
--       - a numbering run (an INSERT into voucher_numbering, which stores
--         nothing: its trigger does the work) takes one advisory lock, then
--         numbers every entry of every committed queued transaction, per
--         book and month in entry id order after the numbers already
--         given, raises the counters and removes those queue rows, all in
--         its own transaction. The ledger starts one after each commit that
--         posted (Post, PostBatch, InTx) and inside every close or reopen of
--         a month; concurrent runs queue on the lock, and the later ones
--         find their entries already numbered by the first, so one run's
--         flush numbers the entries of many posters.
--     Kept: the numbers of a book and month are 1, 2, 3… with no gap and
--     no repeat, and never change (a run that fails or rolls back takes
--     its numbers and its queue deletions with it; a transaction that
--     rolls back never queued). Changed: an entry has its number once the
--     run after its commit has committed, not at its commit; an entry
--     committed by raw SQL, or whose poster died between its commit and
--     the run, waits in the queue for the next run (the next post, a
--     close, or ledger.NumberVouchers). Numbers follow the order in which
--     transactions were numbered, which is their commit order up to the
--     posters that committed while a run was going on.
--
-- Written only by the triggers, as in 00017 and 00010 (fl_derived_only);
-- the raw-SQL refusals are unchanged.

-- +goose Up

ALTER TABLE district_totals ADD COLUMN slot smallint NOT NULL DEFAULT 0 CHECK (slot BETWEEN 0 AND 15);
ALTER TABLE district_totals DROP CONSTRAINT district_totals_pkey;
ALTER TABLE district_totals ADD PRIMARY KEY (detail, grain, start, district, book, type, role, source, category, slot);

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_district_totals_posted() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    my_slot smallint;
BEGIN
    -- The first slot free, or already this transaction's (the lock is
    -- re-entrant): held until the transaction ends.
    FOR s IN 0..15 LOOP
        IF pg_try_advisory_xact_lock(x'44544f54'::integer, s) THEN
            my_slot := s;
            EXIT;
        END IF;
    END LOOP;
    IF my_slot IS NULL THEN
        my_slot := pg_backend_pid() % 16;
    END IF;
    INSERT INTO district_totals AS dt (detail, grain, start, district, book, type, role, source, category, slot, debit, credit)
    SELECT t.detail, t.grain, t.start, t.district, t.book, t.type, t.role, t.source, t.category, my_slot, sum(t.debit), sum(t.credit)
      FROM (SELECT k.district, k.book, k.type, k.role, k.source, k.category, k.day, sum(k.debit) AS debit, sum(k.credit) AS credit
              FROM (SELECT a.district, a.book, a.type, fl_account_role(a.code) AS role, a.source, a.category, n.effective_date AS day,
                           coalesce(sum(n.amount) FILTER (WHERE n.side = 'D'), 0) AS debit,
                           coalesce(sum(n.amount) FILTER (WHERE n.side = 'C'), 0) AS credit
                      FROM (SELECT account_id, effective_date, side, sum(amount) AS amount FROM new_postings
                             GROUP BY account_id, effective_date, side) n
                      JOIN accounts a ON a.id = n.account_id
                     GROUP BY a.id, n.effective_date) k
             GROUP BY 1, 2, 3, 4, 5, 6, 7) x,
           -- the role passed as the code: fl_account_role of a role is the role
           fl_district_totals_of(x.district, x.book, x.type, x.role, x.source, x.category, x.day, x.debit, x.credit) t
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ON CONFLICT (detail, grain, start, district, book, type, role, source, category, slot) DO UPDATE
        SET debit = dt.debit + EXCLUDED.debit, credit = dt.credit + EXCLUDED.credit;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- The transactions whose entries wait for their numbers, with their
-- range of entry ids (as tx_entries): written at commit by the deferred
-- trigger, removed by the numbering run that numbers them.
CREATE TABLE voucher_queue (
    txid    xid8 PRIMARY KEY,
    min_id  bigint NOT NULL,
    max_id  bigint NOT NULL
);
CREATE TRIGGER voucher_queue_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON voucher_queue
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();

-- At commit (the constraint trigger tx_entries_vouchers of 00010, on the
-- transaction's tx_entries row): queue the transaction.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_entries_numbered() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO voucher_queue AS q (txid, min_id, max_id) VALUES (NEW.txid, NEW.min_id, NEW.max_id)
    ON CONFLICT (txid) DO UPDATE SET min_id = least(q.min_id, EXCLUDED.min_id), max_id = greatest(q.max_id, EXCLUDED.max_id);
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- A numbering run: INSERT INTO voucher_numbering DEFAULT VALUES. The table
-- never holds a row (its trigger returns NULL); it is the way in, because
-- the numbers and counters may only be written from inside a trigger.
CREATE TABLE voucher_numbering (requested boolean);

-- Numbers the committed queued transactions, up to 1,000 at a time, oldest
-- range first, until none is left. Each chunk is read into arrays once, so
-- that a transaction committing during the run is numbered whole by this
-- run or the next, never in part: the counters are raised by the counts of
-- exactly the entries then numbered.
-- +goose StatementBegin
-- (jit off: with sequential scans off, the queue's scan is costed so high
-- that the server would compile the query to machine code at every run,
-- 150-280 ms on this machine, for a table of a few rows.)
CREATE FUNCTION fl_vouchers_numbered() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET jit = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    q_txid xid8[];
    q_lo bigint[];
    q_hi bigint[];
    g_key integer[];
    g_book text[];
    g_month date[];
    g_n integer[];
    g_last integer[];
BEGIN
    -- One run at a time. The statements below start after the lock is
    -- granted, so they see every run committed before.
    PERFORM pg_advisory_xact_lock(x'564f5543'::integer, 0);
    LOOP
        SELECT array_agg(txid ORDER BY min_id), array_agg(min_id ORDER BY min_id), array_agg(max_id ORDER BY min_id)
          INTO q_txid, q_lo, q_hi
          FROM (SELECT txid, min_id, max_id FROM voucher_queue ORDER BY min_id LIMIT 1000) q;
        EXIT WHEN q_txid IS NULL;
        SELECT array_agg(k ORDER BY b, m), array_agg(b ORDER BY b, m), array_agg(m ORDER BY b, m), array_agg(n ORDER BY b, m)
          INTO g_key, g_book, g_month, g_n
          FROM (SELECT e.book AS b, date_trunc('month', e.effective_date::timestamp)::date AS m,
                       ((date_trunc('month', e.effective_date::timestamp)::date - DATE '2000-01-01') * 2
                        + (e.book = 'budget')::integer) AS k,
                       count(*)::integer AS n
                  FROM unnest(q_txid, q_lo, q_hi) AS q(txid, lo, hi)
                  JOIN entries e ON e.id BETWEEN q.lo AND q.hi AND e.created_txid = q.txid
                 GROUP BY 1, 2, 3) s;
        IF g_key IS NOT NULL THEN
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
                          FROM unnest(q_txid, q_lo, q_hi) AS q(txid, lo, hi)
                          JOIN entries e ON e.id BETWEEN q.lo AND q.hi AND e.created_txid = q.txid) s;
        END IF;
        DELETE FROM voucher_queue v USING unnest(q_txid) AS q(txid) WHERE v.txid = q.txid;
    END LOOP;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER voucher_numbering_run BEFORE INSERT ON voucher_numbering
    FOR EACH ROW EXECUTE FUNCTION fl_vouchers_numbered();
