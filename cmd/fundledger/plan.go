package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/report"
)

func (a *app) planCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "plan", Short: "Import the plan table (annex: 区市,年度,小区个数,户数,建筑面积)"}
	var format, acceptMismatch string
	imp := &cobra.Command{
		Use:   "import FILE",
		Short: "Import a plan file (CSV in UTF-8 or GBK, or XLSX); it becomes the plan in force",
		Long: `Import validates the whole file first: a file with any error is refused and nothing is stored.
A 总计 row that disagrees with the sum of its year's district rows is such an error (each
figure listed with its row, column, stated and computed value), unless
--accept-control-total-mismatch REASON is given: the reason is stored with the import.
Numbers that look implausible are stored as warnings and printed. The identity of an
import is its parsed content, not its bytes (a BOM, CRLF line ends, GBK or XLSX make no
difference): importing content stored before stores nothing new and makes that earlier
import the plan in force again (recorded).`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if format != report.FormatTable && format != report.FormatJSON {
				return fmt.Errorf("unknown format %q: want table or json", format)
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			res, err := funding.New(l).ImportPlanWith(c.Context(), args[0], funding.PlanImportOptions{Actor: a.actor, AcceptControlTotalMismatch: acceptMismatch})
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
	imp.Flags().StringVar(&acceptMismatch, "accept-control-total-mismatch", "", "accept a file whose 总计 rows disagree with its district rows, for this reason (recorded)")

	var reason string
	use := &cobra.Command{
		Use:   "use IMPORT_ID --reason TEXT",
		Short: "Make an earlier plan import the plan in force again (recorded with the reason)",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("import id %q: not a number", args[0])
			}
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			res, err := funding.New(l).ActivatePlan(c.Context(), id, a.actor, reason)
			if err != nil {
				return err
			}
			return report.Render(c.OutOrStdout(), report.PlanImportTable(res), report.FormatTable, "")
		},
	}
	use.Flags().StringVar(&reason, "reason", "", "why this import is the plan in force (required)")

	list := &cobra.Command{
		Use: "list", Short: "The plan imports, newest first, and which is in force", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			imps, err := funding.New(l).PlanImports(c.Context())
			if err != nil {
				return err
			}
			t := report.Table{Title: "计划表导入 Plan imports", Columns: []report.Column{
				{Key: "id", Zh: "编号", En: "Import"}, {Key: "file", Zh: "文件", En: "File"}, {Key: "imported_at", Zh: "导入时间", En: "Imported at"},
				{Key: "imported_by", Zh: "导入人", En: "By"}, {Key: "in_force", Zh: "现行", En: "In force"}, {Key: "accepted", Zh: "总计不一致说明", En: "Control totals accepted"},
				{Key: "sha256", Zh: "内容 SHA-256", En: "Content SHA-256"}}}
			for _, r := range imps {
				inForce := ""
				if r.InForce {
					inForce = "✓"
				}
				t.Rows = append(t.Rows, []string{strconv.FormatInt(r.ImportID, 10), r.File, r.ImportedAt.Format("2006-01-02 15:04:05"),
					r.ImportedBy, inForce, r.ControlTotalAccepted, r.SHA256})
			}
			return report.Render(c.OutOrStdout(), t, report.FormatTable, "")
		},
	}
	cmd.AddCommand(imp, use, list)
	return cmd
}

func (a *app) reportPlanCmd() *cobra.Command {
	var at time.Time
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "The plan in force against the registered projects, per district and year, and its milestones",
		Long: `Plan compares each district row of the newest plan import with the projects of that district
and plan year that were approved (or later) and completed (or later) on the --as-of date, then
checks the milestones (20% of all planned communities by the end of 2020, 60% by 2023, all by
2025) on the plan table itself and on the completed projects. --format json prints the
figures as one JSON document; table and csv print the two tables.`,
		Args: cobra.NoArgs,
	}
	format, lang := reportFlags(cmd)
	dateVar(cmd.Flags(), &at, "as-of", "statuses on this day (default: today)")
	return onProgramme(a, cmd, func(ctx context.Context, p *funding.Programme, _ []string) (funding.PlanProgress, error) {
		return p.PlanProgress(ctx, at)
	}, func(c *cobra.Command, p funding.PlanProgress) error {
		if *format != report.FormatJSON {
			return renderAll(c, report.PlanProgressTables(p), *format, *lang)
		}
		output, _ := c.Flags().GetString("output")
		return writeOutput(c, output, false, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(p)
		})
	}, nil)
}
