package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/report"
)

func (a *app) planCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Import the plan table (annex: 区市,年度,小区个数,户数,建筑面积)"}
	var format string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a plan file (CSV in UTF-8 or GBK, or XLSX); the newest import is the plan in force",
		Long: `Import validates the whole file first: a file with any error is refused and nothing is stored.
Numbers that look implausible are stored as warnings and printed. Importing a file whose
content (SHA-256) was imported before changes nothing and prints the earlier import.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if format != report.FormatTable && format != report.FormatJSON {
				return fmt.Errorf("unknown format %q: want table or json", format)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			res, err := funding.New(l).ImportPlan(c.Context(), args[0], a.actor)
			if err != nil {
				return err
			}
			if format == report.FormatJSON {
				enc := json.NewEncoder(c.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(res)
			}
			return report.Render(c.OutOrStdout(), report.PlanImportTable(res), format, "")
		},
	}
	imp.Flags().StringVar(&format, "format", "table", "table|json")
	cmd.AddCommand(imp)
	return cmd
}

func (a *app) reportPlanCmd() *cobra.Command {
	var asOf, format, lang string
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "The plan in force against the registered projects, per district and year, and its milestones",
		Long: `Plan compares each district row of the newest plan import with the projects of that district
and plan year that were approved (or later) and completed (or later) on the --as-of date, then
checks the milestones (20% of all planned communities by the end of 2020, 60% by 2023, all by
2025) on the plan table itself and on the completed projects. --format json prints the
figures as one JSON document; table and csv print the two tables.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			at, err := parseAsOf(asOf)
			if err != nil {
				return err
			}
			switch format {
			case report.FormatTable, report.FormatCSV, report.FormatJSON, report.FormatXLSX:
			default:
				return fmt.Errorf("unknown format %q: want table, csv, json or xlsx", format)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			p, err := funding.New(l).PlanProgress(c.Context(), at)
			if err != nil {
				return err
			}
			if format == report.FormatJSON {
				output, _ := c.Flags().GetString("output")
				return writeOutput(c, output, false, func(w io.Writer) error {
					enc := json.NewEncoder(w)
					enc.SetIndent("", "  ")
					return enc.Encode(p)
				})
			}
			return renderAll(c, report.PlanProgressTables(p), format, lang)
		},
	}
	cmd.Flags().StringVar(&asOf, "as-of", "", "statuses on this day (YYYY-MM-DD; default: today)")
	addOutputFlags(cmd, &format)
	cmd.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	return cmd
}
