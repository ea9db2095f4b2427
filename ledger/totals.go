package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/lib/pq"
	"github.com/shopspring/decimal"
)

// DistrictTotal is what was posted to one key of the district totals
// (migration 00017) up to a date: per district and account type, and, in
// the detailed totals, per role (the code's first segment, or its first
// two for budget: codes), source and category.
type DistrictTotal struct {
	District string          `db:"district" json:"district"` // "" : accounts of no district
	Book     Book            `db:"book" json:"book"`
	Type     AccountType     `db:"type" json:"type"`
	Role     string          `db:"role" json:"role,omitempty"`
	Source   string          `db:"source" json:"source,omitempty"`
	Category string          `db:"category" json:"category,omitempty"`
	Debit    decimal.Decimal `db:"debit" json:"debit"`
	Credit   decimal.Decimal `db:"credit" json:"credit"`
}

// Net is debits minus credits.
func (t DistrictTotal) Net() decimal.Decimal { return t.Debit.Sub(t.Credit) }

// TotalsFilter selects district totals.
type TotalsFilter struct {
	AsOf      time.Time // end of this day; zero: everything
	Book      Book      // "": both
	Districts []string  // nil: every district ("" is the accounts of none)
	Detail    bool      // per role, source and category too
	Roles     []string  // with Detail: only these roles; nil: all
}

// MaxTotalsRows bounds one read of the district totals: about 3,000
// districts of a national programme times their roles, sources and
// categories.
const MaxTotalsRows = 1000000

// DistrictTotals sums the maintained district totals up to AsOf: all time,
// one row per key and slot (concurrent posters add to different slots of a
// key, migration 00019, so that they do not queue on one row); as of a day, the key's years before that day's year,
// the months of that year before its month and the days of its month up
// to it. The time does not depend on the number of accounts or postings.
func (l *Ledger) DistrictTotals(ctx context.Context, f TotalsFilter) ([]DistrictTotal, error) {
	args := []any{f.Detail, string(f.Book), pq.Array(f.Districts), pq.Array(f.Roles)}
	periods := `(t.grain = 'A')`
	if !f.AsOf.IsZero() {
		args = append(args, f.AsOf.Format(DateLayout))
		// Three ranges of the primary key (detail, grain, start, …).
		periods = `((t.grain = 'Y' AND t.start < date_trunc('year', $5::date::timestamp)::date)
		         OR (t.grain = 'M' AND t.start >= date_trunc('year', $5::date::timestamp)::date
		                           AND t.start < date_trunc('month', $5::date::timestamp)::date)
		         OR (t.grain = 'D' AND t.start >= date_trunc('month', $5::date::timestamp)::date AND t.start <= $5::date))`
	}
	q := `SELECT t.district, t.book, t.type, t.role, t.source, t.category, sum(t.debit) AS debit, sum(t.credit) AS credit
		  FROM district_totals t
		 WHERE t.detail = $1 AND ` + periods + `
		   AND ($2 = '' OR t.book = $2)
		   AND ($3::text[] IS NULL OR t.district IN (SELECT unnest($3::text[])))
		   AND ($4::text[] IS NULL OR t.role IN (SELECT unnest($4::text[])))
		 GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6 LIMIT ` + fmt.Sprint(MaxTotalsRows+1)
	var out []DistrictTotal
	if err := l.db.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("district totals: %w", err)
	}
	if len(out) > MaxTotalsRows {
		return nil, fmt.Errorf("%w: district totals: more than %d rows; narrow by district or role", ErrInvalid, MaxTotalsRows)
	}
	return out, nil
}

// verifyDistrictTotals recomputes the district totals from the postings
// and reports the keys whose stored totals (the sum of their slots,
// migration 00019) differ.
func (l *Ledger) verifyDistrictTotals(ctx context.Context, rep *VerifyReport) error {
	var drift []struct {
		Detail   bool   `db:"detail"`
		Grain    string `db:"grain"`
		Start    string `db:"start"`
		District string `db:"district"`
		Book     string `db:"book"`
		Type     string `db:"type"`
		Role     string `db:"role"`
		Source   string `db:"source"`
		Category string `db:"category"`
	}
	if err := l.db.SelectContext(ctx, &drift, `
		WITH actual AS (
			SELECT t.detail, t.grain, t.start, t.district, t.book, t.type, t.role, t.source, t.category,
			       sum(t.debit) AS debit, sum(t.credit) AS credit
			  FROM (SELECT p.account_id, p.effective_date AS day,
			               coalesce(sum(p.amount) FILTER (WHERE p.side = 'D'), 0) AS debit,
			               coalesce(sum(p.amount) FILTER (WHERE p.side = 'C'), 0) AS credit
			          FROM postings p GROUP BY 1, 2) x
			  JOIN accounts a ON a.id = x.account_id,
			       fl_district_totals_of(a.district, a.book, a.type, a.code, a.source, a.category, x.day, x.debit, x.credit) t
			 GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9)
		SELECT s.detail, s.grain, CASE WHEN s.grain = 'A' THEN 'all' ELSE to_char(s.start, 'YYYY-MM-DD') END AS start,
		       s.district, s.book, s.type, s.role, s.source, s.category
		  FROM (SELECT coalesce(x.detail, d.detail) AS detail, coalesce(x.grain, d.grain) AS grain, coalesce(x.start, d.start) AS start,
		               coalesce(x.district, d.district) AS district, coalesce(x.book, d.book) AS book, coalesce(x.type, d.type) AS type,
		               coalesce(x.role, d.role) AS role, coalesce(x.source, d.source) AS source, coalesce(x.category, d.category) AS category
		          FROM actual x
		          FULL JOIN (SELECT detail, grain, start, district, book, type, role, source, category, sum(debit) AS debit, sum(credit) AS credit
		                       FROM district_totals GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) d
		            USING (detail, grain, start, district, book, type, role, source, category)
		         WHERE x.debit IS DISTINCT FROM d.debit OR x.credit IS DISTINCT FROM d.credit) s
		 ORDER BY 3, 4, 5, 6, 7, 8, 9, 1, 2 LIMIT 10`); err != nil {
		return fmt.Errorf("district totals: %w", err)
	}
	for _, d := range drift {
		key := []string{d.District, d.Book, d.Type}
		if d.Detail {
			key = append(key, d.Role, d.Source, d.Category)
		}
		rep.problem("district totals %s, %s %s: stored total differs from the postings", strings.Join(key, "/"), d.Grain, d.Start)
	}
	return nil
}
