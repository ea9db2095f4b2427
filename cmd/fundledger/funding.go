package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"
	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/internal/jsoninput"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/requests"
	"fundledger/rules"
)

// maxInputBytes bounds a JSON input file.
const maxInputBytes = 64 << 20

func (a *app) programme(c *cobra.Command) (*funding.Programme, error) {
	l, err := a.ledger(c.Context())
	if err != nil {
		return nil, err
	}
	return funding.New(l), nil
}

// readJSONList reads one object or an array of objects from a file ("-" or
// "" for stdin).
func readJSONList[T any](c *cobra.Command, file string) ([]T, string, error) {
	var r io.Reader = c.InOrStdin()
	name := "stdin"
	if file != "" && file != "-" {
		fh, err := os.Open(file)
		if err != nil {
			return nil, file, err
		}
		defer fh.Close()
		r, name = fh, file
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputBytes))
	if err != nil {
		return nil, name, err
	}
	// Strict: unknown fields, text that is not UTF-8, lone surrogates and
	// amounts that are not plain decimals are refused with file:line:col.
	out, err := jsoninput.DecodeList[T](name, data)
	if err != nil {
		return nil, name, err
	}
	return out, name, nil
}

// itemErrors collects the refusals of a file's items before anything is
// stored, so every refused item is listed at once.
type itemErrors struct {
	file string
	msgs []string
}

func (e *itemErrors) add(format string, args ...any) {
	e.msgs = append(e.msgs, fmt.Sprintf(format, args...))
}

func (e *itemErrors) err() error {
	switch len(e.msgs) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("%s: %s; nothing was stored", e.file, e.msgs[0])
	}
	return fmt.Errorf("%s: %d items refused; nothing was stored:\n\t%s", e.file, len(e.msgs), strings.Join(e.msgs, "\n\t"))
}

func (a *app) projectCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "project", Short: "Register, list and move projects (old communities) through their lifecycle"}
	register := listCmd[requests.Project](a, &cobra.Command{
		Use: "register", Short: "Register projects from JSON (one object or an array; eligibility is checked)",
		Long: `Each project: {"code": "WH-HC-2020-001", "name": "...", "district": "环翠区", "address": "...",
 "completed_on": "1995-06-30", "state_owned_land": true, "slated_for_demolition": false,
 "households": 320, "floor_area_m2": "25600.50", "buildings": 8, "elevators": 0, "plan_year": 2020,
 "parties": {"employer": "威海市某某厂"}}`,
	}, "project", (*funding.Programme).RegisterProjects, func(pr funding.Project) string {
		prio := ""
		if pr.Priority {
			prio = ", priority (built before 2000)"
		}
		return fmt.Sprintf("project %s %s (%s): %s%s", pr.Code, pr.Name, pr.DistrictName, pr.Status, prio)
	})

	var f funding.ProjectFilter
	list := tableCmd(a, &cobra.Command{Use: "list", Short: "List projects", Args: cobra.NoArgs},
		func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.Project, error) {
			if f.District != "" {
				d, err := funding.LookupDistrict(ctx, a.db, f.District)
				if err != nil {
					return nil, err
				}
				f.District = d.Code
			}
			return p.Projects(ctx, f)
		}, func(ps []funding.Project, _ func(decimal.Decimal) string) report.Table {
			t := report.Table{Title: "项目 Projects", Columns: []report.Column{
				{Key: "code", Zh: "项目编号", En: "Code"}, {Key: "name", Zh: "名称", En: "Name"}, {Key: "district", Zh: "区市", En: "District"},
				{Key: "plan_year", Zh: "计划年度", En: "Year", Numeric: true}, {Key: "households", Zh: "户数", En: "Households", Numeric: true},
				{Key: "floor_area_m2", Zh: "建筑面积", En: "Area m²", Numeric: true}, {Key: "completed_on", Zh: "建成", En: "Built"},
				{Key: "priority", Zh: "优先", En: "Priority"}, {Key: "status", Zh: "状态", En: "Status", Coded: true},
			}}
			for _, x := range ps {
				t.Rows = append(t.Rows, []string{x.Code, x.Name, x.DistrictName, strconv.Itoa(x.PlanYear), strconv.Itoa(x.Households),
					x.FloorAreaM2.StringFixed(2), x.CompletedOn.Format(ledger.DateLayout), strconv.FormatBool(x.Priority), x.Status})
			}
			return t
		})
	list.Flags().StringVar(&f.District, "district", "", "district code or name")
	list.Flags().IntVar(&f.PlanYear, "year", 0, "plan year")

	var on time.Time
	var note string
	status := storeCmd(a, &cobra.Command{
		Use: "status CODE planned|approved|under_way|completed|accepted", Short: "Move a project forward in its lifecycle", Args: cobra.ExactArgs(2),
	}, func(ctx context.Context, p *funding.Programme, args []string) ([]string, error) {
		return args, p.SetStatus(ctx, args[0], args[1], on, a.actor, note)
	}, func(w io.Writer, args []string) { fmt.Fprintf(w, "project %s: %s\n", args[0], args[1]) })
	dateVar(status.Flags(), &on, "date", "effective date (default today)")
	status.Flags().StringVar(&note, "note", "", "note recorded with the change")
	cmd.AddCommand(register, list, status)
	return cmd
}

