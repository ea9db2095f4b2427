-- Posting whose cost per posting does not grow with the accounts a batch
-- touches, and less work per batch against a raw COPY of the same rows
-- (issue 16, item 2). The invariants are 00015's, computed for less; only
-- the way the checks are computed changes:
--
--   * The entries a statement posts into are checked in one range scan of
--     the entries' primary key (the statement's lowest to highest entry
--     id), compared whole with the statement's entries as arrays, instead
--     of one index probe per entry. Only when the two differ (postings
--     into some of a range's entries, or a refusal) does 00015's exact
--     query run, and name the entry.
--
--   * The lock that makes concurrent posters queue on a no_overdraft
--     account is the update of its running total (account_balances), taken
--     in account id order, instead of a separate FOR UPDATE of its accounts
--     row: the row is locked in both cases, until commit, and the update
--     (INSERT … ON CONFLICT DO UPDATE) always applies to the newest
--     committed total, whatever the statement's snapshot. One locking
--     write per account instead of two (the ledger's Go code no longer
--     locks the accounts row before it either).
--
--   * account_balances keeps the last day posted to the account (last_day).
--     A statement that posts to such an account only on one day D, on or
--     after that last day, changes no balance before D and none after it
--     exists, so the account's balance is >= 0 on every day exactly when
--     its new total is: that is read from the total just updated, with no
--     read of the day history. Any other statement (back-dated, or on
--     several days) checks the days from the first one it lowers the
--     account, as 00015 did, in a statement that starts after the locks
--     are held (so its snapshot sees every committed posting to the
--     account).
--
--   * The statement's new rows are read in fewer passes, and the day
--     totals are written in key order. The function's sorts and hashes
--     get 64 MB (a batch is at most 50,000 entries), so a batch's
--     aggregates no longer spill to temporary files at the default 4 MB.
--
--   * Voucher numbering (00010) numbers the common case of one book and one
--     month straight from the entries' index order, without a sort.
--
-- Functions replaced: fl_postings_inserted (00015), fl_entries_numbered
-- (00010). Nothing that 00015 or 00010 refuses becomes allowed.

-- +goose Up

-- The last day with a posting, per no_overdraft account (NULL: none yet).
-- Filled here with the derived-only guard off for the moment (this
-- transaction holds the table's exclusive lock).
ALTER TABLE account_balances ADD COLUMN last_day date;
ALTER TABLE account_balances DISABLE TRIGGER account_balances_derived;
UPDATE account_balances t SET last_day = x.day
  FROM (SELECT b.account_id, max(b.day) AS day FROM account_day_balances b
          JOIN account_balances ab ON ab.account_id = b.account_id GROUP BY b.account_id) x
 WHERE t.account_id = x.account_id;
ALTER TABLE account_balances ENABLE TRIGGER account_balances_derived;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_postings_inserted() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan
    SET work_mem = '64MB' AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    bad record;
    -- per entry posted into, sorted by entry id: its date and book as posted
    p_id bigint[];
    p_date date[];
    p_book text[];
    -- the entries of this transaction in the range of p_id, as stored
    e_id bigint[];
    e_date date[];
    e_book text[];
    n_groups bigint;
    n_found bigint;
    n_bad bigint;
    n_accs bigint;
    n_accs_found bigint;
    wrong_book bigint;
    -- per no_overdraft account posted to, sorted by account id: the
    -- statement's debits and credits, its first and last day, the first
    -- day it lowers the account (NULL: it only raises it), the normal side
    o_acc bigint[];
    o_d numeric[];
    o_c numeric[];
    o_first date[];
    o_last date[];
    o_down date[];
    o_side char(1)[];
    -- the same accounts after adding to their totals: debits less
    -- credits, last day
    r_acc bigint[];
    r_net numeric[];
    r_last date[];
    any_over boolean; -- an account lowered on its last day ends below zero
    any_slow boolean; -- an account lowered otherwise: its days must be read
    over_acc bigint;  -- the first account and day that would go below zero
    over_day date;
    over_cum numeric;
BEGIN
    -- Per entry, the date and book posted with, sorted by entry: an entry
    -- whose postings disagree on date or book appears twice.
    SELECT array_agg(entry_id), array_agg(effective_date), array_agg(book)
      INTO p_id, p_date, p_book
      FROM (SELECT entry_id, effective_date, book FROM new_postings
             GROUP BY entry_id, effective_date, book ORDER BY entry_id, effective_date, book) p;
    IF p_id IS NULL THEN
        RETURN NULL;
    END IF;
    -- The entries of this transaction from the first to the last posted
    -- into, in one range scan. Equal arrays: every posting is in an entry
    -- of this transaction, with its date and book.
    SELECT array_agg(id), array_agg(effective_date), array_agg(book)
      INTO e_id, e_date, e_book
      FROM (SELECT id, effective_date, book FROM entries
             WHERE id BETWEEN p_id[1] AND p_id[cardinality(p_id)] AND created_txid = me ORDER BY id) e;
    IF (p_id = e_id AND p_date = e_date AND p_book = e_book) IS NOT TRUE THEN
        -- Postings into only some of the range's entries, or a refusal:
        -- 00015's exact check, entry by entry.
        SELECT count(*), count(e.id),
               count(*) FILTER (WHERE e.created_txid <> me OR e.effective_date <> p.effective_date OR e.book <> p.book)
          INTO n_groups, n_found, n_bad
          FROM (SELECT entry_id, effective_date, book FROM new_postings GROUP BY entry_id, effective_date, book) p
          LEFT JOIN entries e ON e.id = p.entry_id;
        IF n_found <> n_groups OR n_bad > 0 THEN
            SELECT p.entry_id AS id INTO bad FROM (SELECT DISTINCT entry_id FROM new_postings) p
             WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = p.entry_id) ORDER BY p.entry_id LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'posting refused: entry % does not exist', bad.id USING ERRCODE = '23503';
            END IF;
            SELECT e.id INTO bad FROM (SELECT DISTINCT entry_id FROM new_postings) p JOIN entries e ON e.id = p.entry_id
             WHERE e.created_txid <> me ORDER BY e.id LIMIT 1;
            IF FOUND THEN
                RAISE EXCEPTION 'posting into entry % refused: postings are added only in the transaction that creates the entry',
                    bad.id USING ERRCODE = 'FL004';
            END IF;
            SELECT p.entry_id AS id INTO bad
              FROM (SELECT DISTINCT entry_id, effective_date, book FROM new_postings) p JOIN entries e ON e.id = p.entry_id
             WHERE e.effective_date <> p.effective_date OR e.book <> p.book ORDER BY p.entry_id LIMIT 1;
            RAISE EXCEPTION 'posting into entry % refused: its date and book must be the entry''s', bad.id
                USING ERRCODE = '23514';
        END IF;
    END IF;

    -- Per account and book posted to, against the account as stored; the
    -- no_overdraft ones with what the statement does to them.
    SELECT count(*), count(x.id), min(x.id) FILTER (WHERE x.book <> x.posted_book),
           array_agg(x.account_id) FILTER (WHERE x.no_overdraft), array_agg(x.d) FILTER (WHERE x.no_overdraft),
           array_agg(x.c) FILTER (WHERE x.no_overdraft), array_agg(x.first_day) FILTER (WHERE x.no_overdraft),
           array_agg(x.last_day) FILTER (WHERE x.no_overdraft),
           array_agg(CASE WHEN x.normal_side = 'D' THEN x.first_c ELSE x.first_d END) FILTER (WHERE x.no_overdraft),
           array_agg(x.normal_side) FILTER (WHERE x.no_overdraft)
      INTO n_accs, n_accs_found, wrong_book, o_acc, o_d, o_c, o_first, o_last, o_down, o_side
      FROM (SELECT g.account_id, g.book AS posted_book, g.d, g.c, g.first_day, g.last_day, g.first_d, g.first_c,
                   a.id, a.book, a.no_overdraft, a.normal_side
              FROM (SELECT account_id, book,
                           coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS d,
                           coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS c,
                           min(effective_date) AS first_day, max(effective_date) AS last_day,
                           min(effective_date) FILTER (WHERE side = 'D') AS first_d,
                           min(effective_date) FILTER (WHERE side = 'C') AS first_c
                      FROM new_postings GROUP BY account_id, book) g
              -- one index probe per account (OFFSET 0 keeps the planner from
              -- turning it into a hash of every account, a plan that a
              -- first large statement would leave cached for small ones)
              LEFT JOIN LATERAL (SELECT a.id, a.book, a.no_overdraft, a.normal_side FROM accounts a
                                  WHERE a.id = g.account_id OFFSET 0) a ON true
             ORDER BY g.account_id) x;
    IF n_accs_found <> n_accs THEN
        SELECT g.account_id AS id INTO bad FROM (SELECT DISTINCT account_id FROM new_postings) g
         WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.id = g.account_id) ORDER BY g.account_id LIMIT 1;
        RAISE EXCEPTION 'posting refused: account % does not exist', bad.id USING ERRCODE = '23503';
    END IF;
    IF wrong_book IS NOT NULL THEN
        SELECT a.code, a.book INTO bad FROM accounts a WHERE a.id = wrong_book;
        RAISE EXCEPTION 'a % book entry cannot post to account %, which is in the % book',
            CASE bad.book WHEN 'financial' THEN 'budget' ELSE 'financial' END, bad.code, bad.book USING ERRCODE = 'FL005';
    END IF;
    -- (Each account is now in one book only, so o_acc has no repeats.)

    -- The no_overdraft accounts' totals, in account id order: the update
    -- locks each total's row until commit, so concurrent posters to an
    -- account queue here, and it adds to the newest committed total.
    IF o_acc IS NOT NULL THEN
        WITH raised AS (
            INSERT INTO account_balances AS t (account_id, debit, credit, last_day)
                SELECT u.a, u.d, u.c, u.l FROM unnest(o_acc, o_d, o_c, o_last) AS u(a, d, c, l) ORDER BY u.a
            ON CONFLICT (account_id) DO UPDATE
                SET debit = t.debit + EXCLUDED.debit,
                    credit = t.credit + EXCLUDED.credit,
                    last_day = greatest(t.last_day, EXCLUDED.last_day)
            RETURNING t.account_id, t.debit, t.credit, t.last_day)
        SELECT array_agg(account_id), array_agg(debit - credit), array_agg(last_day) INTO r_acc, r_net, r_last
          FROM (SELECT account_id, debit, credit, last_day FROM raised ORDER BY account_id) r;
        -- Both sorted by account: the totals line up with o_acc.
        IF r_acc IS DISTINCT FROM o_acc THEN
            RAISE EXCEPTION 'the running totals updated (% accounts) are not those of the accounts posted to (%)',
                cardinality(r_acc), cardinality(o_acc) USING ERRCODE = 'FL006';
        END IF;
    END IF;

    INSERT INTO account_day_balances (account_id, day, debit, credit)
        SELECT account_id, effective_date,
               coalesce(sum(amount) FILTER (WHERE side = 'D'), 0), coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
          FROM new_postings GROUP BY account_id, effective_date
         ORDER BY account_id, effective_date
    ON CONFLICT (account_id, day) DO UPDATE
        SET debit = account_day_balances.debit + EXCLUDED.debit,
            credit = account_day_balances.credit + EXCLUDED.credit;
    IF o_acc IS NULL THEN
        RETURN NULL;
    END IF;

    -- The balance must stay >= 0 on every day, not only today: a payment
    -- back-dated before the money arrived is an overdraft too. An account
    -- lowered on one day only, that day being its last (r_last = the
    -- statement's only day): its balance on that day is its total, and no
    -- earlier day changed.
    SELECT bool_or(u.bal < 0 AND u.fd = u.ld AND u.rlast = u.ld),
           coalesce(bool_or(NOT (u.fd = u.ld AND u.rlast = u.ld)), false)
      INTO any_over, any_slow
      FROM (SELECT c.*, CASE WHEN c.side = 'D' THEN c.net ELSE -c.net END AS bal
              FROM unnest(o_acc, o_first, o_last, o_down, o_side, r_net, r_last) AS c(a, fd, ld, down, side, net, rlast)) u
     WHERE u.down IS NOT NULL;
    IF NOT any_slow THEN
        IF any_over THEN
            SELECT u.a, u.ld, u.bal INTO over_acc, over_day, over_cum
              FROM (SELECT c.*, CASE WHEN c.side = 'D' THEN c.net ELSE -c.net END AS bal
                      FROM unnest(o_acc, o_last, o_down, o_side, r_net) AS c(a, ld, down, side, net)) u
             WHERE u.down IS NOT NULL AND u.bal < 0
             ORDER BY u.ld, (SELECT a.code FROM accounts a WHERE a.id = u.a) LIMIT 1;
            RAISE EXCEPTION 'account % would overdraw by % on %', (SELECT a.code FROM accounts a WHERE a.id = over_acc), -over_cum, over_day
                USING ERRCODE = 'FL002';
        END IF;
        RETURN NULL;
    END IF;
    -- The others: from the first day the statement lowers the account, its
    -- balance on each day is its total less what was posted after that
    -- day. (Accounts of the quick check that would overdraw are read here
    -- too, so that the day and account named are the first, as in 00015.)
    SELECT s.account_id, s.day, s.cum INTO over_acc, over_day, over_cum FROM (
        SELECT u.a AS account_id, b.day,
               u.bal - coalesce(sum(CASE WHEN u.side = 'D' THEN b.debit - b.credit ELSE b.credit - b.debit END)
                   OVER (PARTITION BY u.a ORDER BY b.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum
          FROM (SELECT c.*, CASE WHEN c.side = 'D' THEN c.net ELSE -c.net END AS bal
                  FROM unnest(o_acc, o_first, o_last, o_down, o_side, r_net, r_last) AS c(a, fd, ld, down, side, net, rlast)) u
          JOIN account_day_balances b ON b.account_id = u.a AND b.day >= u.down
         WHERE u.down IS NOT NULL AND (u.bal < 0 OR NOT (u.fd = u.ld AND u.rlast = u.ld))
    ) s WHERE s.cum < 0
     ORDER BY s.day, (SELECT a.code FROM accounts a WHERE a.id = s.account_id) LIMIT 1;
    IF over_acc IS NOT NULL THEN
        RAISE EXCEPTION 'account % would overdraw by % on %', (SELECT a.code FROM accounts a WHERE a.id = over_acc), -over_cum, over_day
            USING ERRCODE = 'FL002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd

-- At commit: number the transaction's entries that have no number yet, per
-- book and month in id order, after the numbers already given (as 00010).
-- When they are all of one book and month, as nearly every transaction's
-- are, the numbers follow the entries' primary key order directly.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_entries_numbered() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    lo bigint;
    hi bigint;
    first_time boolean := TG_OP = 'INSERT';
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
    IF cardinality(g_key) = 1 THEN
        INSERT INTO entry_vouchers (entry_id, book, month, seq)
            SELECT e.id, g_book[1], g_month[1], g_last[1] - g_n[1] + (row_number() OVER (ORDER BY e.id))::integer
              FROM entries e
             WHERE e.id BETWEEN lo AND hi AND e.created_txid = NEW.txid
               AND (first_time OR NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.id));
        RETURN NULL;
    END IF;
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
