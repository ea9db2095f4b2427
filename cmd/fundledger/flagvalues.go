package main

// Typed flag values: a date, an amount or a score is read when the flags
// are parsed, before the database is opened, so a command's RunE receives
// a time.Time or a decimal.Decimal and never parses a flag by hand. A value
// that does not read is refused as `--flag "text": why` (flagError).

import (
	"errors"
	"fmt"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"fundledger/amount"
	"fundledger/ledger"
	"fundledger/recon"
)

// dateValue is a date flag (YYYY-MM-DD), read with ledger.ParseDate; the
// zero time when the flag is absent.
type dateValue struct{ t *time.Time }

func (d dateValue) Set(s string) error {
	t, err := ledger.ParseDate(s)
	if err != nil {
		return fmt.Errorf("%q: not a date; want the form YYYY-MM-DD, e.g. 2021-03-01", s)
	}
	*d.t = t
	return nil
}

func (d dateValue) String() string {
	if d.t == nil || d.t.IsZero() {
		return ""
	}
	return d.t.Format(ledger.DateLayout)
}

func (dateValue) Type() string { return "YYYY-MM-DD" }

// decimalValue is a decimal flag read by parse (an amount in yuan, a rate,
// a score): never a float.
type decimalValue struct {
	v     *decimal.Decimal
	parse func(string) (decimal.Decimal, error)
	kind  string
}

func (d decimalValue) Set(s string) error {
	v, err := d.parse(s)
	if err != nil {
		return err
	}
	*d.v = v
	return nil
}

func (d decimalValue) String() string {
	if d.v == nil || d.v.IsZero() {
		return ""
	}
	return d.v.String()
}

func (d decimalValue) Type() string { return d.kind }

// dateVar defines a date flag; required ones are checked before RunE
// (checkRequiredFlags), optional ones leave the zero time.
func dateVar(f *pflag.FlagSet, t *time.Time, name, usage string) {
	f.Var(dateValue{t}, name, usage)
}

// amountVar defines a money flag: yuan with at most two decimals
// (amount.Parse, which refuses exponents, signs and separators).
func amountVar(f *pflag.FlagSet, v *decimal.Decimal, name, usage string) {
	f.Var(decimalValue{v: v, parse: amount.Parse, kind: "yuan"}, name, usage)
}

// percentVar defines a rate or share flag: a plain decimal, at most four
// places (3.85 for 3.85%).
func percentVar(f *pflag.FlagSet, v *decimal.Decimal, name, usage string) {
	f.Var(decimalValue{v: v, parse: thresholdFormat.Parse, kind: "decimal"}, name, usage)
}

// scoreVar defines a --score flag: a number from 0 to 100 (the range is
// checked by funding, with the rule set's words).
func scoreVar(f *pflag.FlagSet, v *decimal.Decimal, usage string) {
	f.Var(decimalValue{v: v, kind: "score", parse: func(s string) (decimal.Decimal, error) {
		v, err := decimal.NewFromString(s)
		if err != nil {
			return decimal.Zero, fmt.Errorf("%q: not a number; give a score from 0 to 100, e.g. 87.5", s)
		}
		return v, nil
	}}, "score", usage)
}

// periodValue is a reconciliation period flag (YYYY-MM, YYYY or
// FROM..TO), read with recon.ParsePeriod; the zero period when absent.
type periodValue struct{ p *recon.Period }

func (v periodValue) Set(s string) error {
	p, err := recon.ParsePeriod(s)
	if err != nil {
		return fmt.Errorf("%q: not a period; want YYYY-MM, YYYY or FROM..TO as YYYY-MM-DD..YYYY-MM-DD, TO on or after FROM", s)
	}
	*v.p = p
	return nil
}

func (v periodValue) String() string {
	if v.p == nil || v.p.From.IsZero() {
		return ""
	}
	return v.p.String()
}

func (periodValue) Type() string { return "period" }

// periodVar defines a --period flag of a reconciliation.
func periodVar(f *pflag.FlagSet, p *recon.Period, usage string) {
	f.Var(periodValue{p}, "period", usage)
}

// required marks flags of cmd required (reported by checkRequiredFlags with
// what each is for).
func required(cmd *cobra.Command, names ...string) {
	for _, n := range names {
		_ = cmd.MarkFlagRequired(n)
	}
}

// flagError words a flag that does not read as `--name "text": why`.
func flagError(_ *cobra.Command, err error) error {
	var bad *pflag.InvalidValueError
	if errors.As(err, &bad) {
		return fmt.Errorf("--%s %w", bad.GetFlag().Name, bad.Unwrap())
	}
	return err
}
