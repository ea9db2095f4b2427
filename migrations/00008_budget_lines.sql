-- Budget-line control (无预算不支出, issue 12): a payment must fit the
-- approved budget of its project and category, and of its project,
-- category and source where the approval (or an adjustment) sets one.
--
-- Each line (project P of district D, category C, optionally source S) has
-- two budget-book accounts, a memorandum pair (备查):
--   budget:line:D:P:C[:S]           budget_asset, no overdraft — approved, not yet paid
--   budget:appropriation:D:P:C[:S]  budget_balance — its counterpart
-- An approval or a budget adjustment posts the change of the line's budget
-- (Dr line, Cr appropriation; a lowering the reverse); every payment draws
-- its lines in the same entry that records it as spent (Dr appropriation,
-- Cr line). The ledger's no-overdraft guard keeps a line from going below
-- zero; the trigger below refuses an entry that records spending of a
-- category (budget:spent:D:P:C:S) without drawing the same amount from the
-- category's line, or from the source's line of that category where one
-- exists, so a payment written in raw SQL cannot go around a line either
-- (SQLSTATE FLB01). The check is per statement:
-- the spending and the draw of one entry are inserted in the same statement,
-- as the ledger writes every batch (postings of one entry split over several
-- statements are refused even when they would match).
--
-- budget_line_changes is the line's history: every change of its budget,
-- by an approval, an adjustment (reason and approver required) or this
-- migration, with the entry that posted it.
--
-- Existing data: every project with an approval gets its lines now, funded
-- with the latest approval's budget per category and drawn by what was paid
-- so far, in one entry per project (key budget-lines:migration:P), dated on
-- the project's first approval date (or, when that month is closed, on the
-- first day of the next month that is not). A category paid beyond its
-- approved budget before this control existed (or paid without any approved
-- line) gets its line raised to what was paid, recorded as a change of kind
-- 'migration' with the reason, so that the books stay consistent and the
-- overspending stays visible in the line's history for someone to review.

-- +goose Up

CREATE TABLE budget_line_changes (
    id            bigserial PRIMARY KEY,
    project       text NOT NULL REFERENCES projects (code),
    category      text NOT NULL CHECK (category IN ('basic', 'improvement', 'upgrade')),
    source        text NOT NULL DEFAULT '' CHECK (source = '' OR source ~ '^[a-z][a-z_]*(:[a-z_]+)?$'), -- '': the whole category
    kind          text NOT NULL CHECK (kind IN ('approval', 'adjustment', 'migration')),
    approval_id   bigint REFERENCES budget_approvals (id),
    previous      numeric NOT NULL CHECK (previous >= 0 AND previous = round(previous, 2)),
    budget        numeric NOT NULL CHECK (budget >= 0 AND budget = round(budget, 2)),
    effective_on  date NOT NULL,
    reason        text NOT NULL DEFAULT '' CHECK (length(reason) <= 1000),
    approver      text NOT NULL DEFAULT '' CHECK (length(approver) <= 200),
    entry_id      bigint REFERENCES entries (id) DEFERRABLE INITIALLY DEFERRED,
    actor         text NOT NULL CHECK (actor <> ''),
    at            timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT budget_line_changes_adjustment_reason CHECK (kind <> 'adjustment' OR (btrim(reason) <> '' AND btrim(approver) <> '')),
    CONSTRAINT budget_line_changes_approval CHECK ((kind = 'approval') = (approval_id IS NOT NULL))
);
CREATE INDEX budget_line_changes_line ON budget_line_changes (project, category, source, id);
CREATE TRIGGER budget_line_changes_append_only BEFORE UPDATE OR DELETE ON budget_line_changes
    FOR EACH ROW EXECUTE FUNCTION fl_append_only();
CREATE TRIGGER budget_line_changes_no_truncate BEFORE TRUNCATE ON budget_line_changes
    FOR EACH STATEMENT EXECUTE FUNCTION fl_append_only();

