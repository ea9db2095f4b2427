package ledger

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Book is one of the two parallel books of government accounting (平行记账):
// the financial book (财务会计) and the budget book (预算会计). Every entry
// belongs to one book and balances within it.
type Book string

const (
	BookFinancial Book = "financial"
	BookBudget    Book = "budget"
)

// Valid reports whether b is a known book.
func (b Book) Valid() bool { return b == BookFinancial || b == BookBudget }

// Side is the side of a posting: debit or credit.
type Side string

const (
	Debit  Side = "D"
	Credit Side = "C"
)

// Valid reports whether s is D or C.
func (s Side) Valid() bool { return s == Debit || s == Credit }

// Opposite returns the other side.
func (s Side) Opposite() Side {
	if s == Debit {
		return Credit
	}
	return Debit
}

// AccountType classifies an account; it fixes the account's book and its
// normal side.
type AccountType string

const (
	Asset     AccountType = "asset"      // 资产
	Liability AccountType = "liability"  // 负债
	NetAssets AccountType = "net_assets" // 净资产
	Revenue   AccountType = "revenue"    // 收入
	Expense   AccountType = "expense"    // 费用
	// Budget book. A commitment (资金下达) is recorded as a receivable from the
	// source (budget_asset) against appropriation revenue (budget_revenue);
	// spending is budget_expense; what is left is budget_balance (预算结余).
	BudgetAsset   AccountType = "budget_asset"
	BudgetRevenue AccountType = "budget_revenue"
	BudgetExpense AccountType = "budget_expense"
	BudgetBalance AccountType = "budget_balance"
)

var accountTypes = map[AccountType]struct {
	book   Book
	normal Side
}{
	Asset: {BookFinancial, Debit}, Liability: {BookFinancial, Credit}, NetAssets: {BookFinancial, Credit},
	Revenue: {BookFinancial, Credit}, Expense: {BookFinancial, Debit},
	BudgetAsset: {BookBudget, Debit}, BudgetRevenue: {BookBudget, Credit},
	BudgetExpense: {BookBudget, Debit}, BudgetBalance: {BookBudget, Credit},
}

// Book returns the book the type belongs to ("" for an unknown type).
func (t AccountType) Book() Book { return accountTypes[t].book }

// NormalSide returns the side on which the type's balance grows.
func (t AccountType) NormalSide() Side { return accountTypes[t].normal }

// Dimensions are what reports group balances by.
type Dimensions struct {
	District string `db:"district" json:"district,omitempty"`
	Project  string `db:"project" json:"project,omitempty"`
	Source   string `db:"source" json:"source,omitempty"`
	Category string `db:"category" json:"category,omitempty"`
	Bond     string `db:"bond" json:"bond,omitempty"`
}

type dimension struct{ column, value string }

// pairs lists the dimensions in a fixed order with their column names.
func (d Dimensions) pairs() []dimension {
	return []dimension{{"district", d.District}, {"project", d.Project}, {"source", d.Source}, {"category", d.Category}, {"bond", d.Bond}}
}

// Account is a ledger account. Its code is hierarchical, segments separated
// by colons (cash:huancui:WH-HC-2020-001:central).
type Account struct {
	ID          int64       `db:"id" json:"id"`
	Code        string      `db:"code" json:"code"`
	Name        string      `db:"name" json:"name"`
	Book        Book        `db:"book" json:"book"`
	Type        AccountType `db:"type" json:"type"`
	NormalSide  Side        `db:"normal_side" json:"normal_side"`
	NoOverdraft bool        `db:"no_overdraft" json:"no_overdraft"`
	Dimensions
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	CreatedBy string    `db:"created_by" json:"created_by"`
}

const maxCodeLen = 200

func (a *Account) validate() error {
	if a.Code == "" || len(a.Code) > maxCodeLen {
		return fmt.Errorf("%w: account code must have 1 to %d characters", ErrInvalid, maxCodeLen)
	}
	for _, seg := range strings.Split(a.Code, ":") {
		if seg == "" || strings.ContainsAny(seg, " \t\r\n") {
			return fmt.Errorf("%w: account code %q: empty segment or whitespace", ErrInvalid, a.Code)
		}
	}
	info, ok := accountTypes[a.Type]
	if !ok {
		return fmt.Errorf("%w: account %s: unknown type %q", ErrInvalid, a.Code, a.Type)
	}
	if a.Book == "" {
		a.Book = info.book
	}
	if a.Book != info.book {
		return fmt.Errorf("%w: account %s: type %s belongs to the %s book, not %s", ErrInvalid, a.Code, a.Type, info.book, a.Book)
	}
	if a.NormalSide == "" {
		a.NormalSide = info.normal
	}
	if !a.NormalSide.Valid() {
		return fmt.Errorf("%w: account %s: normal side %q", ErrInvalid, a.Code, a.NormalSide)
	}
	return nil
}

