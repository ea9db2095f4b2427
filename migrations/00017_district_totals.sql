-- Reports at national scale (issue 16): running totals per district, kept
-- by the postings path, so that a rolled-up trial balance, a district
-- report or a balance as of a date reads a few rows per district instead
-- of every account's day totals.
--
-- district_totals holds, per key and period, the debits and credits
-- posted. A key is (district, book, account type) when detail is false
-- (the class totals a rolled-up trial balance reads), and (district, book,
-- type, role, source, category) when detail is true (what a district report
-- reads; role is fl_account_role of the account's code). Each posting adds
-- to four periods of its key: all time ('A', start -infinity), its year
-- ('Y'), its month ('M') and its day ('D'). Everything posted is then one
-- row per key; the balance at the end of day t is the years before t's
-- year, the months of that year before t's month and the days of t's month
-- up to t: at most 6 + 11 + 31 rows per key, found by ranges of the
-- primary key, whatever the number of accounts or postings.
--
-- Derived like account_day_balances: written only by the trigger below
-- (fl_derived_only), and `verify` recomputes it from the postings.
--
-- The maintenance is its own statement-level trigger with its own function
-- (postings_roll_up_totals / fl_district_totals_posted), separate from the
-- posting checks of fl_postings_inserted, so either can be replaced
-- without touching the other. Its name sorts after postings_inserted, so it
-- runs after the posting checks have passed and the no_overdraft accounts
-- are locked. The rows of one statement are added in primary-key order, so
-- concurrent statements take their row locks in the same order.

-- +goose Up

-- The role of an account in funding's chart (funding/accounts.go): the
-- first segment of its code, or its first two when the first is "budget"
-- (cash, revenue, expense, budget:committed, budget:line, …).
-- +goose StatementBegin
CREATE FUNCTION fl_account_role(code text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN split_part(code, ':', 1) = 'budget' AND split_part(code, ':', 2) <> ''
                THEN 'budget:' || split_part(code, ':', 2)
                ELSE split_part(code, ':', 1) END
$$;
-- +goose StatementEnd

CREATE TABLE district_totals (
    detail    boolean NOT NULL,
    grain     char(1) NOT NULL CHECK (grain IN ('A', 'Y', 'M', 'D')),
    start     date NOT NULL,
    district  text NOT NULL,  -- '' : accounts of no district
    book      text NOT NULL,
    type      text NOT NULL,
    role      text NOT NULL,  -- '' in the class totals (detail false)
    source    text NOT NULL,
    category  text NOT NULL,
    debit     numeric NOT NULL,
    credit    numeric NOT NULL,
    PRIMARY KEY (detail, grain, start, district, book, type, role, source, category)
) WITH (fillfactor = 70);

-- The rows of a set of postings (new_postings joined to their accounts),
-- as the trigger adds them and as `verify` recomputes them.
-- +goose StatementBegin
CREATE FUNCTION fl_district_totals_of(p_district text, p_book text, p_type text, p_code text, p_source text,
        p_category text, p_day date, p_debit numeric, p_credit numeric)
    RETURNS TABLE (detail boolean, grain char(1), start date, district text, book text, type text, role text,
                   source text, category text, debit numeric, credit numeric)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT d.detail, g.grain, g.start, coalesce(p_district, ''), p_book, p_type,
           CASE WHEN d.detail THEN fl_account_role(p_code) ELSE '' END,
           CASE WHEN d.detail THEN coalesce(p_source, '') ELSE '' END,
           CASE WHEN d.detail THEN coalesce(p_category, '') ELSE '' END,
           p_debit, p_credit
      FROM (VALUES (false), (true)) d (detail),
           (VALUES ('A'::char(1), '-infinity'::date), ('Y', date_trunc('year', p_day::timestamp)::date),
                   ('M', date_trunc('month', p_day::timestamp)::date), ('D', p_day)) g (grain, start)
$$;
-- +goose StatementEnd

-- The books posted before this migration.
INSERT INTO district_totals
SELECT t.detail, t.grain, t.start, t.district, t.book, t.type, t.role, t.source, t.category, sum(t.debit), sum(t.credit)
  FROM (SELECT a.district, a.book, a.type, a.code, a.source, a.category, b.day, b.debit, b.credit
          FROM account_day_balances b JOIN accounts a ON a.id = b.account_id) x,
       fl_district_totals_of(x.district, x.book, x.type, x.code, x.source, x.category, x.day, x.debit, x.credit) t
 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9;

CREATE TRIGGER district_totals_derived BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON district_totals
    FOR EACH STATEMENT EXECUTE FUNCTION fl_derived_only();

-- +goose StatementBegin
CREATE FUNCTION fl_district_totals_posted() RETURNS trigger LANGUAGE plpgsql
    SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    INSERT INTO district_totals AS dt
    SELECT t.detail, t.grain, t.start, t.district, t.book, t.type, t.role, t.source, t.category, sum(t.debit), sum(t.credit)
      FROM (SELECT a.district, a.book, a.type, a.code, a.source, a.category, n.effective_date AS day,
                   coalesce(sum(n.amount) FILTER (WHERE n.side = 'D'), 0) AS debit,
                   coalesce(sum(n.amount) FILTER (WHERE n.side = 'C'), 0) AS credit
              FROM (SELECT account_id, effective_date, side, sum(amount) AS amount FROM new_postings
                     GROUP BY account_id, effective_date, side) n
              JOIN accounts a ON a.id = n.account_id
             GROUP BY a.id, n.effective_date) x,
           fl_district_totals_of(x.district, x.book, x.type, x.code, x.source, x.category, x.day, x.debit, x.credit) t
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9
     ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9
    ON CONFLICT (detail, grain, start, district, book, type, role, source, category) DO UPDATE
        SET debit = dt.debit + EXCLUDED.debit, credit = dt.credit + EXCLUDED.credit;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER postings_roll_up_totals AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION fl_district_totals_posted();