func (a *app) rulesCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "rules", Short: "Cost-sharing rule sets: check, load, list, show, explain"}
	check := &cobra.Command{
		Use: "check FILE...", Short: "Validate rule files (line-numbered errors) and that their date ranges do not overlap", Args: cobra.MinimumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			var sets []*rules.RuleSet
			for _, f := range args {
				rs, err := rules.LoadFile(f)
				if err != nil {
					return err
				}
				sets = append(sets, rs)
				fmt.Fprintf(c.OutOrStdout(), "%s: ok — %s %s, district %q, from %s, sha256 %s\n", f, rs.Name, rs.Version, rs.District,
					rs.EffectiveFrom.Format(ledger.DateLayout), rs.Hash())
			}
			return rules.CheckOverlap(sets)
		},
	}
	var loaded bool
	load := storeCmd(a, &cobra.Command{
		Use: "load FILE", Short: "Store a rule file as a new version (no change if already stored)", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (info funding.RuleSetInfo, err error) {
		info, loaded, err = p.LoadRuleSet(ctx, args[0], a.actor)
		return info, err
	}, func(w io.Writer, info funding.RuleSetInfo) {
		state := "loaded"
		if !loaded {
			state = "already loaded"
		}
		fmt.Fprintf(w, "%s rule set %d: %s %s (sha256 %s)\n", state, info.ID, info.Name, info.Version, info.ContentHash)
	})
	list := tableCmd(a, &cobra.Command{Use: "list", Short: "List stored rule set versions", Args: cobra.NoArgs},
		func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.RuleSetInfo, error) {
			return p.RuleSets(ctx)
		}, ruleSetTable)
	var text string
	show := storeCmd(a, &cobra.Command{
		Use: "show ID|NAME|NAME@VERSION", Short: "Print a stored rule set version exactly as loaded (by id, or by name: the current version)", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.RuleSetInfo, error) {
		info, err := p.RuleSetByRef(ctx, args[0])
		if err != nil {
			return info, err
		}
		_, text, err = p.RuleSet(ctx, info.ID)
		return info, err
	}, func(w io.Writer, info funding.RuleSetInfo) {
		fmt.Fprintf(w, "# rule set %d: %s %s, file %s, sha256 %s, loaded %s by %s, current %v\n%s",
			info.ID, info.Name, info.Version, info.FileName, info.ContentHash, info.LoadedAt.Format("2006-01-02 15:04:05"), info.LoadedBy, info.Current, text)
	})
	explain := storeCmd(a, &cobra.Command{
		Use: "explain PROJECT", Short: "How each source's amount of a project's latest approval was computed, and by which rule version", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (*funding.Approval, error) {
		return p.LatestApproval(ctx, args[0])
	}, printApprovalExplained)
	cmd.AddCommand(check, load, list, show, explain, a.rulesWhatIfCmd())
	return cmd
}

