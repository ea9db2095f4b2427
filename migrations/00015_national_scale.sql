-- National scale (issue 16): where each district sits (city, province) so
-- that the books roll up province -> city -> district, and the progress of
-- a simulated programme so that `fundledger simulate` resumes where it was
-- interrupted.

-- +goose Up

-- The parent city and province of a district. A district without a row is
-- reported under an unnamed city and province. Append-only: a district
-- does not move.
CREATE TABLE district_regions (
    district    text PRIMARY KEY REFERENCES districts (code),
    city        text NOT NULL CHECK (btrim(city) <> '' AND length(city) <= 200),
    province    text NOT NULL CHECK (btrim(province) <> '' AND length(province) <= 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text NOT NULL DEFAULT current_user
);
CREATE INDEX district_regions_city ON district_regions (province, city);
CREATE TRIGGER district_regions_append_only BEFORE UPDATE OR DELETE ON district_regions
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
-- The six districts of the annex are Weihai's, in Shandong.
INSERT INTO district_regions (district, city, province, created_by)
SELECT code, '威海市', '山东省', 'migration' FROM districts
 WHERE code IN ('huancui', 'wendeng', 'rongcheng', 'rushan', 'gaoqu', 'jingqu');

-- A project's accounts are looked up by project on every approval, receipt
-- and payment (its lines, what it paid); without an index that reads every
-- account of the city, so a programme's set-up grew quadratic in projects.
CREATE INDEX IF NOT EXISTS accounts_project ON accounts (project, category) WHERE project IS NOT NULL;

-- How far a simulated programme got: communities [0, done) are complete.
CREATE TABLE simulation_progress (
    seed         bigint NOT NULL,
    communities  integer NOT NULL CHECK (communities > 0),
    cities       integer NOT NULL CHECK (cities > 0),
    done         integer NOT NULL CHECK (done >= 0 AND done <= communities),
    started_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (seed, communities, cities)
);

-- Posting that does not fall off a cliff with the number of accounts a
-- batch touches. 00007's fl_postings_inserted tested membership row by row
-- against arrays of every account of the statement (= ANY(array): quadratic
-- in the accounts of a batch) and checked a no_overdraft account's balance
-- on every day by reading its whole day history. The same invariants, now:
--   * every membership test is a join of the statement's rows grouped by
--     entry or account with the table's primary key (index probes, never an
--     array scan per row);
--   * each no_overdraft account keeps its running total (account_balances,
--     derived, like account_day_balances, and written only by this
--     trigger). The balance on day t is then the total minus what was posted
--     after t, so the check reads only the days from the first one this
--     statement lowers the account: days before it only rose (or stayed),
--     and their balances were checked by the statements that wrote them.
--     A posting dated today reads one day row per account, however long the
--     account's history.

CREATE TABLE account_balances (
    account_id  bigint PRIMARY KEY,
    debit       numeric NOT NULL,
    credit      numeric NOT NULL
) WITH (fillfactor = 50);
INSERT INTO account_balances (account_id, debit, credit)
SELECT b.account_id, sum(b.debit), sum(b.credit)
  FROM account_day_balances b JOIN accounts a ON a.id = b.account_id
 WHERE a.no_overdraft
 GROUP BY b.account_id;
CREATE TRIGGER account_balances_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON account_balances
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();

-- New postings: only into entries of this transaction, with the entry's
-- date and book, on existing accounts of that book; lock the no_overdraft
-- accounts in id order; add to the day totals and the no_overdraft
-- accounts' totals; refuse an overdraft on any day.
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION fl_postings_inserted() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    bad record;
    n_groups bigint;
    n_found bigint;
    n_bad bigint;
    n_accs bigint;
    n_accs_found bigint;
    wrong_book bigint;
    any_od boolean;
    over_acc bigint;  -- the first account and day that would go below zero
    over_day date;
    over_cum numeric;
