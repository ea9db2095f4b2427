package ledger

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
)

// Voucher numbers (记账凭证编号). Every entry has one, continuous within its
// book and the month of its effective date: 1, 2, 3… with no gap and no
// repeat, however many posts were refused, rolled back or replayed (entry
// ids have gaps for those). PostgreSQL gives the number when the posting
// transaction commits (migrations/00010_voucher_numbers.sql), so a result of
// Post, PostBatch or PostInTx does not carry it yet: read it back with
// Entry, Entries or FillVouchers once the transaction has committed.

// Voucher is an entry's voucher number: the Seq-th entry of its book in
// Month. Written "2021-03 财-0001" (financial book) or "2021-03 预-0001"
// (budget book).
type Voucher struct {
	Book  Book
	Month time.Time // the first day of the month
	Seq   int
}

// voucherPrefix is the voucher word of each book: 财 for the financial
// book (财务会计), 预 for the budget book (预算会计).
var voucherPrefix = map[Book]string{BookFinancial: "财", BookBudget: "预"}

// String writes the voucher as "2021-03 财-0001"; "" for the zero voucher
// (an entry not committed yet, or one read from a database that lost it).
func (v Voucher) String() string {
	if v.Seq <= 0 {
		return ""
	}
	return fmt.Sprintf("%s %s-%04d", v.Month.Format("2006-01"), voucherPrefix[v.Book], v.Seq)
}

// IsZero reports whether v is no voucher.
func (v Voucher) IsZero() bool { return v.Seq <= 0 }

// voucherOf is the voucher of an entry of book dated date with number seq.
func voucherOf(book Book, date time.Time, seq int) Voucher {
	if seq <= 0 {
		return Voucher{}
	}
	y, m, _ := date.Date()
	return Voucher{Book: book, Month: Date(y, m, 1), Seq: seq}
}

// ParseVoucher reads a voucher number as String writes it ("2021-03 财-0001";
// the zeros are optional, "2021-03 财-1" is the same voucher).
func ParseVoucher(s string) (Voucher, error) {
	bad := func() (Voucher, error) {
		return Voucher{}, fmt.Errorf("%w: voucher %q: want YYYY-MM 财-NNNN or YYYY-MM 预-NNNN", ErrInvalid, s)
	}
	month, rest, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return bad()
	}
	m, err := time.ParseInLocation("2006-01", month, time.UTC)
	if err != nil {
		return bad()
	}
	word, num, ok := strings.Cut(strings.TrimSpace(rest), "-")
	if !ok {
		return bad()
	}
	var book Book
	for b, p := range voucherPrefix {
		if p == word {
			book = b
		}
	}
	seq, err := strconv.Atoi(num)
	if book == "" || err != nil || seq <= 0 || len(num) > 10 {
		return bad()
	}
	return Voucher{Book: book, Month: m, Seq: seq}, nil
}

// EntryByVoucher returns the entry that carries a voucher number.
func (l *Ledger) EntryByVoucher(ctx context.Context, v Voucher) (Entry, error) {
	if v.IsZero() || !v.Book.Valid() {
		return Entry{}, fmt.Errorf("%w: entry by voucher: no voucher given", ErrInvalid)
	}
	var id int64
	if err := l.db.GetContext(ctx, &id, `SELECT coalesce((SELECT entry_id FROM entry_vouchers WHERE book = $1 AND month = $2::date AND seq = $3), 0)`,
		string(v.Book), v.Month.Format(DateLayout), v.Seq); err != nil {
		return Entry{}, fmt.Errorf("voucher %s: %w", v, err)
	}
	if id == 0 {
		return Entry{}, fmt.Errorf("voucher %s: %w", v, ErrNotFound)
	}
	return l.Entry(ctx, id)
}

