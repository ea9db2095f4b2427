package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"fundledger/report"
)

// reportStatementCmds are the finance officers' statements (report.Statements):
// trial-balances, balance-sheet, budget-vs-actual, sources, earmark — each
// with --as-of, --district, --format table|csv|json|xlsx, --lang, --output.
// They are subcommands of `fundledger report`.
func (a *app) reportStatementCmds() []*cobra.Command {
	var cmds []*cobra.Command
	for _, st := range report.Statements {
		var district, format, lang, output string
		var at time.Time
		cmd := &cobra.Command{
			Use: st.Name, Short: st.Short, Args: cobra.NoArgs,
			RunE: func(c *cobra.Command, _ []string) error {
				if err := checkReportFormat(format); err != nil {
					return err
				}
				p, err := a.programme(c)
				if err != nil {
					return err
				}
				ts, err := st.Build(c.Context(), p, report.Options{AsOf: at, District: district, Lang: lang, Amount: amountFormat(format)})
				if err != nil {
					return err
				}
				o := renderOptions(c, format)
				return writeOutput(c, output, format == report.FormatXLSX, func(w io.Writer) error {
					return report.RenderAllWith(w, ts, format, lang, o)
				})
			},
		}
		dateVar(cmd.Flags(), &at, "as-of", "end of this day (default: everything)")
		cmd.Flags().StringVar(&district, "district", "", "one district (code or Chinese name)")
		cmd.Flags().StringVar(&format, "format", "table", "table|csv|json|xlsx")
		cmd.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
		cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (required for xlsx on a terminal)")
		cmd.Flags().Bool("csv-header", false, csvHeaderHelp)
		cmds = append(cmds, cmd)
	}
	return cmds
}

func checkReportFormat(format string) error {
	switch format {
	case report.FormatTable, report.FormatCSV, report.FormatJSON, report.FormatXLSX:
		return nil
	}
	return fmt.Errorf("unknown format %q: want table, csv, json or xlsx", format)
}

// exportCmd writes the whole journal (both books) for an outside tool:
// `fundledger export --format hledger [--as-of D] [--output FILE]`.
func (a *app) exportCmd() *cobra.Command {
	var format, output string
	var at time.Time
	cmd := &cobra.Command{
		Use:   "export",
		Short: "Export the journal of both books in the hledger/ledger format",
		Long: "Writes every entry (up to --as-of) as a hledger transaction: accounts named by their codes, amounts in CNY\n" +
			"(debits positive, credits negative), entry id, book, key, actor, hash and metadata as tags.\n" +
			"`hledger -f FILE balance` then gives each account the balance `fundledger report trial-balance` shows.",
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format != report.FormatHledger {
				return fmt.Errorf("unknown export format %q: want hledger", format)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			n := 0
			if err := writeOutput(c, output, false, func(w io.Writer) error {
				n, err = report.WriteHledger(c.Context(), w, l, at)
				return err
			}); err != nil {
				return err
			}
			if output != "" {
				fmt.Fprintf(c.ErrOrStderr(), "exported %d entries to %s\n", n, output)
			}
			return nil
		},
	}
	dateVar(cmd.Flags(), &at, "as-of", "entries dated up to this day (default: everything)")
	cmd.Flags().StringVar(&format, "format", report.FormatHledger, "hledger")
	cmd.Flags().StringVarP(&output, "output", "o", "", "write to this file (default: standard output)")
	return cmd
}

// isTerminal reports whether w is a character device (a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// writeOutput runs write on the file named output (written to a temporary
// file in the same directory and renamed into place, so a failed report
// leaves no half file), or on standard output when output is "". A binary
// format is refused on a terminal.
func writeOutput(c *cobra.Command, output string, binary bool, write func(io.Writer) error) error {
	if output == "" || output == "-" {
		out := c.OutOrStdout()
		if binary && isTerminal(out) {
			return fmt.Errorf("an xlsx workbook is binary: give --output FILE.xlsx (or redirect standard output)")
		}
		return write(out)
	}
	f, err := os.CreateTemp(filepath.Dir(output), "."+filepath.Base(output)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, output); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
