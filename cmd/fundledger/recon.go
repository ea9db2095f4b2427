package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"fundledger/recon"
	"fundledger/report"
)

func (a *app) recon(c *cobra.Command) (*recon.Recon, error) {
	l, err := a.ledger(c.Context())
	if err != nil {
		return nil, err
	}
	return recon.New(l.DB()), nil
}

func checkFormat(format string, allowed ...string) error {
	for _, f := range allowed {
		if format == f {
			return nil
		}
	}
	return fmt.Errorf("unknown format %q: want %s", format, strings.Join(allowed, ", "))
}

func writeJSON(c *cobra.Command, v any) error {
	enc := json.NewEncoder(c.OutOrStdout())
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// reconCmd: statement import, matching runs, manual matches.
func (a *app) reconCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "recon", Short: "Reconcile bank and treasury statements with the ledger's cash postings"}

	var account, profile, profileFile, format, acceptBreak string
	imp := &cobra.Command{
		Use:   "import --account BANKACCT [--profile NAME|auto | --profile-file FILE] [--accept-break REASON] FILE",
		Short: "Import a statement (CSV in UTF-8 or GBK, XLSX, or an old .xls) through a column profile",
		Long: `Import validates every line first (date, amount to the fen, the running balance where the
file lists one) and refuses a file with any error whole, naming each row. Title rows, totals
(合计), page marks (第1页 共2页), headers repeated on each page, print stamps and notices are
skipped and counted. --profile auto recognises the bank's layout from the header row (and refuses
when two layouts fit equally well). Lines already stored for the account (the same file again, an
overlapping one, or the same days exported in another layout) are not added twice. A statement
whose opening balance does not follow the previous statement's closing balance is refused with
both figures, unless --accept-break gives the reason, which is recorded. An old Excel 97–2003
workbook (.xls, as ABC and rural commercial banks deliver) is read like an XLSX: its first sheet,
date and date-time cells as dates; a damaged, password-protected or Excel 95 one is refused, naming
the file (save it as .xlsx or .csv). Profiles:
` + "`fundledger recon profiles`" + `; a custom one is a JSON file of the same shape, which may
"extends" a built-in one and add names.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkFormat(format, report.FormatTable, report.FormatJSON); err != nil {
				return err
			}
			var p *recon.Profile
			var err error
			switch {
			case profileFile != "":
				p, err = recon.LoadProfileFile(profileFile)
			case profile == "auto":
			default:
				p, err = recon.LookupProfile(profile)
			}
			if err != nil {
				return err
			}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			res, err := r.ImportFileWith(c.Context(), recon.ImportRequest{BankAccount: account, Profile: p, File: args[0],
				Actor: a.actor, AcceptBreak: acceptBreak})
			if err != nil {
				return err
			}
			if format == report.FormatJSON {
				return writeJSON(c, res)
			}
			return report.Render(c.OutOrStdout(), report.ReconImport(res), format, "")
		},
	}
	imp.Flags().StringVar(&account, "account", "", "bank account code (required)")
	imp.Flags().StringVar(&profile, "profile", recon.DefaultProfile, "column profile: auto (from the header), generic, icbc, ccb, abc, boc, bocom, rcb, treasury")
	imp.Flags().StringVar(&profileFile, "profile-file", "", "a column profile in a JSON file")
	imp.Flags().StringVar(&acceptBreak, "accept-break", "", "the reason to import a statement whose balances do not follow on from the previous one (recorded)")
	imp.Flags().StringVar(&format, "format", "table", "table|json")
	_ = imp.MarkFlagRequired("account")

	profiles := &cobra.Command{
		Use: "profiles", Short: "List the statement column profiles that ship with fundledger", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if format == report.FormatJSON {
				return writeJSON(c, recon.Profiles())
			}
			t := report.Table{Title: "对账单格式 Statement profiles", Columns: []report.Column{
				{Key: "name", Zh: "名称", En: "Name"}, {Key: "description", Zh: "说明", En: "Description"}}}
			for _, p := range recon.Profiles() {
				t.Rows = append(t.Rows, []string{p.Name, p.Description})
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	profiles.Flags().StringVar(&format, "format", "table", "table|json")

	var period recon.Period
	var lang string
	var window int
	var dry bool
	run := &cobra.Command{
		Use:   "run --account BANKACCT --period 2021-03 [--window-days 3]",
		Short: "Match statement lines to cash postings: (1) reference, (2) amount and date, (3) sums",
		Long: `Run matches the unmatched statement lines of the account to its unmatched cash postings
around the period, in passes: (1) the same reference; (2) the same amount and direction within
±window days, one candidate on each side (the counterparty decides between several); (3) one item
against 2 to 5 of the other side by exact sum within the window (bounded search). What cannot be decided without guessing is listed for a
person. Matches already made are never changed; items of a revoked match are matched only by
hand. --period is YYYY-MM, YYYY or FROM..TO.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, report.FormatTable, report.FormatCSV, report.FormatJSON); err != nil {
				return err
			}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			res, err := r.Run(c.Context(), recon.RunRequest{BankAccount: account, Period: period, WindowDays: window, Actor: a.actor, DryRun: dry})
			if err != nil {
				return err
			}
			if format == report.FormatJSON {
				return writeJSON(c, res)
			}
			return renderAll(c, report.ReconRun(res, amountFormat(format)), format, lang)
		},
	}
	run.Flags().StringVar(&account, "account", "", "bank account code (required)")
	periodVar(run.Flags(), &period, "YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD (required)")
	run.Flags().IntVar(&window, "window-days", recon.DefaultWindowDays, "date window of passes 2 and 3, in days (0 to 31)")
	run.Flags().BoolVar(&dry, "dry-run", false, "show what would be matched; write nothing")
	run.Flags().StringVar(&format, "format", "table", "table|csv|json")
	run.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	_ = run.MarkFlagRequired("account")
	_ = run.MarkFlagRequired("period")

	var lines []int64
	var postings []string
	var reason string
	match := &cobra.Command{
		Use:   "match --account BANKACCT --line ID... --posting ENTRY[/LINE]... --reason TEXT",
		Short: "Match statement lines to postings by hand (their amounts must add up)",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			req := recon.MatchRequest{BankAccount: account, Lines: lines, Reason: reason, Actor: a.actor}
			for _, s := range postings {
				ref, err := recon.ParsePostingRef(s)
				if err != nil {
					return err
				}
				req.Postings = append(req.Postings, ref)
			}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			id, err := r.Match(c.Context(), req)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "match %d: %d statement line(s), %d posting(s), by %s\n", id, len(lines), len(postings), a.actor)
			return nil
		},
	}
	match.Flags().StringVar(&account, "account", "", "bank account code (required)")
	match.Flags().Int64SliceVar(&lines, "line", nil, "statement line id (repeat or comma-separate)")
	match.Flags().StringSliceVar(&postings, "posting", nil, "posting as ENTRY/LINE, or ENTRY for its only cash posting (repeat or comma-separate)")
	match.Flags().StringVar(&reason, "reason", "", "why these belong together (required)")
	_ = match.MarkFlagRequired("account")
	_ = match.MarkFlagRequired("reason")

	unmatch := &cobra.Command{
		Use:   "unmatch MATCH_ID --reason TEXT",
		Short: "Revoke a match (recorded, never deleted); its items are then matched only by hand",
		Args:  cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := strconv.ParseInt(args[0], 10, 64)
			if err != nil {
				return fmt.Errorf("match id %q: not a number", args[0])
			}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			if err := r.Unmatch(c.Context(), id, reason, a.actor); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "match %d revoked by %s\n", id, a.actor)
			return nil
		},
	}
	unmatch.Flags().StringVar(&reason, "reason", "", "why the match was wrong (required)")
	_ = unmatch.MarkFlagRequired("reason")

	var all bool
	list := &cobra.Command{
		Use: "matches --account BANKACCT [--period P] [--all]", Short: "List matches, how and by whom each was made", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, report.FormatTable, report.FormatCSV, report.FormatJSON); err != nil {
				return err
			}
			f := recon.MatchFilter{BankAccount: account, IncludeRevoked: all, Period: period}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			ms, err := r.Matches(c.Context(), f)
			if err != nil {
				return err
			}
			if format == report.FormatJSON {
				return writeJSON(c, ms)
			}
			t := report.Table{Title: "对账匹配 Matches of " + account, Columns: []report.Column{
				{Key: "id", Zh: "编号", En: "Match", Numeric: true}, {Key: "how", Zh: "方式", En: "How"},
				{Key: "by", Zh: "操作人", En: "By"}, {Key: "at", Zh: "时间", En: "At"},
				{Key: "lines", Zh: "对账单行", En: "Lines"}, {Key: "postings", Zh: "分录/行", En: "Postings"},
				{Key: "reason", Zh: "理由", En: "Reason"}, {Key: "revoked", Zh: "撤销", En: "Revoked"},
			}}
			for _, m := range ms {
				how := "pass " + recon.PassName(m.Pass)
				if m.Pass == 0 {
					how = "manual"
				} else {
					how += fmt.Sprintf(" (run %d)", m.RunID)
				}
				ls := make([]string, len(m.Lines))
				for i, l := range m.Lines {
					ls[i] = strconv.FormatInt(l, 10)
				}
				ps := make([]string, len(m.Postings))
				for i, p := range m.Postings {
					ps[i] = p.String()
				}
				rev := ""
				if m.Revoked {
					rev = fmt.Sprintf("%s by %s: %s", m.RevokedAt.Format("2006-01-02 15:04"), m.RevokedBy, m.RevokedWhy)
				}
				t.Rows = append(t.Rows, []string{strconv.FormatInt(m.ID, 10), how, m.Actor, m.At.Format("2006-01-02 15:04"),
					strings.Join(ls, " "), strings.Join(ps, " "), m.Reason, rev})
			}
			return report.Render(c.OutOrStdout(), t, format, lang)
		},
	}
	list.Flags().StringVar(&account, "account", "", "bank account code (required)")
	periodVar(list.Flags(), &period, "only matches with an item in this period")
	list.Flags().BoolVar(&all, "all", false, "include revoked matches")
	list.Flags().StringVar(&format, "format", "table", "table|csv|json")
	list.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	_ = list.MarkFlagRequired("account")

	cmd.AddCommand(imp, profiles, run, match, unmatch, list)
	return cmd
}