-- Spending of a category is drawn from its line in the same entry. Checked
-- per statement (the ledger writes all postings of a batch in one), only
-- when the statement touches the budget book's spent or line accounts.
-- +goose StatementBegin
CREATE FUNCTION fl_postings_budget_lines() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bad record;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM new_postings WHERE book = 'budget') THEN
        RETURN NULL;
    END IF;
    WITH t AS (
        SELECT np.entry_id, a.district, a.project, a.category, a.source, a.code LIKE 'budget:spent:%' AS spending,
               CASE WHEN np.side = 'D' THEN np.amount ELSE -np.amount END AS dr
          FROM (SELECT DISTINCT account_id FROM new_postings WHERE book = 'budget') d
          JOIN accounts a ON a.id = d.account_id
                         AND a.project IS NOT NULL AND a.category IS NOT NULL
                         AND (a.code LIKE 'budget:spent:%' OR a.code LIKE 'budget:line:%')
          JOIN new_postings np ON np.account_id = a.id),
    by_category AS (
        SELECT entry_id, project, category, ''::text AS source,
               coalesce(sum(dr) FILTER (WHERE spending), 0) AS spent,
               coalesce(-sum(dr) FILTER (WHERE NOT spending AND source IS NULL), 0) AS drawn
          FROM t GROUP BY 1, 2, 3),
    by_source AS (
        SELECT entry_id, district, project, category, source,
               coalesce(sum(dr) FILTER (WHERE spending), 0) AS spent,
               coalesce(-sum(dr) FILTER (WHERE NOT spending), 0) AS drawn
          FROM t WHERE source IS NOT NULL GROUP BY 1, 2, 3, 4, 5)
    SELECT x.entry_id, x.project, x.category, x.source, x.spent, x.drawn, e.idempotency_key INTO bad FROM (
        SELECT entry_id, project, category, source, spent, drawn FROM by_category
         WHERE spent <> 0 AND spent <> drawn
        UNION ALL
        SELECT s.entry_id, s.project, s.category, s.source, s.spent, s.drawn FROM by_source s
         WHERE s.spent <> 0 AND s.spent <> s.drawn
           AND EXISTS (SELECT 1 FROM accounts l
                        WHERE l.code = 'budget:line:' || s.district || ':' || s.project || ':' || s.category || ':' || s.source)) x
      JOIN entries e ON e.id = x.entry_id
     ORDER BY x.entry_id LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'entry % (key %) spends % on % of project % but draws % from its budget line (budget:line): no payment without an approved budget line',
            bad.entry_id, bad.idempotency_key, bad.spent, bad.category,
            bad.project || CASE WHEN bad.source = '' THEN '' ELSE ' from ' || bad.source END, bad.drawn
            USING ERRCODE = 'FLB01';
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE TRIGGER postings_budget_lines AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION fl_postings_budget_lines();

-- The lines of the approvals already stored (see the header).
-- +goose StatementBegin
DO $$
DECLARE
    pr record;
    ln record;
    eid bigint;
    on_day date;
    content text;
    postings text[];
    line_no int;
    q text := '"';
