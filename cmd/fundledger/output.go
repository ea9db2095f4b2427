package main

// What a report shows about itself: the day it is as of and the ledger
// head hash the books were sealed to when it was made.

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"fundledger/report"
)

type appKey struct{}

// withApp makes the app reachable from a command's context (set by the
// root's PersistentPreRunE), for helpers that are not methods of app.
func withApp(c *cobra.Command, a *app) {
	c.SetContext(context.WithValue(c.Context(), appKey{}, a))
}

// renderOptions: the --as-of flag (or "everything, made at …"), the head
// hash after sealing what is committed (for a person: table, xlsx, and csv
// with --csv-header; not json, which a program reads), and --csv-header.
func renderOptions(c *cobra.Command, format string) report.RenderOptions {
	var o report.RenderOptions
	o.CSVHeader, _ = c.Flags().GetBool("csv-header")
	if format == report.FormatJSON || (format == report.FormatCSV && !o.CSVHeader) {
		return o
	}
	var asOf string
	if f := c.Flags().Lookup("as-of"); f != nil {
		asOf = f.Value.String()
	}
	if asOf == "" {
		asOf = "全部 everything recorded, made " + time.Now().UTC().Format("2006-01-02 15:04 MST")
	}
	o.Provenance.AsOf = asOf
	a, _ := c.Context().Value(appKey{}).(*app)
	if a == nil {
		return o
	}
	l, err := a.ledger(c.Context())
	if err != nil {
		return o
	}
	head, err := l.SealedHead(c.Context())
	if err != nil {
		o.Provenance.HeadHash = "unavailable (" + err.Error() + ")"
		return o
	}
	o.Provenance.HeadHash = head
	return o
}

// csvHeaderHelp documents --csv-header.
const csvHeaderHelp = "csv: put the title, as-of day and ledger head hash above the header as '# ' lines (default: the first line is the header)"

// doneOr is what a write did: done ("paid"), or "already paid" when it had
// been done before (the same request replayed).
func doneOr(replayed bool, done string) string {
	if replayed {
		return "already " + done
	}
	return done
}