// ruleSetTable lays out the stored rule set versions.
func ruleSetTable(sets []funding.RuleSetInfo, _ func(decimal.Decimal) string) report.Table {
	t := report.Table{Title: "规则 Rule sets", Columns: []report.Column{
		{Key: "id", Zh: "编号", En: "ID", Numeric: true}, {Key: "name", Zh: "名称", En: "Name"}, {Key: "version", Zh: "版本", En: "Version"},
		{Key: "district", Zh: "区市", En: "District"}, {Key: "effective_from", Zh: "生效", En: "From"}, {Key: "effective_to", Zh: "失效", En: "To"},
		{Key: "current", Zh: "现行", En: "Current"}, {Key: "sha256", Zh: "哈希", En: "SHA-256"}, {Key: "loaded_by", Zh: "导入人", En: "Loaded by"},
	}}
	for _, s := range sets {
		to := ""
		if s.EffectiveTo != nil {
			to = s.EffectiveTo.Format(ledger.DateLayout)
		}
		district := s.District
		if district == "" {
			district = "全市 city-wide"
		}
		t.Rows = append(t.Rows, []string{strconv.FormatInt(s.ID, 10), s.Name, s.Version, district, s.EffectiveFrom.Format(ledger.DateLayout), to,
			strconv.FormatBool(s.Current), s.ContentHash[:16], s.LoadedBy})
	}
	return t
}

// printApprovalExplained prints how each source's amount of an approval
// was computed, and the change from the approval before.
func printApprovalExplained(w io.Writer, ap *funding.Approval) {
	al := ap.Allocation
	fmt.Fprintf(w, "project %s, approval v%d of %s, total %s\nrule set %d: %s %s (district %q), sha256 %s\n\n",
		ap.Project, ap.Version, ap.ApprovedOn.Format(ledger.DateLayout), report.Amount(ap.Total), ap.RuleSetID,
		al.RuleSet.Name, al.RuleSet.Version, al.RuleSet.District, al.RuleSet.Hash)
	for _, s := range al.Steps {
		fmt.Fprintln(w, "  "+s)
	}
	fmt.Fprintln(w, "\nper source:")
	for _, t := range al.Totals {
		fmt.Fprintf(w, "  %-28s %18s\n", t.Source, report.Amount(t.Amount))
	}
	if len(ap.Deltas) > 0 && ap.Version > 1 {
		fmt.Fprintln(w, "\nchange from the previous approval:")
		for _, d := range ap.Deltas {
			fmt.Fprintf(w, "  %-28s %18s → %18s\n", d.Source, report.Amount(d.Previous), report.Amount(d.Now))
		}
	}
}

func (a *app) budgetCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "budget", Short: "Approve project budgets (commitments per source in the budget book)"}
	var file, sourceLines, name string
	req := funding.ApprovalRequest{}
	approve := onProgramme(a, &cobra.Command{
		Use: "approve PROJECT", Short: "Approve budget lines from JSON: [{\"category\": \"basic\", \"work_item\": \"\", \"description\": \"...\", \"amount\": \"1000000.00\"}]",
		Args: cobra.ExactArgs(1),
		PreRunE: func(c *cobra.Command, _ []string) error {
			bodies, n, err := readJSONList[requests.BudgetLine](c, file)
			if err != nil {
				return err
			}
			name = n
			var refused []string
			req.Lines, refused = requests.Inputs("line", bodies)
			if err := (&itemErrors{file: name, msgs: refused}).err(); err != nil {
				return err
			}
			if sourceLines != "" {
				req.SourceLines, _, err = readJSONList[funding.SourceLineInput](c, sourceLines)
			}
			return err
		},
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.Approval, error) {
		req.Project, req.Actor = args[0], a.actor
		ap, err := p.Approve(ctx, req)
		if err != nil {
			return ap, fmt.Errorf("%s: %w", name, err)
		}
		return ap, nil
	}, func(c *cobra.Command, ap funding.Approval) error {
		w := c.OutOrStdout()
		if ap.Unchanged {
			fmt.Fprintf(w, "project %s: the same budget is already approved (v%d); nothing changed\n", ap.Project, ap.Version)
			return nil
		}
		fmt.Fprintf(w, "project %s: budget v%d approved, total %s, rule set %d, entry %d\n", ap.Project, ap.Version, report.Amount(ap.Total), ap.RuleSetID, ap.EntryID)
		for _, d := range ap.Deltas {
			fmt.Fprintf(w, "  %-28s %18s\n", d.Source, report.Amount(d.Now))
		}
		return nil
	}, func(ap funding.Approval) bool { return !ap.Unchanged })
	approve.Flags().StringVarP(&file, "file", "f", "", "budget lines JSON (default: stdin)")
	dateVar(approve.Flags(), &req.ApprovedOn, "date", "approval date")
	approve.Flags().StringVar(&sourceLines, "source-lines", "", `optional JSON file of source lines: [{"category": "basic", "source": "central", "amount": "300000.00"}]`)
	required(approve, "date")
	cmd.AddCommand(approve, a.budgetAdjustCmd())
	return cmd
}