// FillVouchers sets the Voucher of each entry that has an ID, from the
// database: for the results of Post, PostBatch and PostInTx once their
// transaction has committed (before that, and for an entry without ID, it
// stays empty). At most MaxEntriesPerBatch entries at a time.
func (l *Ledger) FillVouchers(ctx context.Context, entries []Entry) error {
	if len(entries) > MaxEntriesPerBatch {
		return fmt.Errorf("%w: fill vouchers: %d entries, at most %d at a time", ErrInvalid, len(entries), MaxEntriesPerBatch)
	}
	ids := make([]int64, 0, len(entries))
	for _, e := range entries {
		if e.ID != 0 {
			ids = append(ids, e.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID    int64     `db:"entry_id"`
		Book  Book      `db:"book"`
		Month time.Time `db:"month"`
		Seq   int       `db:"seq"`
	}
	if err := l.db.SelectContext(ctx, &rows, `
		SELECT v.entry_id, v.book, v.month, v.seq FROM unnest($1::bigint[]) AS u(id) JOIN entry_vouchers v ON v.entry_id = u.id`,
		pq.Array(ids)); err != nil {
		return fmt.Errorf("fill vouchers: %w", err)
	}
	byID := make(map[int64]Voucher, len(rows))
	for _, r := range rows {
		byID[r.ID] = Voucher{Book: r.Book, Month: Civil(r.Month), Seq: r.Seq}
	}
	for i := range entries {
		entries[i].Voucher = byID[entries[i].ID].String()
	}
	return nil
}

// verifyVouchers checks that the voucher numbers are what the trigger
// gives: every entry has exactly one, of its own book and month; within
// each book and month the numbers are 1..n without gap or repeat; and each
// counter stands at the last number given, so the next entry continues the
// sequence. A failure here means the guard of entry_vouchers was bypassed
// (a superuser disabling triggers) or the numbering is wrong.
func (l *Ledger) verifyVouchers(ctx context.Context, rep *VerifyReport) error {
	var missing []struct {
		ID   int64  `db:"id"`
		Key  string `db:"idempotency_key"`
		Book Book   `db:"book"`
		Date string `db:"date"`
	}
	if err := l.db.SelectContext(ctx, &missing, `
		SELECT e.id, e.idempotency_key, e.book, to_char(e.effective_date, 'YYYY-MM-DD') AS date FROM entries e
		 WHERE NOT EXISTS (SELECT 1 FROM entry_vouchers v WHERE v.entry_id = e.id)
		 ORDER BY e.id LIMIT 10`); err != nil {
		return fmt.Errorf("vouchers: %w", err)
	}
	for _, m := range missing {
		rep.problem("entry %d (key %q, %s book, %s) has no voucher number", m.ID, m.Key, m.Book, m.Date)
	}

	var astray []struct {
		ID     int64     `db:"entry_id"`
		Book   Book      `db:"book"`
		Month  time.Time `db:"month"`
		Seq    int       `db:"seq"`
		Exists bool      `db:"entry_exists"`
		EBook  Book      `db:"entry_book"`
		EDate  string    `db:"entry_date"`
	}
	if err := l.db.SelectContext(ctx, &astray, `
		SELECT v.entry_id, v.book, v.month, v.seq, e.id IS NOT NULL AS entry_exists,
		       coalesce(e.book, '') AS entry_book, coalesce(to_char(e.effective_date, 'YYYY-MM-DD'), '') AS entry_date
		  FROM entry_vouchers v LEFT JOIN entries e ON e.id = v.entry_id
		 WHERE e.id IS NULL OR e.book <> v.book OR date_trunc('month', e.effective_date)::date <> v.month
		 ORDER BY v.entry_id LIMIT 10`); err != nil {
		return fmt.Errorf("vouchers: %w", err)
	}
	for _, a := range astray {
		v := Voucher{Book: a.Book, Month: Civil(a.Month), Seq: a.Seq}
		if !a.Exists {
			rep.problem("voucher %s names entry %d, which does not exist", v, a.ID)
		} else {
			rep.problem("voucher %s of entry %d is not of the entry's book and month (%s book, %s)", v, a.ID, a.EBook, a.EDate)
		}
	}

	// Consecutive numbers of each book and month, in order: each must be one
	// more than the one before it (the first: 1). A number equal to the one
	// before is a repeat; a larger one leaves a gap.
	var breaks []struct {
		Book  Book      `db:"book"`
		Month time.Time `db:"month"`
		Prev  int       `db:"prev"`
		Seq   int       `db:"seq"`
	}
	if err := l.db.SelectContext(ctx, &breaks, `
		SELECT book, month, prev, seq FROM (
			SELECT book, month, seq, lag(seq, 1, 0) OVER (PARTITION BY book, month ORDER BY seq) AS prev FROM entry_vouchers) s
		 WHERE seq <> prev + 1
		 ORDER BY book, month, seq LIMIT 10`); err != nil {
		return fmt.Errorf("vouchers: %w", err)
	}
	for _, b := range breaks {
		month := Civil(b.Month)
		at := Voucher{Book: b.Book, Month: month, Seq: b.Seq}
		switch {
		case b.Seq == b.Prev:
			rep.problem("voucher %s is given twice", at)
		case b.Seq == b.Prev+2:
			rep.problem("voucher %s is missing: the %s book of %s jumps from %d to %d",
				Voucher{Book: b.Book, Month: month, Seq: b.Prev + 1}, b.Book, month.Format("2006-01"), b.Prev, b.Seq)
		default:
			rep.problem("vouchers %s to %s are missing: the %s book of %s jumps from %d to %d",
				Voucher{Book: b.Book, Month: month, Seq: b.Prev + 1}, Voucher{Book: b.Book, Month: month, Seq: b.Seq - 1},
				b.Book, month.Format("2006-01"), b.Prev, b.Seq)
		}
	}

	var counters []struct {
		Book  Book          `db:"book"`
		Month time.Time     `db:"month"`
		Last  sql.NullInt64 `db:"last_seq"`
		Given sql.NullInt64 `db:"given"`
	}
	if err := l.db.SelectContext(ctx, &counters, `
		SELECT coalesce(c.book, g.book) AS book, coalesce(c.month, g.month) AS month, c.last_seq, g.given
		  FROM voucher_counters c
		  FULL JOIN (SELECT book, month, max(seq) AS given FROM entry_vouchers GROUP BY book, month) g
		    ON g.book = c.book AND g.month = c.month
		 WHERE c.last_seq IS DISTINCT FROM g.given
		 ORDER BY 1, 2 LIMIT 10`); err != nil {
		return fmt.Errorf("vouchers: %w", err)
	}
	for _, c := range counters {
		month := Civil(c.Month).Format("2006-01")
		switch {
		case !c.Last.Valid:
			rep.problem("the %s book of %s has vouchers up to %d but no voucher counter", c.Book, month, c.Given.Int64)
		case !c.Given.Valid:
			rep.problem("the voucher counter of the %s book of %s stands at %d, but no voucher of that month exists", c.Book, month, c.Last.Int64)
		default:
			rep.problem("the voucher counter of the %s book of %s stands at %d, but the last voucher given is %d: the next entry would not continue the sequence",
				c.Book, month, c.Last.Int64, c.Given.Int64)
		}
	}
	return nil
}