BEGIN
    -- What each project paid per category so far, read once.
    CREATE TEMP TABLE budget_lines_paid ON COMMIT DROP AS
        SELECT a.project, a.category, sum(b.debit - b.credit) AS amount
          FROM accounts a JOIN account_day_balances b ON b.account_id = a.id
         WHERE a.book = 'budget' AND a.code LIKE 'budget:spent:%' AND a.project IS NOT NULL AND a.category IS NOT NULL
         GROUP BY a.project, a.category;
    CREATE INDEX ON budget_lines_paid (project, category);
    ANALYZE budget_lines_paid;
    FOR pr IN
        SELECT p.code, p.district, min(a.approved_on) AS first_on,
               (SELECT id FROM budget_approvals WHERE project = p.code ORDER BY version DESC LIMIT 1) AS latest_id
          FROM projects p JOIN budget_approvals a ON a.project = p.code
         GROUP BY p.code, p.district ORDER BY p.code
    LOOP
        -- The first day on or after the first approval outside a closed month.
        SELECT greatest(pr.first_on, m::date) INTO on_day
          FROM generate_series(date_trunc('month', pr.first_on), date_trunc('month', pr.first_on) + interval '100 years', interval '1 month') m
         WHERE NOT EXISTS (SELECT 1 FROM periods WHERE period = m::date AND closed)
         ORDER BY m LIMIT 1;
        eid := nextval('entries_id_seq');
        postings := '{}';
        content := 'fundledger-entry-v1' || chr(10)
            || 'book="budget"' || chr(10)
            || 'date="' || to_char(on_day, 'YYYY-MM-DD') || q || chr(10)
            || 'key="budget-lines:migration:' || pr.code || q || chr(10)
            || 'actor="migration"' || chr(10)
            || 'memo="budget lines of ' || pr.code || ' opened by migration 00008: approved budget per category, drawn by what was paid"' || chr(10)
            || 'reverses="0"' || chr(10) || 'corrects="0"' || chr(10)
            || 'meta."district"="' || pr.district || q || chr(10)
            || 'meta."kind"="budget_lines_migration"' || chr(10)
            || 'meta."project"="' || pr.code || q || chr(10);
        FOR ln IN
            WITH budget AS (
                SELECT category, sum(amount) AS amount FROM budget_lines WHERE approval_id = pr.latest_id GROUP BY category),
            paid AS (
                SELECT category, amount FROM budget_lines_paid WHERE project = pr.code)
            SELECT c.category, coalesce(bu.amount, 0) AS budget, coalesce(pa.amount, 0) AS paid,
                   greatest(coalesce(bu.amount, 0), coalesce(pa.amount, 0)) AS funded
              FROM (SELECT category FROM budget UNION SELECT category FROM paid) c
              LEFT JOIN budget bu USING (category) LEFT JOIN paid pa USING (category)
             ORDER BY array_position(ARRAY['basic', 'improvement', 'upgrade'], c.category)
        LOOP
            INSERT INTO accounts (code, name, book, type, normal_side, no_overdraft, district, project, category, created_by)
            VALUES ('budget:line:' || pr.district || ':' || pr.code || ':' || ln.category,
                    '预算指标余额 budget line, approved not yet paid', 'budget', 'budget_asset', 'D', true, pr.district, pr.code, ln.category, 'migration'),
                   ('budget:appropriation:' || pr.district || ':' || pr.code || ':' || ln.category,
                    '预算指标 budget line appropriation', 'budget', 'budget_balance', 'C', false, pr.district, pr.code, ln.category, 'migration')
            ON CONFLICT (code) DO NOTHING;
            IF ln.funded > 0 THEN
                postings := postings
                    || ('budget:line:' || pr.district || ':' || pr.code || ':' || ln.category || ' D ' || round(ln.funded, 2)::text)
                    || ('budget:appropriation:' || pr.district || ':' || pr.code || ':' || ln.category || ' C ' || round(ln.funded, 2)::text);
            END IF;
            IF ln.paid > 0 THEN
                postings := postings
                    || ('budget:appropriation:' || pr.district || ':' || pr.code || ':' || ln.category || ' D ' || round(ln.paid, 2)::text)
                    || ('budget:line:' || pr.district || ':' || pr.code || ':' || ln.category || ' C ' || round(ln.paid, 2)::text);
            END IF;
            IF ln.budget > 0 THEN
                INSERT INTO budget_line_changes (project, category, kind, approval_id, previous, budget, effective_on, entry_id, actor)
                VALUES (pr.code, ln.category, 'approval', pr.latest_id, 0, round(ln.budget, 2), on_day,
                        CASE WHEN ln.funded > 0 THEN eid END, 'migration');
            END IF;
            IF ln.paid > ln.budget THEN
                INSERT INTO budget_line_changes (project, category, kind, previous, budget, effective_on, reason, approver, entry_id, actor)
                VALUES (pr.code, ln.category, 'migration', round(ln.budget, 2), round(ln.paid, 2), on_day,
                        'paid ' || round(ln.paid, 2)::text || ' beyond the approved budget of ' || round(ln.budget, 2)::text
                            || ' before budget-line control existed; line raised to what was paid by migration 00008 (review it)',
                        'migration', eid, 'migration');
            END IF;
        END LOOP;
        IF cardinality(postings) = 0 THEN
            CONTINUE;
        END IF;
        FOR line_no IN 1 .. cardinality(postings) LOOP
            content := content || 'posting="' || postings[line_no] || q || chr(10);
        END LOOP;
        INSERT INTO entries (id, book, effective_date, memo, actor, idempotency_key, metadata, content_hash)
        VALUES (eid, 'budget', on_day,
                'budget lines of ' || pr.code || ' opened by migration 00008: approved budget per category, drawn by what was paid',
                'migration', 'budget-lines:migration:' || pr.code,
                jsonb_build_object('kind', 'budget_lines_migration', 'project', pr.code, 'district', pr.district),
                sha256(convert_to(content, 'UTF8')));
        INSERT INTO postings (entry_id, line, account_id, side, amount, effective_date, book)
        SELECT eid, n, a.id, split_part(p, ' ', 2), split_part(p, ' ', 3)::numeric, on_day, 'budget'
          FROM unnest(postings) WITH ORDINALITY AS u(p, n) JOIN accounts a ON a.code = split_part(p, ' ', 1);
    END LOOP;
END $$;
-- +goose StatementEnd