// reportReconCmd: `report recon`, the reconciliation of a bank account for
// a period with its bank reconciliation statement.
func (a *app) reportReconCmd() *cobra.Command {
	var account, format, lang string
	var period recon.Period
	var window int
	cmd := &cobra.Command{
		Use:   "recon --account BANKACCT --period 2021-03",
		Short: "Reconciliation of a bank account: matched, unmatched, and the bank reconciliation statement (银行存款余额调节表)",
		Long: `The report counts the matched statement lines and postings of the period, lists the
reconciling items at the period end (statement lines not in the books, postings not at the bank,
including those matched only to items dated later) and the bank reconciliation statement: book
balance and bank balance, each adjusted by the other side's reconciling items; the two adjusted
balances agree, or the difference is shown. It also lists what a matching run would leave for a
person now.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkFormat(format, report.FormatTable, report.FormatCSV, report.FormatJSON, report.FormatXLSX); err != nil {
				return err
			}
			r, err := a.recon(c)
			if err != nil {
				return err
			}
			rep, err := r.Report(c.Context(), recon.ReportRequest{BankAccount: account, Period: period, WindowDays: window})
			if err != nil {
				return err
			}
			return renderAll(c, report.ReconReport(rep, amountFormat(format)), format, lang)
		},
	}
	cmd.Flags().StringVar(&account, "account", "", "bank account code (required)")
	periodVar(cmd.Flags(), &period, "YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD (required)")
	cmd.Flags().IntVar(&window, "window-days", recon.DefaultWindowDays, "date window for the issues listed")
	addOutputFlags(cmd, &format)
	cmd.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	_ = cmd.MarkFlagRequired("account")
	_ = cmd.MarkFlagRequired("period")
	return cmd
}