func (a *app) bankCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "bank", Short: "Bank accounts that receive and pay programme money"}
	var b funding.BankAccount
	add := storeCmd(a, &cobra.Command{
		Use: "add CODE", Short: "Register a bank account", Args: cobra.ExactArgs(1),
	}, func(ctx context.Context, p *funding.Programme, args []string) (funding.BankAccount, error) {
		b.Code = args[0]
		return b, p.AddBankAccount(ctx, b, a.actor)
	}, func(w io.Writer, b funding.BankAccount) { fmt.Fprintf(w, "bank account %s: %s\n", b.Code, b.Name) })
	add.Flags().StringVar(&b.Name, "name", "", "account name (required)")
	add.Flags().StringVar(&b.Bank, "bank", "", "bank")
	add.Flags().StringVar(&b.Number, "number", "", "account number")
	add.Flags().StringVar(&b.District, "district", "", "district code or name")
	required(add, "name")
	var district string
	list := tableCmd(a, &cobra.Command{
		Use: "list", Short: "List bank account codes (with --district: that district's and the city's own)", Args: cobra.NoArgs,
	}, func(ctx context.Context, p *funding.Programme, _ []string) ([]funding.BankAccount, error) {
		return p.BankAccounts(ctx, district)
	}, func(bs []funding.BankAccount, _ func(decimal.Decimal) string) report.Table {
		t := report.Table{Title: "银行账户 Bank accounts", Columns: []report.Column{
			{Key: "code", Zh: "代码", En: "Code"}, {Key: "name", Zh: "户名", En: "Name"}, {Key: "bank", Zh: "开户行", En: "Bank"},
			{Key: "number", Zh: "账号", En: "Number"}, {Key: "district", Zh: "区市", En: "District"},
		}}
		for _, b := range bs {
			d := b.District
			if d == "" {
				d = "全市 city"
			}
			t.Rows = append(t.Rows, []string{b.Code, b.Name, b.Bank, b.Number, d})
		}
		return t
	})
	list.Flags().StringVar(&district, "district", "", "one district (code or Chinese name)")
	cmd.AddCommand(add, list)
	return cmd
}

func (a *app) receiptCmd() *cobra.Command {
	var r funding.ReceiptRequest
	cmd := movementCmd(a, &cobra.Command{Use: "receipt", Short: "Record money arriving for a project from a source (资金到位)"}, "receipt",
		request(&r, func([]string) { r.Actor = a.actor }, (*funding.Programme).Receive),
		movementFields{&r.Project, &r.Source, &r.BankAccount, &r.Reference, &r.Memo, &r.IdempotencyKey, &r.Amount, &r.ReceivedOn})
	cmd.Flags().Lookup("ref").Usage = "bank or treasury voucher"
	cmd.Flags().Lookup("source").Usage = "funding source (central, provincial, municipal, district, bond, …)"
	return cmd
}

func (a *app) payCmd() *cobra.Command {
	var r funding.DisbursementRequest
	cmd := movementCmd(a, &cobra.Command{Use: "pay", Short: "Record a payment for a category of work from one source's earmarked money (拨付)"}, "payment",
		request(&r, func([]string) { r.Actor = a.actor }, (*funding.Programme).Disburse),
		movementFields{&r.Project, &r.Source, &r.BankAccount, &r.Reference, &r.Memo, &r.IdempotencyKey, &r.Amount, &r.PaidOn})
	f := cmd.Flags()
	f.Lookup("source").Usage = "funding source whose earmarked money pays"
	f.Lookup("date").Usage = "date paid"
	f.StringVar(&r.Category, "category", "", "basic|improvement|upgrade")
	f.StringVar(&r.WorkItem, "work-item", "", "work item (e.g. elevator, utility_pipework)")
	f.StringVar(&r.Payee, "payee", "", "who is paid")
	required(cmd, "category", "payee")
	return cmd
}