// accountColumns selects an account from "accounts a".
const accountColumns = `a.id, a.code, a.name, a.book, a.type, a.normal_side, a.no_overdraft,
	coalesce(a.district, '') AS district, coalesce(a.project, '') AS project, coalesce(a.source, '') AS source,
	coalesce(a.category, '') AS category, coalesce(a.bond, '') AS bond, a.created_at, a.created_by`

// CreateAccount creates an account, or returns the existing one when an
// account with the same code and the same attributes exists (so a set-up
// script can run twice). An existing account with other attributes is
// ErrAccountExists.
func (l *Ledger) CreateAccount(ctx context.Context, a Account, actor string) (Account, error) {
	if err := a.validate(); err != nil {
		return Account{}, err
	}
	if actor == "" {
		return Account{}, fmt.Errorf("%w: account %s: actor is required", ErrInvalid, a.Code)
	}
	var out Account
	err := l.db.GetContext(ctx, &out, `
		INSERT INTO accounts AS a (code, name, book, type, normal_side, no_overdraft, district, project, source, category, bond, created_by)
		VALUES ($1, $2, $3, $4, $5, $6, nullif($7, ''), nullif($8, ''), nullif($9, ''), nullif($10, ''), nullif($11, ''), $12)
		ON CONFLICT (code) DO NOTHING
		RETURNING `+accountColumns,
		a.Code, a.Name, a.Book, a.Type, a.NormalSide, a.NoOverdraft,
		a.District, a.Project, a.Source, a.Category, a.Bond, actor)
	if err == nil {
		return out, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("create account %s: %w", a.Code, dbError(err))
	}
	existing, err := l.Account(ctx, a.Code)
	if err != nil {
		return Account{}, err
	}
	if existing.Book != a.Book || existing.Type != a.Type || existing.NormalSide != a.NormalSide ||
		existing.NoOverdraft != a.NoOverdraft || existing.Dimensions != a.Dimensions {
		return Account{}, fmt.Errorf("create account %s: %w", a.Code, ErrAccountExists)
	}
	return existing, nil
}

// CreateAccounts creates many accounts in one statement, with the same
// rule as CreateAccount for those that exist. At most MaxPage at a time.
// The accounts found existing are read one index probe per wanted code
// (the lateral subquery, kept apart by OFFSET 0): a join of the whole
// table with the wanted codes was a scan of every account per call, which
// made a growing chart of accounts quadratic.
func (l *Ledger) CreateAccounts(ctx context.Context, accts []Account, actor string) error {
	ctx = withoutDryRun(ctx)
	if len(accts) == 0 {
		return nil
	}
	if len(accts) > MaxPage {
		return fmt.Errorf("%w: create %d accounts: at most %d at a time", ErrInvalid, len(accts), MaxPage)
	}
	if actor == "" {
		return fmt.Errorf("%w: create accounts: actor is required", ErrInvalid)
	}
	n := len(accts)
	cols := make([][]string, 11)
	for i := range cols {
		cols[i] = make([]string, n)
	}
	overdraft := make([]bool, n)
	want := make(map[string]Account, n)
	for i := range accts {
		a := accts[i]
		if err := a.validate(); err != nil {
			return err
		}
		want[a.Code] = a
		for j, v := range []string{a.Code, a.Name, string(a.Book), string(a.Type), string(a.NormalSide),
			a.District, a.Project, a.Source, a.Category, a.Bond, actor} {
			cols[j][i] = v
		}
		overdraft[i] = a.NoOverdraft
	}
	// One transaction: an account that exists with other attributes
	// refuses the whole list, so none of the new ones is left created.
	return l.inTx(ctx, func(tx *sqlx.Tx) error {
		var existing []Account
		err := tx.SelectContext(ctx, &existing, `
		WITH wanted AS (
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bool[],
			                     $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
			         AS w(code, name, book, type, normal_side, no_overdraft, district, project, source, category, bond, created_by)),
		ins AS (
			INSERT INTO accounts (code, name, book, type, normal_side, no_overdraft, district, project, source, category, bond, created_by)
			SELECT code, name, book, type, normal_side, no_overdraft, nullif(district, ''), nullif(project, ''), nullif(source, ''),
			       nullif(category, ''), nullif(bond, ''), created_by FROM wanted
			ON CONFLICT (code) DO NOTHING RETURNING code)
		SELECT `+accountColumns+` FROM wanted w
		 CROSS JOIN LATERAL (SELECT * FROM accounts a WHERE a.code = w.code OFFSET 0) a
		 WHERE NOT EXISTS (SELECT 1 FROM ins WHERE ins.code = w.code)`,
			pq.Array(cols[0]), pq.Array(cols[1]), pq.Array(cols[2]), pq.Array(cols[3]), pq.Array(cols[4]), pq.Array(overdraft),
			pq.Array(cols[5]), pq.Array(cols[6]), pq.Array(cols[7]), pq.Array(cols[8]), pq.Array(cols[9]), pq.Array(cols[10]))
		if err != nil {
			return fmt.Errorf("create %d accounts: %w", n, dbError(err))
		}
		for _, e := range existing {
			a := want[e.Code]
			if e.Book != a.Book || e.Type != a.Type || e.NormalSide != a.NormalSide || e.NoOverdraft != a.NoOverdraft || e.Dimensions != a.Dimensions {
				return fmt.Errorf("create account %s: %w", a.Code, ErrAccountExists)
			}
		}
		return nil
	})
}