BEGIN
    -- Per entry, the date and book posted with, against the entry as
    -- stored. An entry whose postings disagree on date or book shows up
    -- twice, and one of the two differs from the entry.
    SELECT count(*), count(e.id),
           count(*) FILTER (WHERE e.created_txid <> me OR e.effective_date <> p.effective_date OR e.book <> p.book)
      INTO n_groups, n_found, n_bad
      FROM (SELECT entry_id, effective_date, book FROM new_postings GROUP BY entry_id, effective_date, book) p
      LEFT JOIN entries e ON e.id = p.entry_id;
    IF n_groups = 0 THEN
        RETURN NULL;
    END IF;
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

    SELECT count(*), count(a.id), min(a.id) FILTER (WHERE a.book <> g.book), coalesce(bool_or(a.no_overdraft), false)
      INTO n_accs, n_accs_found, wrong_book, any_od
      FROM (SELECT DISTINCT account_id, book FROM new_postings) g
      LEFT JOIN accounts a ON a.id = g.account_id;
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

    -- Lock the no_overdraft accounts in a fixed order before reading their
    -- balances, so concurrent posters queue instead of both passing the check.
    IF any_od THEN
        PERFORM 1 FROM (SELECT DISTINCT account_id FROM new_postings) g JOIN accounts a ON a.id = g.account_id
         WHERE a.no_overdraft ORDER BY a.id FOR UPDATE OF a;
    END IF;

    INSERT INTO account_day_balances (account_id, day, debit, credit)
        SELECT account_id, effective_date,
               coalesce(sum(amount) FILTER (WHERE side = 'D'), 0), coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
          FROM new_postings GROUP BY account_id, effective_date
    ON CONFLICT (account_id, day) DO UPDATE
        SET debit = account_day_balances.debit + EXCLUDED.debit,
            credit = account_day_balances.credit + EXCLUDED.credit;
    IF NOT any_od THEN
        RETURN NULL;
    END IF;

    -- The no_overdraft accounts: add to their totals, and from the first
    -- day this statement lowers one (a posting on the side opposite its
    -- normal side), its balance on each day is the new total less what was
    -- posted after that day. The balance must stay >= 0 on every day, not
    -- only today: a payment back-dated before the money arrived is an
    -- overdraft too.
    WITH g AS (
        SELECT account_id,
               coalesce(sum(amount) FILTER (WHERE side = 'D'), 0) AS d,
               coalesce(sum(amount) FILTER (WHERE side = 'C'), 0) AS c,
               min(effective_date) FILTER (WHERE side = 'D') AS first_d,
               min(effective_date) FILTER (WHERE side = 'C') AS first_c
          FROM new_postings GROUP BY account_id),
    od AS (
        SELECT g.account_id, g.d, g.c, a.normal_side,
               CASE WHEN a.normal_side = 'D' THEN g.first_c ELSE g.first_d END AS first_down
          FROM g JOIN accounts a ON a.id = g.account_id
         WHERE a.no_overdraft),
    tot AS (
        INSERT INTO account_balances (account_id, debit, credit)
            SELECT account_id, d, c FROM od
        ON CONFLICT (account_id) DO UPDATE
            SET debit = account_balances.debit + EXCLUDED.debit,
                credit = account_balances.credit + EXCLUDED.credit
        RETURNING account_id, debit, credit),
    chk AS (
        SELECT od.account_id, od.normal_side, od.first_down,
               CASE WHEN od.normal_side = 'D' THEN tot.debit - tot.credit ELSE tot.credit - tot.debit END AS total
          FROM od JOIN tot ON tot.account_id = od.account_id
         WHERE od.first_down IS NOT NULL),
    days AS (
        SELECT chk.account_id, b.day,
               chk.total - coalesce(sum(CASE WHEN chk.normal_side = 'D' THEN b.debit - b.credit ELSE b.credit - b.debit END)
                   OVER (PARTITION BY chk.account_id ORDER BY b.day DESC ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS cum
          FROM chk JOIN account_day_balances b ON b.account_id = chk.account_id AND b.day >= chk.first_down)
    SELECT s.account_id, s.day, s.cum INTO over_acc, over_day, over_cum
      FROM days s WHERE s.cum < 0
     ORDER BY s.day, (SELECT a.code FROM accounts a WHERE a.id = s.account_id) LIMIT 1;
    IF over_acc IS NOT NULL THEN
        RAISE EXCEPTION 'account % would overdraw by % on %', (SELECT a.code FROM accounts a WHERE a.id = over_acc), -over_cum, over_day
            USING ERRCODE = 'FL002';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
