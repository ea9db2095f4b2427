package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/report"
	"fundledger/rules"
)

func (a *app) journalCmd() *cobra.Command {
	var f ledger.EntryFilter
	var book, format string
	cmd := &cobra.Command{
		Use: "journal", Short: "List entries with their postings (the journal), oldest first", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			f.Book = ledger.Book(book)
			l, err := a.ledger(c.Context())
			if err != nil {
				return err
			}
			es, err := l.Entries(c.Context(), f)
			if err != nil {
				return err
			}
			t := report.Journal(es, amountFormat(format), format == report.FormatTable)
			if len(es) == f.Limit || (f.Limit == 0 && len(es) == 1000) {
				t.Notes = append(t.Notes, fmt.Sprintf("more entries follow: --after %d", es[len(es)-1].ID))
			}
			return report.Render(c.OutOrStdout(), t, format, "")
		},
	}
	fl := cmd.Flags()
	dateVar(fl, &f.From, "from", "first effective date")
	dateVar(fl, &f.To, "to", "last effective date")
	fl.StringVar(&book, "book", "", "financial or budget")
	fl.StringVar(&f.Account, "account", "", "only entries posting to this account")
	fl.Int64Var(&f.AfterID, "after", 0, "page: entries after this id")
	fl.IntVar(&f.Limit, "limit", 1000, "at most this many entries")
	fl.StringVar(&format, "format", "table", "table|csv|json")
	return cmd
}

func (a *app) districtCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "district", Short: "Districts (区市) of the programme"}
	var d funding.District
	add := &cobra.Command{
		Use: "add CODE", Short: "Add a district beyond the six of the plan", Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if _, err := a.ledger(c.Context()); err != nil {
				return err
			}
			d.Code = args[0]
			if err := funding.AddDistrict(c.Context(), a.db, d, a.actor); err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "district %s %s\n", d.Code, d.NameZh)
			return nil
		},
	}
	add.Flags().StringVar(&d.NameZh, "name", "", "Chinese name (required)")
	add.Flags().StringVar(&d.NameEn, "name-en", "", "English name")
	list := &cobra.Command{
		Use: "list", Short: "List districts", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if _, err := a.ledger(c.Context()); err != nil {
				return err
			}
			ds, err := funding.Districts(c.Context(), a.db)
			if err != nil {
				return err
			}
			for _, x := range ds {
				fmt.Fprintf(c.OutOrStdout(), "%-12s %s %s\n", x.Code, x.NameZh, x.NameEn)
			}
			return nil
		},
	}
	cmd.AddCommand(add, list)
	return cmd
}

func (a *app) sourcesCmd() *cobra.Command {
	var format, lang string
	cmd := &cobra.Command{
		Use: "sources", Short: "List the funding sources and retrofit categories rule sets may name", Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			src := report.Table{Title: "资金来源 Funding sources", Columns: []report.Column{
				{Key: "code", Zh: "代码", En: "Code"}, {Key: "name_zh", Zh: "名称", En: "Chinese name"},
				{Key: "name_en", Zh: "英文名称", En: "Name"}, {Key: "kind", Zh: "类型", En: "Kind"},
			}}
			for _, s := range rules.Sources() {
				src.Rows = append(src.Rows, []string{s.Code, s.NameZH, s.NameEN, string(s.Kind)})
			}
			cats := report.Table{Title: "改造类别 Retrofit categories", Columns: []report.Column{
				{Key: "code", Zh: "代码", En: "Code"}, {Key: "name_zh", Zh: "名称", En: "Chinese name"},
			}}
			for _, k := range rules.Categories() {
				cats.Rows = append(cats.Rows, []string{k.Code, k.NameZH})
			}
			return renderAll(c, []report.Table{src, cats}, format, lang)
		},
	}
	addOutputFlags(cmd, &format)
	cmd.Flags().StringVar(&lang, "lang", "", "zh|en (default: both)")
	return cmd
}
