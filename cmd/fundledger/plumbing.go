package main

import (
	"context"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/report"
)

// The plumbing the bond, loan and report commands share: a schedule shown
// by version, and a report of a day (and a district) rendered to a file
// or standard output.

// scheduleCmd shows the repayment schedule of a bond or loan: load
// returns the thing by its code, schedule its schedule of a version (the
// newest when 0), table the two as a table.
func scheduleCmd[T, S any](a *app, short string, load func(p *funding.Programme, ctx context.Context, code string, version int) (T, S, error),
	table func(T, S, func(decimal.Decimal) string) report.Table) *cobra.Command {
	var version int
	var format, lang string
	c := &cobra.Command{
		Use: "schedule CODE", Short: short, Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			p, err := a.programme(c)
			if err != nil {
				return err
			}
			x, s, err := load(p, c.Context(), args[0], version)
			if err != nil {
				return err
			}
			return report.Render(c.OutOrStdout(), table(x, s, amountFormat(format)), format, lang)
		},
	}
	c.Flags().IntVar(&version, "version", 0, "schedule version (default: the newest)")
	c.Flags().StringVar(&format, "format", "table", "table|csv|json")
	c.Flags().StringVar(&lang, "lang", "", "zh|en (default both)")
	return c
}

// districtReportCmd is a report as of the end of a day (everything when
// --as-of is absent), of one district or all: get reads it, tables lays
// it out; --format with xlsx, --output and --lang.
func districtReportCmd[R any](a *app, use, short string, get func(p *funding.Programme, ctx context.Context, district string, at time.Time) (R, error),
	tables func(R, func(decimal.Decimal) string) []report.Table) *cobra.Command {
	var asOf, format, lang, district string
	cmd := &cobra.Command{
		Use: use, Short: short, Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			p, at, err := a.programmeAt(c, asOf)
			if err != nil {
				return err
			}
			rep, err := get(p, c.Context(), district, at)
			if err != nil {
				return err
			}
			return renderAll(c, tables(rep, amountFormat(format)), format, lang)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "end of this day (default: everything)")
	cmd.Flags().StringVar(&district, "district", "", "one district (code or name)")
	addOutputFlags(cmd, &format)
	cmd.Flags().StringVar(&lang, "lang", "", "zh|en (default both)")
	return cmd
}
