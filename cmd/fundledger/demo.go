package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/internal/demo"
	"fundledger/ledger"
	"fundledger/report"
)

func (a *app) demoCmd() *cobra.Command {
	var quiet, full bool
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
			ts, err := demoTables(c, p, res, full)
			if err != nil {
				return err
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
			if !full {
				fmt.Fprint(w, demoNext)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "only the summary line")
	cmd.Flags().BoolVar(&full, "full", false, "print every report of the demo (plan import, progress, districts by source and category, trial balances)")
	return cmd
}

// demoNext is what a newcomer looks at after the demo.
const demoNext = `
What you are looking at: the Weihai plan's 95 communities of 2020 (six districts), each approved,
funded by its sources in instalments and 70% paid, in two books (financial and budget), sealed
into a hash chain. Where to look next:
  fundledger demo --full                          every report of the demo
  fundledger report district --as-of 2020-12-31   money per district and source
  fundledger project list --district 环翠区        one district's projects
  fundledger report project WH-HC-2020-001        one project, per source and category
  fundledger report trial-balance --district 环翠区 --as-of 2020-12-31
  fundledger serve                                the browser UI at http://127.0.0.1:8080/
`

// demoTables are the demo's reports: with full, the plan import, plan
// progress, districts by source and category and both trial balances (cut
// to their first rows); otherwise one row per district and the books' totals.
func demoTables(c *cobra.Command, p *funding.Programme, res demo.Result, full bool) ([]report.Table, error) {
	ctx := c.Context()
	var ts []report.Table
	if full {
		ts = append(ts, report.PlanImportTable(res.PlanImport))
		prog, err := p.PlanProgress(ctx, demo.ReportDate)
		if err != nil {
			return nil, err
		}
		ts = append(ts, report.PlanProgressTables(prog)...)
	}
	drep, err := p.DistrictReport(ctx, "", demo.ReportDate)
	if err != nil {
		return nil, err
	}
	districts := report.DistrictReport(drep, report.Amount)
	if full {
		ts = append(ts, districts...)
	} else {
		ts = append(ts, districtSubtotals(districts[0]))
	}
	for _, b := range []ledger.Book{ledger.BookFinancial, ledger.BookBudget} {
		tb, err := p.Ledger().TrialBalance(ctx, b, demo.ReportDate)
		if err != nil {
			return nil, err
		}
		t := report.TrialBalance(tb, report.Amount)
		if full {
			t.Rows = summariseTrialBalance(t.Rows, maxDemoRows)
		} else {
			t.Rows = summariseTrialBalance(t.Rows, 0)
		}
		ts = append(ts, t)
	}
	return ts, nil
}

// districtSubtotals keeps, of the districts-by-source table, one row per
// district (its subtotal) and the total.
func districtSubtotals(t report.Table) report.Table {
	rows := t.Rows[:0:0]
	for _, r := range t.Rows {
		if name, ok := strings.CutSuffix(r[0], " 小计 subtotal"); ok {
			rows = append(rows, append([]string{name}, r[2:]...))
		} else if r[0] == "合计 Total" {
			rows = append(rows, append([]string{r[0]}, r[2:]...))
		}
	}
	t.Title = strings.Replace(t.Title, "Districts by source", "Districts", 1)
	t.Columns = append(t.Columns[:1:1], t.Columns[2:]...)
	t.Rows = rows
	return t
}

// maxDemoRows keeps the demo's trial balances readable: the full ones are
// `fundledger report trial-balance`.
const maxDemoRows = 12

func summariseTrialBalance(rows [][]string, keep int) [][]string {
	if len(rows) <= keep+1 {
		return rows
	}
	out := append([][]string{}, rows[:keep]...)
	out = append(out, []string{fmt.Sprintf("… %d accounts (report trial-balance)", len(rows)-keep-1), "", "", "", ""})
	return append(out, rows[len(rows)-1])
}
