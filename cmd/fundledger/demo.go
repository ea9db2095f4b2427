package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"fundledger/internal/demo"
	"fundledger/ledger"
	"fundledger/report"
)

func (a *app) demoCmd() *cobra.Command {
	var quiet bool
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Build the sample 2020 programme (safe to run twice) and print plan progress, districts and trial balances",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			start := time.Now()
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			res, err := demo.Run(c.Context(), p, os.Stderr)
			if err != nil {
				return err
			}
			w := c.OutOrStdout()
			fmt.Fprintf(w, "demo: %d projects, %d approvals, %d receipts, %d payments; %d entries posted, %d already there; %d rule sets loaded (%.1fs)\n\n",
				res.Projects, res.Approvals, res.Receipts, res.Payments, res.NewEntries, res.ReplayedEntries, res.RuleSetsLoaded, time.Since(start).Seconds())
			if quiet {
				return nil
			}
			ts := []report.Table{report.PlanImportTable(res.PlanImport)}
			prog, err := p.PlanProgress(c.Context(), demo.ReportDate)
			if err != nil {
				return err
			}
			ts = append(ts, report.PlanProgressTables(prog)...)
			drep, err := p.DistrictReport(c.Context(), "", demo.ReportDate)
			if err != nil {
				return err
			}
			ts = append(ts, report.DistrictReport(drep, report.Amount)...)
			for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
				tb, err := p.Ledger().TrialBalance(c.Context(), b, demo.ReportDate)
				if err != nil {
					return err
				}
				t := report.TrialBalance(tb, report.Amount)
				t.Rows = summariseTrialBalance(t.Rows)
				ts = append(ts, t)
			}
			if err := renderAll(c, ts, report.FormatTable, ""); err != nil {
				return err
			}
			rep, err := p.Ledger().Verify(c.Context())
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "\nverify: ok=%v, %d entries in %d blocks, head %s\n", rep.OK, rep.Entries, rep.Blocks, rep.HeadHash)
			if !rep.OK {
				return fmt.Errorf("verify found problems: %v", rep.Problems)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only the summary line")
	return cmd
}

// maxDemoRows keeps the demo's trial balances readable: the full ones are
// `fundledger report trial-balance`.
const maxDemoRows = 12

func summariseTrialBalance(rows [][]string) [][]string {
	if len(rows) <= maxDemoRows+1 {
		return rows
	}
	out := append([][]string{}, rows[:maxDemoRows]...)
	out = append(out, []string{fmt.Sprintf("… %d more accounts (fundledger report trial-balance)", len(rows)-maxDemoRows-1), "", "", "", ""})
	return append(out, rows[len(rows)-1])
}