// movementFields are the fields a receipt and a payment share, each read
// from its flag.
type movementFields struct {
	project, source, bank, ref, memo, key *string
	amount                                *decimal.Decimal
	on                                    *time.Time
}

// movementCmd records a receipt or payment with one call, prints the
// entries and seals them. The flags of the shared fields are all required
// but --ref and --memo; --key is the idempotency key.
func movementCmd(a *app, cmd *cobra.Command, what string, call programmeCall[funding.Movement], m movementFields) *cobra.Command {
	cmd.Args = cobra.NoArgs
	f := cmd.Flags()
	f.StringVar(m.project, "project", "", "project code")
	f.StringVar(m.source, "source", "", "funding source")
	f.StringVar(m.bank, "bank", "", "bank account code")
	f.StringVar(m.ref, "ref", "", "voucher")
	f.StringVar(m.memo, "memo", "", "memo")
	f.StringVar(m.key, "key", "", "idempotency key (the same key again changes nothing)")
	moneyFlags(cmd, m.amount, m.on, "date received")
	required(cmd, "project", "source", "bank", "key")
	return writeCmd(a, cmd, call, func(w io.Writer, mv funding.Movement) {
		fmt.Fprintf(w, "%s %s %s: financial entry %d, budget entry %d\n", what, *m.key, doneOr(mv.Replayed, "recorded"), mv.FinancialEntry, mv.BudgetEntry)
	})
}

func amountFormat(format string) func(decimal.Decimal) string {
	if format == report.FormatTable || format == "" {
		return report.Amount
	}
	return report.Plain
}

// renderAll writes the tables to standard output, or to --output (required
// in effect for xlsx, which is binary).
func renderAll(c *cobra.Command, ts []report.Table, format, lang string) error {
	output, _ := c.Flags().GetString("output")
	o := renderOptions(c, format)
	return writeOutput(c, output, format == report.FormatXLSX, func(w io.Writer) error {
		return report.RenderAllWith(w, ts, format, lang, o)
	})
}

// addOutputFlags gives a report command --format with xlsx and --output.
func addOutputFlags(cmd *cobra.Command, format *string) {
	cmd.Flags().StringVar(format, "format", "table", "table|csv|json|xlsx")
	cmd.Flags().StringP("output", "o", "", "write to this file (needed for xlsx unless standard output is redirected)")
	cmd.Flags().Bool("csv-header", false, csvHeaderHelp)
}

func (a *app) reportProjectCmd() *cobra.Command {
	var at time.Time
	cmd := reportCmd(a, &cobra.Command{Use: "project CODE", Short: "A project's money per source and per category", Args: cobra.ExactArgs(1)},
		func(ctx context.Context, p *funding.Programme, args []string) (funding.ProjectReport, error) {
			return p.ProjectReport(ctx, args[0], at)
		}, report.ProjectReport)
	dateVar(cmd.Flags(), &at, "as-of", "end of this day (default: everything)")
	return cmd
}

func (a *app) reportDistrictCmd() *cobra.Command {
	return districtReportCmd(a, "district", "Money per district and source, and per district and category",
		(*funding.Programme).DistrictReport, report.DistrictReport)
}

// writeThenSeal runs a write on the programme, then seals the ledger's
// new entries; a failed write is returned unsealed, a failed seal says the
// entries are stored with the seal pending (exit status 3, sealAfterWrite)
// like every other writing command.
func (a *app) writeThenSeal(c *cobra.Command, write func(p *funding.Programme) error) error {
	p, err := a.programme(c)
	if err != nil {
		return err
	}
	if err := write(p); err != nil {
		return err
	}
	return sealAfterWrite(c.Context(), p.Ledger())
}
