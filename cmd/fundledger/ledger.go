package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/internal/jsoninput"
	"fundledger/ledger"
	"fundledger/report"
)

func (a *app) accountCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "account", Short: "Create and list accounts"}
	var acc ledger.Account
	var typ string
	create := &cobra.Command{
		Use: "create CODE", Short: "Create an account (no change when it exists with the same attributes)",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			acc.Code, acc.Type = args[0], ledger.AccountType(typ)
			out, err := l.CreateAccount(c.Context(), acc, a.actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "account %s (%s, %s book, normal side %s, id %d)\n", out.Code, out.Type, out.Book, out.NormalSide, out.ID)
			return nil
		},
	}
	f := create.Flags()
	f.StringVar(&typ, "type", "", "asset|liability|net_assets|revenue|expense|budget_asset|budget_revenue|budget_expense|budget_balance")
	f.StringVar(&acc.Name, "name", "", "display name")
	f.BoolVar(&acc.NoOverdraft, "no-overdraft", false, "refuse any posting that would take the balance below zero")
	f.StringVar(&acc.District, "district", "", "dimension: district")
	f.StringVar(&acc.Project, "project", "", "dimension: project")
	f.StringVar(&acc.Source, "source", "", "dimension: funding source")
	f.StringVar(&acc.Category, "category", "", "dimension: retrofit category")
	f.StringVar(&acc.Bond, "bond", "", "dimension: bond")
	_ = create.MarkFlagRequired("type")

	var filter ledger.AccountFilter
	var book, format string
	list := &cobra.Command{
		Use: "list", Short: "List accounts", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			filter.Book = ledger.Book(book)
			accts, err := l.Accounts(c.Context(), filter)
			if err != nil {
				return err
			}
			t := report.Table{Title: "科目 Accounts", Columns: []report.Column{
				{Key: "code", Zh: "科目", En: "Code"}, {Key: "name", Zh: "名称", En: "Name", Bilingual: true}, {Key: "book", Zh: "账套", En: "Book", Coded: true},
				{Key: "type", Zh: "类型", En: "Type", Coded: true}, {Key: "no_overdraft", Zh: "禁止透支", En: "No overdraft"},
				{Key: "district", Zh: "区市", En: "District"}, {Key: "project", Zh: "项目", En: "Project"},
				{Key: "source", Zh: "资金来源", En: "Source"}, {Key: "category", Zh: "类别", En: "Category"},
			}}
			for _, x := range accts {
				t.Rows = append(t.Rows, []string{x.Code, x.Name, string(x.Book), string(x.Type), strconv.FormatBool(x.NoOverdraft),
					x.District, x.Project, x.Source, x.Category})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	list.Flags().StringVar(&filter.CodePrefix, "prefix", "", "only codes at or below this prefix")
	list.Flags().StringVar(&book, "book", "", "financial or budget")
	list.Flags().StringVar(&format, "format", "table", "table|csv|json")
	cmd.AddCommand(create, list)
	return cmd
}

// entryRequest is the JSON form of an entry for `fundledger post`.
type entryRequest struct {
	Book           ledger.Book       `json:"book"`
	EffectiveDate  string            `json:"effective_date"`
	Memo           string            `json:"memo"`
	IdempotencyKey string            `json:"idempotency_key"`
	Corrects       int64             `json:"corrects"`
	Metadata       map[string]string `json:"metadata"`
	Postings       []ledger.Posting  `json:"postings"`
}

func (a *app) postCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "post",
		Short: "Post an entry, or an array of entries as one batch, from JSON on stdin or --file",
		Long: `Post reads one entry or an array of entries (all or nothing):
  {"book": "financial", "effective_date": "2021-03-01", "memo": "...", "idempotency_key": "bank-2021-03-001",
   "metadata": {"voucher": "记-12"},
   "postings": [{"account": "cash:...", "side": "D", "amount": "100.00"}, {"account": "revenue:...", "side": "C", "amount": "100.00"}]}
Posting the same request again with the same key changes nothing and prints the original entry.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			var r io.Reader = c.InOrStdin()
			name := "stdin"
			if file != "" && file != "-" {
				fh, err := os.Open(file)
				if err != nil {
					return err
				}
				defer fh.Close()
				r, name = fh, file
			}
			data, err := io.ReadAll(io.LimitReader(r, 256<<20))
			if err != nil {
				return err
			}
			// Strict: an unknown field (amount_typo), text that is not
			// UTF-8, a lone surrogate or an amount such as 1e3 is refused.
			reqs, err := jsoninput.DecodeList[entryRequest](name, data)
			if err != nil {
				return err
			}
			entries := make([]ledger.Entry, len(reqs))
			for i, q := range reqs {
				date, err := ledger.ParseDate(q.EffectiveDate)
				if err != nil {
					return fmt.Errorf("%s: entry %d: effective_date: %w", name, i+1, err)
				}
				entries[i] = ledger.Entry{Book: q.Book, EffectiveDate: date, Memo: q.Memo, Actor: a.actor,
					IdempotencyKey: q.IdempotencyKey, Corrects: q.Corrects, Metadata: q.Metadata, Postings: q.Postings}
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			out, err := l.PostBatch(c.Context(), entries)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			for _, e := range out {
				state := doneOr(e.Replayed, "posted")
				fmt.Fprintf(c.OutOrStdout(), "%s entry %d (key %s, %s book, %s)\n", state, e.ID, e.IdempotencyKey, e.Book, e.EffectiveDate.Format(ledger.DateLayout))
			}
			return sealAfterWrite(c.Context(), l)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON file (default: stdin)")
	return cmd
}

func (a *app) reverseCmd() *cobra.Command {
	var req funding.PaymentReversal
	var date string
	cmd := &cobra.Command{
		Use: "reverse ENTRY_ID|VOUCHER", Short: "Post a reversal of an entry (sides swapped, pointing at it), named by its entry id or its voucher number (\"2021-03 财-0002\"); a receipt's or payment's two entries together",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var err error
			if date != "" {
				if req.Date, err = ledger.ParseDate(date); err != nil {
					return err
				}
			}
			return a.writeThenSeal(c, func(p *funding.Programme) error {
				if req.Entry, err = entryRef(c, p.Ledger(), args[0]); err != nil {
					return err
				}
				req.Actor = a.actor
				got, err := p.ReversePayment(c.Context(), req)
				if err != nil {
					return err
				}
				for i, e := range got.Reversals {
					fmt.Fprintf(c.OutOrStdout(), "reversal entry %d of entry %d dated %s\n", e.ID, got.Reversed[i], e.EffectiveDate.Format(ledger.DateLayout))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why (required, recorded)")
	cmd.Flags().StringVar(&date, "date", "", "date of the reversal (default: the reversed entry's date)")
	cmd.Flags().StringVar(&req.IdempotencyKey, "key", "", "idempotency key (default reversal-of:ID for each entry reversed; KEY/ID with a key)")
	return cmd
}

// entryRef is the entry a person names: its id (12) or its voucher number
// ("2021-03 财-0002").
func entryRef(c *cobra.Command, l *ledger.Ledger, ref string) (int64, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return id, nil
	}
	v, err := ledger.ParseVoucher(ref)
	if err != nil {
		return 0, fmt.Errorf("entry %q: neither an entry id nor a voucher number (YYYY-MM 财-NNNN): %w", ref, err)
	}
	e, err := l.EntryByVoucher(c.Context(), v)
	if err != nil {
		return 0, err
	}
	return e.ID, nil
}

func (a *app) balanceCmd() *cobra.Command {
	var at time.Time
	cmd := &cobra.Command{
		Use: "balance ACCOUNT", Short: "Print an account's balance (normal side) as of a date",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			b, err := l.Balance(c.Context(), args[0], at)
			if err != nil {
				return err
			}
			fmt.Fprintln(c.OutOrStdout(), b.StringFixed(2))
			return nil
		},
	}
	dateVar(cmd.Flags(), &at, "as-of", "end of this day (default: everything)")
	return cmd
}

func (a *app) registerCmd() *cobra.Command {
	var f ledger.RegisterFilter
	var format string
	cmd := &cobra.Command{
		Use: "register ACCOUNT", Short: "List an account's postings with the running balance",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			lines, err := l.Register(c.Context(), args[0], f)
			if err != nil {
				return err
			}
			amt := report.Amount
			if format != report.FormatTable {
				amt = report.Plain
			}
			t := report.Register(args[0], lines, amt)
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	dateVar(cmd.Flags(), &f.From, "from", "first date")
	dateVar(cmd.Flags(), &f.To, "to", "last date")
	cmd.Flags().IntVar(&f.Limit, "limit", 1000, "at most this many lines")
	cmd.Flags().StringVar(&format, "format", "table", "table|csv|json")
	return cmd
}

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "Reports"}
	var book, format, lang, tbDistrict, province, city string
	var at time.Time
	var rollup bool
	tb := &cobra.Command{
		Use: "trial-balance", Short: "Trial balance of a book as of a date", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if rollup { // rollup.go
				return a.rollupTrialBalance(c, at, book, province, city, tbDistrict, format, lang)
			}
			if tbDistrict != "" {
				return a.districtTrialBalance(c, at, tbDistrict, book, format, lang)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			books := []ledger.Book{ledger.Book(book)}
			if book == "all" {
				books = []ledger.Book{ledger.BookFinancial, ledger.BookBudget}
			}
			var ts []report.Table
			for _, b := range books {
				t, err := l.TrialBalance(c.Context(), b, at)
				if err != nil {
					return err
				}
				ts = append(ts, report.TrialBalance(t, amountFormat(format)))
			}
			return renderAll(c, ts, format, lang)
		},
	}
	dateVar(tb.Flags(), &at, "as-of", "end of this day (default: everything)")
	tb.Flags().StringVar(&book, "book", "financial", "financial|budget|all")
	tb.Flags().StringVar(&tbDistrict, "district", "", "one district's accounts (code or Chinese name)")
	tb.Flags().BoolVar(&rollup, "rollup", false, "sum by province; with --province, --city, --district drill down to cities, districts, account classes")
	tb.Flags().StringVar(&province, "province", "", "with --rollup: one province's cities")
	tb.Flags().StringVar(&city, "city", "", "with --rollup and --province: one city's districts")
	addOutputFlags(tb, &format)
	tb.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	cmd.AddCommand(tb, a.reportProjectCmd(), a.reportDistrictCmd(), a.reportPlanCmd(), a.reportGrantsCmd(), a.reportBondsCmd(), a.reportReconCmd())
	cmd.AddCommand(a.reportStatementCmds()...)
	return cmd
}

// districtTrialBalance is `report trial-balance --district D`: the same
// tables as `report trial-balances --district D`, for the book asked.
func (a *app) districtTrialBalance(c *cobra.Command, at time.Time, district, book, format, lang string) error {
	p, err := a.programme(c)
	if err != nil {
		return err
	}
	ts, err := report.TrialBalances(c.Context(), p, report.Options{AsOf: at, District: district, Lang: lang, Amount: amountFormat(format)})
	if err != nil {
		return err
	}
	switch ledger.Book(book) {
	case ledger.BookFinancial:
		ts = ts[:1]
	case ledger.BookBudget:
		ts = ts[1:]
	}
	return renderAll(c, ts, format, lang)
}

func (a *app) periodCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "period", Short: "Close, reopen and list accounting periods (months), city-wide or per district"}
	var reason, district string
	mk := func(use, short string, fn func(l *ledger.Ledger, c *cobra.Command, month time.Time) error) *cobra.Command {
		x := &cobra.Command{Use: use + " YYYY-MM [--district D]", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				month, err := ledger.ParsePeriod(args[0])
				if err != nil {
					return err
				}
				l, err := a.ledger(c.Context())
				if err != nil {
					return err
				}
				if district, err = a.districtCode(c, district); err != nil {
					return err
				}
				if err := fn(l, c, month); err != nil {
					return err
				}
				scope := "city-wide"
				if district != "" {
					scope = "district " + district
				}
				head, err := l.HeadHash(c.Context())
				if err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "period %s (%s): %sd by %s; chain head %s\n", args[0], scope, use, a.actor, head)
				return nil
			}}
		x.Flags().StringVar(&reason, "reason", "", "why (required to reopen)")
		x.Flags().StringVar(&district, "district", "", "the district (as on its accounts) whose month this is; default: city-wide")
		return x
	}
	cmd.AddCommand(
		mk("close", "Close a month: no entry dated in it (for a district: touching its accounts) is accepted afterwards; the chain head is recorded",
			func(l *ledger.Ledger, c *cobra.Command, m time.Time) error {
				if district != "" {
					return l.CloseDistrictPeriod(c.Context(), m, district, a.actor, reason)
				}
				return l.ClosePeriod(c.Context(), m, a.actor, reason)
			}),
		mk("reopen", "Reopen a closed month, with a reason", func(l *ledger.Ledger, c *cobra.Command, m time.Time) error {
			if district != "" {
				return l.ReopenDistrictPeriod(c.Context(), m, district, a.actor, reason)
			}
			return l.ReopenPeriod(c.Context(), m, a.actor, reason)
		}),
		&cobra.Command{Use: "list", Short: "List months, their state city-wide and per district, and the close/reopen history with the chain head each recorded", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				l, err := a.ledger(c.Context())
				if err != nil {
					return err
				}
				ps, err := l.Periods(c.Context())
				if err != nil {
					return err
				}
				dps, err := l.DistrictPeriods(c.Context())
				if err != nil {
					return err
				}
				hist, err := l.PeriodHistory(c.Context())
				if err != nil {
					return err
				}
				byMonth := map[string][]ledger.DistrictPeriod{}
				for _, d := range dps {
					byMonth[d.Start.Format("2006-01")] = append(byMonth[d.Start.Format("2006-01")], d)
				}
				state := func(closed bool) string {
					if closed {
						return "closed"
					}
					return "open"
				}
				w := c.OutOrStdout()
				for _, p := range ps {
					fmt.Fprintf(w, "%s  %s\n", p, state(p.Closed))
					for _, d := range byMonth[p.String()] {
						fmt.Fprintf(w, "  district %s  %s\n", d.District, state(d.Closed))
					}
				}
				for _, h := range hist {
					scope := "city-wide"
					if h.District != "" {
						scope = "district " + h.District
					}
					head := "(no head recorded)"
					if h.HeadHash != "" {
						head = fmt.Sprintf("head %s (block %d, entries to %d)", h.HeadHash, h.HeadBlockID, h.HeadEntryID)
					}
					why := ""
					if h.Reason != "" {
						why = " (" + h.Reason + ")"
					}
					fmt.Fprintf(w, "  %s %s %s by %s at %s%s; %s\n", h.Period.Format("2006-01"), scope, h.Action, h.Actor,
						h.At.Format(time.RFC3339), why, head)
				}
				return nil
			}})
	return cmd
}

// districtCode turns a district given by code or Chinese name into the
// code its accounts carry ("" stays ""); the database must be open.
func (a *app) districtCode(c *cobra.Command, district string) (string, error) {
	if district == "" {
		return "", nil
	}
	d, err := funding.LookupDistrict(c.Context(), a.db, district)
	if err != nil {
		return "", err
	}
	return d.Code, nil
}

func (a *app) sealCmd() *cobra.Command {
	return &cobra.Command{
		Use: "seal", Short: "Chain the entries posted since the last seal into a block", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			res, err := l.Seal(c.Context())
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "sealed %d entries in %d blocks; head %s\n", res.Entries, res.Blocks, res.HeadHash)
			if len(res.Held) == 0 {
				return nil
			}
			for _, h := range res.Held {
				fmt.Fprintln(w, "  held back: "+h.String())
			}
			return fmt.Errorf("seal: %d entries held back: they cannot be accounted for as posted through the ledger", len(res.Held))
		},
	}
}

func (a *app) verifyCmd() *cobra.Command {
	var noSeal bool
	var expect, asOfClose, district string
	cmd := &cobra.Command{
		Use: "verify", Short: "Recompute every entry's hash, the block chain and the derived balances; check the chain against a head hash written down earlier",
		Long: `verify recomputes every entry's content hash, the chain of blocks, the day balances, and checks
that every head hash recorded by a month close is still a block of the chain. With --expect HASH
(a head hash written down earlier, e.g. printed by verify or a report) or --as-of-close YYYY-MM
(the head recorded by that month's latest close, city-wide or --district D) it fails when history
up to that hash was rewritten. Entries waiting to be sealed are sealed first (unless --no-seal),
except those that cannot be accounted for as posted through the ledger: those are reported.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			opts := ledger.VerifyOptions{Expect: expect, District: district}
			if asOfClose != "" {
				m, err := ledger.ParsePeriod(asOfClose)
				if err != nil {
					return err
				}
				opts.AsOfClose = m
			} else if district != "" {
				return fmt.Errorf("%w: --district goes with --as-of-close", ledger.ErrInvalid)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			if opts.District, err = a.districtCode(c, opts.District); err != nil {
				return err
			}
			if !noSeal {
				if _, err := l.Seal(c.Context()); err != nil {
					return err
				}
			}
			rep, err := l.VerifyAgainst(c.Context(), opts)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "%d entries, %d blocks, %d unsealed; head hash %s\n", rep.Entries, rep.Blocks, rep.UnsealedEntries, rep.HeadHash)
			fmt.Fprintf(w, "%d head hashes recorded by period closes checked\n", rep.Anchors)
			if rep.Anchor != nil && rep.Anchor.Found {
				fmt.Fprintf(w, "the %s head hash %s is block %d of the chain\n", rep.Anchor.Source, rep.Anchor.Hash, rep.Anchor.BlockID)
			}
			if rep.OK {
				fmt.Fprintln(w, "OK: every entry matches its hash and the chain is unbroken")
				return nil
			}
			if rep.FirstBadEntry != 0 {
				fmt.Fprintf(w, "first entry that does not match: %d\n", rep.FirstBadEntry)
			}
			for _, p := range rep.Problems {
				fmt.Fprintln(w, "  "+p)
			}
			return fmt.Errorf("verify: %d problems found", len(rep.Problems))
		},
	}
	cmd.Flags().BoolVar(&noSeal, "no-seal", false, "do not seal pending entries first (read only)")
	cmd.Flags().StringVar(&expect, "expect", "", "a head hash written down earlier: fail unless it is a block of the chain")
	cmd.Flags().StringVar(&asOfClose, "as-of-close", "", "YYYY-MM: verify against the head hash that month's latest close recorded")
	cmd.Flags().StringVar(&district, "district", "", "with --as-of-close: the district's close instead of the city's")
	return cmd
}
