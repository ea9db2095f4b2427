// Package scale builds a database of a national programme's shape fast,
// set-based in SQL, for the report and API benchmarks at national scale
// (issue 16): provinces, cities, districts, projects with their approvals,
// budget lines and status events, each project's accounts of funding's
// chart, and the entries of its approval, receipts and payments with the
// day totals, running totals and district totals the triggers would have
// kept. `fundledger simulate` builds the same shape through the real code
// paths, at a few communities a second; this takes minutes for 220,000.
//
// The rows are written in one transaction with the tables' own triggers
// off (ALTER TABLE … DISABLE TRIGGER USER, as their owner), so the
// fixture's entries are not chained or numbered: it is for reading, not
// for `verify`. Entries posted afterwards (the API benchmark's writes) go
// through every trigger.
package scale

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
)

// Options size a fixture.
type Options struct {
	Communities int       // projects, one per community
	Cities      int       // 0: one per 730 communities (about 300 for 220,000)
	Progress    io.Writer // a line per step with its time; nil: none
}

// MaxCommunities bounds a fixture (the national programme is 220,000).
const MaxCommunities = 1000000

// DistrictsPerCity is the fixture's number of districts in each city; ten
// cities make a province.
const DistrictsPerCity = 5

// Figures are what a fixture holds.
type Figures struct {
	Provinces, Cities, Districts          int
	Projects, Accounts, Entries, Postings int64
	DistrictTotals                        int64
	DatabaseBytes                         int64
}

