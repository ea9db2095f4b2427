package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"fundledger/internal/demo"
	"fundledger/ledger"
	"fundledger/report"
)

func (a *app) demoCmd() *cobra.Command {
	return &cobra.Command{
		Use: "demo", Short: "Build the sample books (safe to run twice) and print the trial balances", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			res, err := demo.Run(c.Context(), l)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "demo project %s: %d accounts, %d entries posted, %d already there\n\n", demo.Project, res.Accounts, res.Posted, res.Replayed)
			for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
				tb, err := l.TrialBalance(c.Context(), b, ledger.Date(2020, 12, 31))
				if err != nil {
					return err
				}
				if err := report.Render(w, report.TrialBalance(tb, report.Amount), report.FormatTable, ""); err != nil {
					return err
				}
				fmt.Fprintln(w)
			}
			rep, err := l.Verify(c.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "verify: ok=%v, %d entries in %d blocks, head %s\n", rep.OK, rep.Entries, rep.Blocks, rep.HeadHash)
			return nil
		},
	}
}