// Account returns the account with the given code.
func (l *Ledger) Account(ctx context.Context, code string) (Account, error) {
	var a Account
	err := l.db.GetContext(ctx, &a, `SELECT `+accountColumns+` FROM accounts a WHERE a.code = $1`, code)
	if errors.Is(err, sql.ErrNoRows) {
		return Account{}, fmt.Errorf("account %s: %w", code, ErrNotFound)
	}
	if err != nil {
		return Account{}, fmt.Errorf("account %s: %w", code, err)
	}
	return a, nil
}

// AccountFilter selects accounts; empty fields match everything.
type AccountFilter struct {
	Book       Book
	CodePrefix string // matches the code itself or codes below it ("cash" matches cash:a:b)
	Dimensions
	Limit int // at most MaxPage; 0 means MaxPage
	// Districts narrows the listing to accounts of these districts (a
	// reader's granted districts, a handful; accounts without a district
	// are left out); nil: every account.
	Districts []string
	After     string // codes after this one (paging)
}

// MaxPage bounds every listing this package returns.
const MaxPage = 100000

func (f AccountFilter) where(args *[]any) string {
	var conds []string
	add := func(cond string, v any) {
		*args = append(*args, v)
		conds = append(conds, fmt.Sprintf(cond, len(*args)))
	}
	if f.Book != "" {
		add("a.book = $%d", string(f.Book))
	}
	if f.CodePrefix != "" {
		// starts_with, not LIKE: codes contain "_", a LIKE wildcard. The
		// byte-order range (':' is 0x3A, ';' the next byte) is the same
		// set, found through accounts_code_bytes (migration 00023).
		*args = append(*args, f.CodePrefix)
		conds = append(conds, fmt.Sprintf(`(a.code = $%[1]d OR (starts_with(a.code, $%[1]d || ':')
			AND a.code COLLATE "C" >= $%[1]d || ':' AND a.code COLLATE "C" < $%[1]d || ';'))`, len(*args)))
	}
	for _, d := range f.Dimensions.pairs() {
		if d.value != "" {
			add("a."+d.column+" = $%d", d.value)
		}
	}
	if f.Districts != nil {
		add("a.district = ANY($%d::text[])", pq.Array(f.Districts))
	}
	if f.After != "" {
		add("a.code > $%d", f.After)
	}
	if len(conds) == 0 {
		return "true"
	}
	return strings.Join(conds, " AND ")
}

func pageLimit(n int) int {
	if n <= 0 || n > MaxPage {
		return MaxPage
	}
	return n
}

// Accounts lists accounts by code.
func (l *Ledger) Accounts(ctx context.Context, f AccountFilter) ([]Account, error) {
	var args []any
	q := `SELECT ` + accountColumns + ` FROM accounts a WHERE ` + f.where(&args) +
		fmt.Sprintf(` ORDER BY a.code LIMIT %d`, pageLimit(f.Limit))
	var out []Account
	if err := sqlx.SelectContext(ctx, l.db, &out, q, args...); err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	return out, nil
}
