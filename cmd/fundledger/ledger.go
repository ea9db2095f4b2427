package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

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
				state := "posted"
				if e.Replayed {
					state = "already posted"
				}
				fmt.Fprintf(c.OutOrStdout(), "%s entry %d (key %s, %s book, %s)\n", state, e.ID, e.IdempotencyKey, e.Book, e.EffectiveDate.Format(ledger.DateLayout))
			}
			return sealAfterWrite(c.Context(), l)
		},
	}
	cmd.Flags().StringVarP(&file, "file", "f", "", "JSON file (default: stdin)")
	return cmd
}

func (a *app) reverseCmd() *cobra.Command {
	var req ledger.ReverseRequest
	var date string
	cmd := &cobra.Command{
		Use: "reverse ENTRY_ID", Short: "Post a reversal of an entry (sides swapped, pointing at it)",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("entry id %q: not a number", args[0])
			}
			if date != "" {
				if req.Date, err = ledger.ParseDate(date); err != nil {
					return err
				}
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			req.Actor = a.actor
			e, err := l.Reverse(c.Context(), id, req)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "reversal entry %d of entry %d dated %s\n", e.ID, id, e.EffectiveDate.Format(ledger.DateLayout))
			return sealAfterWrite(c.Context(), l)
		},
	}
	cmd.Flags().StringVar(&req.Reason, "reason", "", "why (required, recorded)")
	cmd.Flags().StringVar(&date, "date", "", "date of the reversal (default: the reversed entry's date)")
	cmd.Flags().StringVar(&req.IdempotencyKey, "key", "", "idempotency key (default reversal-of:ID)")
	return cmd
}

func parseAsOf(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return ledger.ParseDate(s)
}

func (a *app) balanceCmd() *cobra.Command {
	var asOf string
	cmd := &cobra.Command{
		Use: "balance ACCOUNT", Short: "Print an account's balance (normal side) as of a date",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			at, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
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
	cmd.Flags().StringVar(&asOf, "as-of", "", "end of this day (YYYY-MM-DD; default: everything)")
	return cmd
}

func (a *app) registerCmd() *cobra.Command {
	var from, to, format string
	var limit int
	cmd := &cobra.Command{
		Use: "register ACCOUNT", Short: "List an account's postings with the running balance",
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var f ledger.RegisterFilter
			var err error
			if f.From, err = parseAsOf(from); err != nil {
				return err
			}
			if f.To, err = parseAsOf(to); err != nil {
				return err
			}
			f.Limit = limit
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
			t := report.Table{Title: "明细账 Register — " + args[0], Columns: []report.Column{
				{Key: "date", Zh: "日期", En: "Date"}, {Key: "entry", Zh: "凭证", En: "Entry", Numeric: true},
				{Key: "memo", Zh: "摘要", En: "Memo"}, {Key: "debit", Zh: "借方", En: "Debit", Numeric: true},
				{Key: "credit", Zh: "贷方", En: "Credit", Numeric: true}, {Key: "balance", Zh: "余额", En: "Balance", Numeric: true},
				{Key: "actor", Zh: "经办人", En: "Actor"},
			}}
			for _, r := range lines {
				dr, cr := amt(r.Amount), ""
				if r.Side == ledger.Credit {
					dr, cr = "", amt(r.Amount)
				}
				t.Rows = append(t.Rows, []string{r.EffectiveDate.Format(ledger.DateLayout), strconv.FormatInt(r.EntryID, 10), r.Memo, dr, cr, amt(r.Balance), r.Actor})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "first date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&to, "to", "", "last date (YYYY-MM-DD)")
	cmd.Flags().IntVar(&limit, "limit", 1000, "at most this many lines")
	cmd.Flags().StringVar(&format, "format", "table", "table|csv|json")
	return cmd
}

func (a *app) reportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "report", Short: "Reports"}
	var asOf, book, format, lang string
	tb := &cobra.Command{
		Use: "trial-balance", Short: "Trial balance of a book as of a date", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			at, err := parseAsOf(asOf)
			if err != nil {
				return err
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
	tb.Flags().StringVar(&asOf, "as-of", "", "end of this day (YYYY-MM-DD; default: everything)")
	tb.Flags().StringVar(&book, "book", "financial", "financial|budget|all")
	addOutputFlags(tb, &format)
	tb.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	cmd.AddCommand(tb, a.reportProjectCmd(), a.reportDistrictCmd(), a.reportPlanCmd(), a.reportGrantsCmd(), a.reportBondsCmd(), a.reportReconCmd())
	cmd.AddCommand(a.reportStatementCmds()...)
	return cmd
}

func (a *app) periodCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "period", Short: "Close, reopen and list accounting periods (months)"}
	var reason string
	mk := func(use, short string, fn func(l *ledger.Ledger, c *cobra.Command, month time.Time) error) *cobra.Command {
		x := &cobra.Command{Use: use + " YYYY-MM", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(c *cobra.Command, args []string) error {
				month, err := ledger.ParsePeriod(args[0])
				if err != nil {
					return err
				}
				l, err := a.ledger(c.Context())
				if err != nil {
					return err
				}
				if err := fn(l, c, month); err != nil {
					return err
				}
				fmt.Fprintf(c.OutOrStdout(), "period %s: %sd by %s\n", args[0], use, a.actor)
				return nil
			}}
		x.Flags().StringVar(&reason, "reason", "", "why (required to reopen)")
		return x
	}
	cmd.AddCommand(
		mk("close", "Close a month: no entry dated in it is accepted afterwards", func(l *ledger.Ledger, c *cobra.Command, m time.Time) error {
			return l.ClosePeriod(c.Context(), m, a.actor, reason)
		}),
		mk("reopen", "Reopen a closed month, with a reason", func(l *ledger.Ledger, c *cobra.Command, m time.Time) error {
			return l.ReopenPeriod(c.Context(), m, a.actor, reason)
		}),
		&cobra.Command{Use: "list", Short: "List months and their close/reopen history", Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				l, err := a.ledger(c.Context())
				if err != nil {
					return err
				}
				ps, err := l.Periods(c.Context())
				if err != nil {
					return err
				}
				hist, err := l.PeriodHistory(c.Context())
				if err != nil {
					return err
				}
				w := c.OutOrStdout()
				for _, p := range ps {
					state := "open"
					if p.Closed {
						state = "closed"
					}
					fmt.Fprintf(w, "%s  %s\n", p, state)
				}
				for _, h := range hist {
					fmt.Fprintf(w, "  %s %s by %s at %s %s\n", h.Period.Format("2006-01"), h.Action, h.Actor, h.At.Format(time.RFC3339), h.Reason)
				}
				return nil
			}})
	return cmd
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
			fmt.Fprintf(c.OutOrStdout(), "sealed %d entries in %d blocks; head %s\n", res.Entries, res.Blocks, res.HeadHash)
			return nil
		},
	}
}

func (a *app) verifyCmd() *cobra.Command {
	var noSeal bool
	cmd := &cobra.Command{
		Use: "verify", Short: "Recompute every entry's hash, the block chain and the derived balances", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			if !noSeal {
				if _, err := l.Seal(c.Context()); err != nil {
					return err
				}
			}
			rep, err := l.Verify(c.Context())
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "%d entries, %d blocks, %d unsealed; head hash %s\n", rep.Entries, rep.Blocks, rep.UnsealedEntries, rep.HeadHash)
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
	return cmd
}