// Built reports whether the database already holds a fixture (any project
// of the fixture's code pattern).
func Built(ctx context.Context, db *sqlx.DB) (bool, error) {
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM (SELECT 1 FROM projects WHERE code LIKE 'N%' LIMIT 1) x`); err != nil {
		return false, fmt.Errorf("scale fixture: %w", err)
	}
	return n > 0, nil
}

// Build writes the fixture into an empty, migrated database.
func Build(ctx context.Context, db *sqlx.DB, o Options) (Figures, error) {
	if o.Communities < 1 || o.Communities > MaxCommunities {
		return Figures{}, fmt.Errorf("scale fixture: communities: want 1 to %d, got %d", MaxCommunities, o.Communities)
	}
	if o.Cities == 0 {
		o.Cities = max(1, (o.Communities+729)/730)
	}
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return Figures{}, fmt.Errorf("scale fixture: %w", err)
	}
	defer tx.Rollback()
	var off, on []string
	for _, t := range fixtureTables {
		off = append(off, `ALTER TABLE `+t+` DISABLE TRIGGER USER`)
		on = append(on, `ALTER TABLE `+t+` ENABLE TRIGGER USER`)
	}
	steps := []struct{ name, sql string }{
		{"session", `SET LOCAL synchronous_commit = off; SET LOCAL work_mem = '256MB'; SET LOCAL maintenance_work_mem = '1GB'; ` + strings.Join(off, "; ")},
		{"regions", fixtureRegions},
		{"projects", fixtureProjects},
		{"approvals", fixtureApprovals},
		{"accounts", fixtureAccounts},
		{"entries", fixtureEntries},
		{"postings", fixturePostings},
		{"day totals", fixtureDayTotals},
		{"plan", fixturePlan},
		{"sequences", fixtureSequences},
		{"triggers", `SET CONSTRAINTS ALL IMMEDIATE; ` + strings.Join(on, "; ")},
	}
	for _, s := range steps {
		start := time.Now()
		q := strings.NewReplacer("{N}", fmt.Sprint(o.Communities), "{C}", fmt.Sprint(o.Cities),
			"{D}", fmt.Sprint(DistrictsPerCity)).Replace(s.sql)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return Figures{}, fmt.Errorf("scale fixture: %s: %w", s.name, err)
		}
		if o.Progress != nil {
			fmt.Fprintf(o.Progress, "scale fixture: %-10s %s\n", s.name, time.Since(start).Round(time.Millisecond))
		}
	}
	if err := tx.Commit(); err != nil {
		return Figures{}, fmt.Errorf("scale fixture: %w", err)
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		return Figures{}, fmt.Errorf("scale fixture: %w", err)
	}
	return Count(ctx, db)
}

// fixtureTables are the tables the fixture writes, with their triggers
// off (as their owner) inside the one transaction that fills them.
var fixtureTables = []string{"districts", "district_regions", "rule_sets", "projects", "project_events", "budget_approvals",
	"budget_lines", "budget_shares", "budget_line_changes", "accounts", "entries", "postings", "account_day_balances",
	"account_balances", "district_totals", "periods", "plan_imports", "plan_targets", "plan_activations"}

// Count measures a database's books.
func Count(ctx context.Context, db *sqlx.DB) (Figures, error) {
	var f Figures
	err := db.QueryRowxContext(ctx, `SELECT
		(SELECT count(DISTINCT province) FROM district_regions), (SELECT count(DISTINCT (province, city)) FROM district_regions),
		(SELECT count(*) FROM districts), (SELECT count(*) FROM projects), (SELECT count(*) FROM accounts),
		(SELECT count(*) FROM entries), (SELECT count(*) FROM postings), (SELECT count(*) FROM district_totals),
		pg_database_size(current_database())`).Scan(&f.Provinces, &f.Cities, &f.Districts, &f.Projects, &f.Accounts,
		&f.Entries, &f.Postings, &f.DistrictTotals, &f.DatabaseBytes)
	if err != nil {
		return f, fmt.Errorf("scale fixture: count: %w", err)
	}
	return f, nil
}

// Cities c = 0..C-1 of DistrictsPerCity districts each, ten cities to a
// province.
const fixtureRegions = `
INSERT INTO districts (code, name_zh, name_en, created_by)
SELECT format('n%s_d%s', c, d), format('规模市%s第%s区', c, d), format('Scale city %s district %s', c, d), 'scale'
  FROM generate_series(0, {C} - 1) c, generate_series(1, {D}) d;
INSERT INTO district_regions (district, city, province, created_by)
SELECT format('n%s_d%s', c, d), format('规模市%s', c), format('规模省%s', c / 10), 'scale'
  FROM generate_series(0, {C} - 1) c, generate_series(1, {D}) d;
INSERT INTO rule_sets (name, version, effective_from, content_hash, file_name, content, loaded_by)
VALUES ('scale', '1', '2019-01-01', 'scale-fixture', 'scale.yaml', '', 'scale');
-- One row per community: its district, plan year, dates and budget per
-- category (basic 60%, improvement 25%, upgrade the rest of 19,600 yuan a
-- household), each category paid by one source.
CREATE TEMP TABLE scale_projects AS
SELECT i, format('N%s', i) AS code, format('n%s_d%s', (i * 7919) % {C}, 1 + (i * 31) % {D}) AS district,
       2019 + i % 7 AS year, 40 + (i * 13) % 400 AS households,
       make_date(2019 + i % 7, 1, 10) + (i * 37) % 300 AS approved
  FROM generate_series(0, {N} - 1) i;
ALTER TABLE scale_projects ADD COLUMN b_basic numeric, ADD COLUMN b_improvement numeric, ADD COLUMN b_upgrade numeric;
UPDATE scale_projects SET b_basic = households * 19600 * 60 / 100, b_improvement = households * 19600 * 25 / 100,
       b_upgrade = households * 19600 - households * 19600 * 60 / 100 - households * 19600 * 25 / 100;
CREATE TEMP TABLE scale_categories (category, source, ord) AS
VALUES ('basic', 'central', 1), ('improvement', 'municipal', 2), ('upgrade', 'district', 3);
`

const fixtureProjects = `
INSERT INTO projects (code, name, district, address, completed_on, state_owned_land, households, floor_area_m2, buildings, plan_year, priority, created_by)
SELECT code, format('规模小区 %s', i), district, '', DATE '1990-06-01', true, households, households * 75, 1 + households / 48, year, true, 'scale'
  FROM scale_projects;
INSERT INTO project_events (project, status, effective_on, actor)
SELECT code, s.status, approved + s.days, 'scale'
  FROM scale_projects, (VALUES ('planned', -30, 0), ('approved', 0, 1), ('completed', 400, 2)) s (status, days, ord)
 ORDER BY i, s.ord;
`

const fixtureApprovals = `
INSERT INTO budget_approvals (id, project, version, approved_on, rule_set_id, total, explanation, actor)
SELECT i + 1, code, 1, approved, (SELECT id FROM rule_sets WHERE name = 'scale'), households * 19600, '{}', 'scale' FROM scale_projects;
INSERT INTO budget_lines (approval_id, line_no, category, amount)
SELECT i + 1, c.ord, c.category, CASE c.category WHEN 'basic' THEN b_basic WHEN 'improvement' THEN b_improvement ELSE b_upgrade END
  FROM scale_projects, scale_categories c;
INSERT INTO budget_shares (approval_id, category, source, amount)
SELECT i + 1, c.category, c.source, CASE c.category WHEN 'basic' THEN b_basic WHEN 'improvement' THEN b_improvement ELSE b_upgrade END
  FROM scale_projects, scale_categories c;
INSERT INTO budget_line_changes (project, category, kind, approval_id, previous, budget, effective_on, actor)
SELECT code, c.category, 'approval', i + 1, 0, CASE c.category WHEN 'basic' THEN b_basic WHEN 'improvement' THEN b_improvement ELSE b_upgrade END,
       approved, 'scale'
  FROM scale_projects, scale_categories c ORDER BY i, c.ord;
`

// Each project's accounts of funding's chart (funding/accounts.go): per
// source cash, revenue, budget:committed, budget:receivable,
// budget:available; per category its expense and budget:spent (from its
// source) and its budget line pair.
const fixtureAccounts = `
CREATE TEMP TABLE scale_roles (role, book, type, normal_side, no_overdraft, by_category, ord) AS
VALUES ('cash', 'financial', 'asset', 'D', true, false, 1), ('revenue', 'financial', 'revenue', 'C', false, false, 2),
       ('budget:committed', 'budget', 'budget_revenue', 'C', false, false, 3), ('budget:receivable', 'budget', 'budget_asset', 'D', true, false, 4),
       ('budget:available', 'budget', 'budget_asset', 'D', true, false, 5), ('expense', 'financial', 'expense', 'D', false, true, 6),
       ('budget:spent', 'budget', 'budget_expense', 'D', false, true, 7), ('budget:line', 'budget', 'budget_asset', 'D', true, true, 8),
       ('budget:appropriation', 'budget', 'budget_balance', 'C', false, true, 9);
-- Ids by position: project i, category c, role r is base + 27 i + 9 (c - 1) + r - 1.
CREATE TEMP TABLE scale_base AS SELECT coalesce(max(id), 0) + 1 AS base FROM accounts;
INSERT INTO accounts (id, code, name, book, type, normal_side, no_overdraft, district, project, source, category, created_by)
SELECT (SELECT base FROM scale_base) + 27 * p.i + 9 * (c.ord - 1) + r.ord - 1,
       CASE WHEN r.role IN ('budget:line', 'budget:appropriation') THEN concat_ws(':', r.role, p.district, p.code, c.category)
            WHEN r.by_category THEN concat_ws(':', r.role, p.district, p.code, c.category, c.source)
            ELSE concat_ws(':', r.role, p.district, p.code, c.source) END,
       r.role, r.book, r.type, r.normal_side, r.no_overdraft, p.district, p.code,
       CASE WHEN r.role IN ('budget:line', 'budget:appropriation') THEN NULL ELSE c.source END,
       CASE WHEN r.by_category THEN c.category END, 'scale'
  FROM scale_projects p, scale_categories c, scale_roles r
 ORDER BY 1;
`

// Per project: one budget entry approving it (receivable/committed and
// line/appropriation per category), then per category a receipt (financial
// cash/revenue, budget available/receivable, 30 days later) and a payment
// of 70% (financial expense/cash, budget spent/available and
// appropriation/line, 150 days later): 13 entries, 42 postings.
const fixtureEntries = `
CREATE TEMP TABLE scale_entries (kind, book, days, ord) AS
VALUES ('approval', 'budget', 0, 0), ('receipt', 'financial', 30, 1), ('receipt-budget', 'budget', 30, 2),
       ('payment', 'financial', 150, 3), ('payment-budget', 'budget', 150, 4);
INSERT INTO entries (id, book, effective_date, recorded_at, memo, actor, idempotency_key, metadata, content_hash, created_txid, hash_version)
SELECT p.i * 13 + CASE WHEN e.kind = 'approval' THEN 1 ELSE 1 + (c.ord - 1) * 4 + e.ord END,
       e.book, p.approved + e.days, now(), e.kind || ' ' || p.code, 'scale', format('scale:%s:%s:%s', p.code, e.kind, c.category),
       '{}', sha256(convert_to(format('scale:%s:%s:%s', p.code, e.kind, c.category), 'UTF8')), pg_current_xact_id(), 2
  FROM scale_projects p, scale_categories c, scale_entries e
 WHERE e.kind <> 'approval' OR c.ord = 1
 ORDER BY 1;
`

const fixturePostings = `
INSERT INTO postings (entry_id, line, account_id, side, effective_date, book, amount)
SELECT x.entry_id, row_number() OVER (PARTITION BY x.entry_id ORDER BY x.cat, x.n), x.account_id, x.side, x.day, x.book, x.amount
  FROM (
    SELECT p.i, c.ord AS cat, m.n, p.i * 13 + CASE WHEN m.kind = 'approval' THEN 1 ELSE 1 + (c.ord - 1) * 4 + e.ord END AS entry_id,
           (SELECT base FROM scale_base) + 27 * p.i + 9 * (c.ord - 1) + r.ord - 1 AS account_id,
           m.side, p.approved + e.days AS day, e.book,
           round(CASE c.category WHEN 'basic' THEN p.b_basic WHEN 'improvement' THEN p.b_improvement ELSE p.b_upgrade END * m.share, 2) AS amount
      FROM scale_projects p, scale_categories c,
           (VALUES ('approval', 1, 'budget:receivable', 'D', 1.0), ('approval', 2, 'budget:committed', 'C', 1.0),
                   ('approval', 3, 'budget:line', 'D', 1.0), ('approval', 4, 'budget:appropriation', 'C', 1.0),
                   ('receipt', 1, 'cash', 'D', 1.0), ('receipt', 2, 'revenue', 'C', 1.0),
                   ('receipt-budget', 1, 'budget:available', 'D', 1.0), ('receipt-budget', 2, 'budget:receivable', 'C', 1.0),
                   ('payment', 1, 'expense', 'D', 0.7), ('payment', 2, 'cash', 'C', 0.7),
                   ('payment-budget', 1, 'budget:spent', 'D', 0.7), ('payment-budget', 2, 'budget:available', 'C', 0.7),
                   ('payment-budget', 3, 'budget:appropriation', 'D', 0.7), ('payment-budget', 4, 'budget:line', 'C', 0.7)) m (kind, n, role, side, share)
      JOIN scale_entries e ON e.kind = m.kind
      JOIN scale_roles r ON r.role = m.role) x
 ORDER BY x.entry_id;
`

// The day totals, the no_overdraft running totals and the district totals
// (slot 0) the triggers would have kept. The district totals are built
// grain by grain, each rolled up from the one below it (day from the
// account day totals, month from day, year from month, all time from year,
// the class totals from the detail), instead of expanding every account day
// into its eight rows (fl_district_totals_of) and grouping them all: the
// same rows, as `verify` recomputes them, in a fraction of the time.
const fixtureDayTotals = `
INSERT INTO account_day_balances (account_id, day, debit, credit)
SELECT account_id, effective_date, coalesce(sum(amount) FILTER (WHERE side = 'D'), 0), coalesce(sum(amount) FILTER (WHERE side = 'C'), 0)
  FROM postings GROUP BY 1, 2 ORDER BY 1, 2;
INSERT INTO account_balances (account_id, debit, credit)
SELECT b.account_id, sum(b.debit), sum(b.credit) FROM account_day_balances b JOIN accounts a ON a.id = b.account_id
 WHERE a.no_overdraft GROUP BY 1 ORDER BY 1;
CREATE TEMP TABLE scale_totals AS
SELECT true AS detail, 'D'::char(1) AS grain, b.day AS start, coalesce(a.district, '') AS district, a.book, a.type,
       fl_account_role(a.code) AS role, coalesce(a.source, '') AS source, coalesce(a.category, '') AS category,
       sum(b.debit) AS debit, sum(b.credit) AS credit
  FROM account_day_balances b JOIN accounts a ON a.id = b.account_id
 GROUP BY 3, 4, 5, 6, 7, 8, 9;
INSERT INTO scale_totals
SELECT true, 'M', date_trunc('month', start::timestamp)::date, district, book, type, role, source, category, sum(debit), sum(credit)
  FROM scale_totals WHERE grain = 'D' GROUP BY 3, 4, 5, 6, 7, 8, 9;
INSERT INTO scale_totals
SELECT true, 'Y', date_trunc('year', start::timestamp)::date, district, book, type, role, source, category, sum(debit), sum(credit)
  FROM scale_totals WHERE grain = 'M' GROUP BY 3, 4, 5, 6, 7, 8, 9;
INSERT INTO scale_totals
SELECT true, 'A', '-infinity'::date, district, book, type, role, source, category, sum(debit), sum(credit)
  FROM scale_totals WHERE grain = 'Y' GROUP BY 4, 5, 6, 7, 8, 9;
INSERT INTO scale_totals
SELECT false, grain, start, district, book, type, '', '', '', sum(debit), sum(credit)
  FROM scale_totals GROUP BY 2, 3, 4, 5, 6;
INSERT INTO district_totals (detail, grain, start, district, book, type, role, source, category, slot, debit, credit)
SELECT detail, grain, start, district, book, type, role, source, category, 0, debit, credit
  FROM scale_totals ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9;
INSERT INTO periods (period)
SELECT DISTINCT date_trunc('month', effective_date)::date FROM entries ON CONFLICT DO NOTHING;
`

// The plan in force: per district (by its Chinese name) and year, the
// fixture's communities.
const fixturePlan = `
INSERT INTO plan_imports (id, file_name, sha256, imported_by) VALUES (1000000, 'scale-plan.csv', 'scale-fixture', 'scale');
INSERT INTO plan_targets (import_id, district, year, communities, households, floor_area_m2, source_row)
SELECT 1000000, d.name_zh, p.year, count(*), sum(p.households), sum(p.households * 75), row_number() OVER (ORDER BY d.name_zh, p.year)
  FROM scale_projects p JOIN districts d ON d.code = p.district GROUP BY d.name_zh, p.year;
INSERT INTO plan_activations (import_id, how, activated_by) VALUES (1000000, 'import', 'scale');
`

const fixtureSequences = `
SELECT setval('entries_id_seq', (SELECT max(id) FROM entries));
SELECT setval('accounts_id_seq', (SELECT max(id) FROM accounts));
SELECT setval('budget_approvals_id_seq', (SELECT max(id) FROM budget_approvals));
`
