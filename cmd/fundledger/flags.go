package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagPurpose says, for a flag name used by several commands, what a
// person must give and where to find it. The same name means the same thing
// in every command, so one sentence serves them all.
var flagPurpose = map[string]string{
	"account":  "the bank account code of the statement; see fundledger bank list",
	"amount":   "the amount in yuan, e.g. 1250000.00 (at most two decimals)",
	"approver": "who approved it (a person or an office): it is recorded with the change",
	"bank":     "the bank account the money goes through; see fundledger bank list",
	"category": "the category of work: basic, improvement or upgrade",
	"date":     "the date, as YYYY-MM-DD",
	"district": "the district's code or Chinese name; see fundledger district list",
	"key":      "an idempotency key you choose, e.g. the bank voucher number: the same key again changes nothing",
	"payee":    "who is paid",
	"period":   "the month, as YYYY-MM",
	"pool":     "the amount to allocate, in yuan",
	"project":  "the project code; see fundledger project list",
	"reason":   "why, in words: it is recorded with the change",
	"source":   "the funding source: central, provincial, municipal, district, bond, …; see fundledger sources",
	"type":     "the account type: asset, liability, net_assets, revenue, expense, budget_asset, budget_revenue, budget_expense or budget_balance",
	"year":     "the year, e.g. 2021",
}

// requiredFlags is cobra's "required" annotation moved to our own, so a
// missing flag is reported in words (see checkRequiredFlags) and --help
// marks it.
const requiredFlags = "fundledger_required"

// explainRequiredFlags walks the command tree once: every flag marked with
// cobra's MarkFlagRequired gets "(required)" in its help and is checked by
// checkRequiredFlags instead of cobra's terse `required flag(s) "x" not set`.
func explainRequiredFlags(c *cobra.Command) {
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[cobra.BashCompOneRequiredFlag]; !ok {
			return
		}
		delete(f.Annotations, cobra.BashCompOneRequiredFlag)
		if f.Annotations == nil {
			f.Annotations = map[string][]string{}
		}
		f.Annotations[requiredFlags] = []string{"true"}
		if !strings.Contains(f.Usage, "(required)") {
			f.Usage += " (required)"
		}
	})
	for _, sub := range c.Commands() {
		explainRequiredFlags(sub)
	}
}

// checkRequiredFlags reports every required flag the command was not given,
// each with what it is for.
func checkRequiredFlags(c *cobra.Command) error {
	if t := c.Flags().Lookup("template"); t != nil && t.Changed {
		return nil // only printing an example
	}
	var missing []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if _, ok := f.Annotations[requiredFlags]; !ok || f.Changed {
			return
		}
		why := flagPurpose[f.Name]
		if why == "" {
			why = strings.TrimSuffix(strings.TrimSpace(f.Usage), " (required)")
		}
		missing = append(missing, fmt.Sprintf("--%s is required: %s", f.Name, why))
	})
	if len(missing) == 0 {
		return nil
	}
	return fmt.Errorf("%s:\n  %s", strings.TrimPrefix(c.CommandPath(), c.Root().Name()+" "), strings.Join(missing, "\n  "))
}
