package main

import (
	"context"
	"io"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/report"
)

// The plumbing the programme's commands share. A command is its flags
// (typed: flagvalues.go) and one call into package funding (programmeCall,
// often a funding method adapted by request or withActor); onProgramme
// opens the programme, makes the call, shows the result and seals what it
// posted, so no command writes those steps again. writeCmd posts and
// seals, storeCmd stores without posting, tableCmd shows one table,
// reportCmd tables in --format with xlsx, --output and --lang;
// scheduleCmd shows a bond's or loan's schedule by version.

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
	var district string
	var at time.Time
	cmd := reportCmd(a, &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs}, func(ctx context.Context, p *funding.Programme, _ []string) (R, error) {
		return get(p, ctx, district, at)
	}, tables)
	dateVar(cmd.Flags(), &at, "as-of", "end of this day (default: everything)")
	cmd.Flags().StringVar(&district, "district", "", "one district (code or name)")
	return cmd
}

// programmeCall is a command's one call into package funding, with the
// command's arguments; the flags are already read into its request.
type programmeCall[R any] func(ctx context.Context, p *funding.Programme, args []string) (R, error)

// onProgramme makes cmd's RunE: open the programme, make the call, show
// what it returned and, when seal says so (nil: never), seal what the call
// committed (a failed seal is exit status 3, sealAfterWrite). A refused
// call shows nothing and seals nothing.
func onProgramme[R any](a *app, cmd *cobra.Command, call programmeCall[R], show func(*cobra.Command, R) error, seal func(R) bool) *cobra.Command {
	cmd.RunE = func(c *cobra.Command, args []string) error {
		p, err := a.programme(c)
		if err != nil {
			return err
		}
		r, err := call(c.Context(), p, args)
		if err != nil {
			return err
		}
		if err := show(c, r); err != nil || seal == nil || !seal(r) {
			return err
		}
		return sealAfterWrite(c.Context(), p.Ledger())
	}
	return cmd
}

// always seals.
func always[R any](R) bool { return true }

// writeCmd is a command that posts: one call, its lines printed, then the
// seal.
func writeCmd[R any](a *app, cmd *cobra.Command, call programmeCall[R], print func(io.Writer, R)) *cobra.Command {
	return onProgramme(a, cmd, call, printed(print), always[R])
}

// storeCmd is a command that stores without posting (a register entry, an
// event): one call and its lines printed; nothing to seal.
func storeCmd[R any](a *app, cmd *cobra.Command, call programmeCall[R], print func(io.Writer, R)) *cobra.Command {
	return onProgramme(a, cmd, call, printed(print), nil)
}

// printed shows a result by printing its lines.
func printed[R any](print func(io.Writer, R)) func(*cobra.Command, R) error {
	return func(c *cobra.Command, r R) error {
		print(c.OutOrStdout(), r)
		return nil
	}
}

// tableCmd is a command that reads: one call, laid out as one table in
// --format table, csv or json.
func tableCmd[R any](a *app, cmd *cobra.Command, call programmeCall[R], table func(R, func(decimal.Decimal) string) report.Table) *cobra.Command {
	var format string
	cmd.Flags().StringVar(&format, "format", "table", "table|csv|json")
	return onProgramme(a, cmd, call, func(c *cobra.Command, r R) error {
		return report.Render(c.OutOrStdout(), table(r, amountFormat(format)), format, "")
	}, nil)
}

// dateOrToday is an --as-of date, today when it was not given.
func dateOrToday(t time.Time) time.Time {
	if t.IsZero() {
		return today()
	}
	return t
}

// reportCmd is a report: one call, laid out as tables in --format table,
// csv, json or xlsx (--output, --csv-header) and --lang.
func reportCmd[R any](a *app, cmd *cobra.Command, call programmeCall[R], tables func(R, func(decimal.Decimal) string) []report.Table) *cobra.Command {
	format, lang := reportFlags(cmd)
	return onProgramme(a, cmd, call, func(c *cobra.Command, r R) error {
		return renderAll(c, tables(r, amountFormat(*format)), *format, *lang)
	}, nil)
}

// reportFlags gives a report --format (table, csv, json or xlsx, checked
// before the database is opened), --output, --csv-header and --lang.
func reportFlags(cmd *cobra.Command) (format, lang *string) {
	format, lang = new(string), new(string)
	addOutputFlags(cmd, format)
	cmd.Flags().StringVar(lang, "lang", "", "zh|en (default both)")
	cmd.PreRunE = func(*cobra.Command, []string) error { return checkReportFormat(*format) }
	return format, lang
}

// moneyFlags gives a command moving money --amount (yuan) and --date, both
// required.
func moneyFlags(cmd *cobra.Command, v *decimal.Decimal, on *time.Time, dateUsage string) {
	amountVar(cmd.Flags(), v, "amount", "amount in yuan, at most two decimals")
	dateVar(cmd.Flags(), on, "date", dateUsage)
	required(cmd, "amount", "date")
}

// request is a call of method with the request *r, once set has put the
// command's arguments and the actor into it (the flags are already in).
func request[Q, R any](r *Q, set func(args []string), method func(*funding.Programme, context.Context, Q) (R, error)) programmeCall[R] {
	return func(ctx context.Context, p *funding.Programme, args []string) (R, error) {
		set(args)
		return method(p, ctx, *r)
	}
}

// withActor is a call of method with the input *in and the actor, once
// set (when not nil) has put the command's arguments into it.
func withActor[I, R any](a *app, in *I, set func(args []string), method func(*funding.Programme, context.Context, I, string) (R, error)) programmeCall[R] {
	return func(ctx context.Context, p *funding.Programme, args []string) (R, error) {
		if set != nil {
			set(args)
		}
		return method(p, ctx, *in, a.actor)
	}
}
