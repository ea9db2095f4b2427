package report

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"fundledger/ledger"
)

// FormatHledger names the plain-text accounting export (hledger / ledger
// journal format).
const FormatHledger = "hledger"

// HledgerCommodity is the commodity symbol of every amount in the export.
const HledgerCommodity = "CNY"

const hledgerPage = 1000

// HledgerAccount turns an account code into a hledger account name. Codes
// have no whitespace (the ledger refuses it) and their colons are hledger's
// own hierarchy separator; brackets and parentheses (which would make a
// posting virtual) and semicolons (which start a comment) become "_".
func HledgerAccount(code string) string {
	return hledgerAccountChars.Replace(code)
}

var hledgerAccountChars = strings.NewReplacer("(", "_", ")", "_", "[", "_", "]", "_", ";", "_", "\t", "_")

// hledgerText makes free text safe for a description or a tag value: one
// line, no ";" (a comment) and, in tag values, no "," (which ends a tag).
var hledgerText = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ", "\t", " ", ";", "；", ",", "，")

// WriteHledger writes every entry of both books dated on or before asOf
// (zero: all) as a hledger transaction, a page at a time, and returns how
// many it wrote:
//
//	2020-07-01 (2020-07 预-0012) 资金下达 WH-HC-2020-001
//	    ; entry:1234, book:budget, key:approve/…, actor:…, hash:…, kind:approval
//	    budget:receivable:huancui:WH-HC-2020-001:central    CNY 1234.56
//	    budget:committed:huancui:WH-HC-2020-001:central    CNY -1234.56
//
// The transaction code is the entry's voucher number (the entry id when it
// has none); the entry id is the entry tag. Debits are positive, credits negative, so `hledger balance` gives each
// account's debit-minus-credit balance, as the trial balance does. It seals
// what is committed first and names the head hash in its header.
func WriteHledger(ctx context.Context, w io.Writer, l *ledger.Ledger, asOf time.Time) (int, error) {
	bw := bufio.NewWriter(w)
	asOfText := "all dates"
	if !asOf.IsZero() {
		asOfText = asOf.Format(ledger.DateLayout)
	}
	head, err := l.SealedHead(ctx)
	if err != nil {
		return 0, fmt.Errorf("hledger export: %w", err)
	}
	fmt.Fprintf(bw, "; fundledger journal: both books (financial and budget), as of %s\n", asOfText)
	fmt.Fprintf(bw, "; ledger head hash (the sealed chain this export was made from): %s\n", head)
	fmt.Fprintf(bw, "; debits positive, credits negative; account names are the ledger's account codes\n\n")
	fmt.Fprintf(bw, "commodity %s 1000.00\n\n", HledgerCommodity)
	n := 0
	var after int64
	for {
		es, err := l.Entries(ctx, ledger.EntryFilter{To: asOf, AfterID: after, Limit: hledgerPage})
		if err != nil {
			return n, fmt.Errorf("hledger export: %w", err)
		}
		if len(es) == 0 {
			break
		}
		for _, e := range es {
			writeHledgerEntry(bw, e)
			n++
		}
		after = es[len(es)-1].ID
		if err := bw.Flush(); err != nil {
			return n, fmt.Errorf("hledger export: %w", err)
		}
	}
	return n, bw.Flush()
}

func writeHledgerEntry(w *bufio.Writer, e ledger.Entry) {
	desc := strings.TrimSpace(hledgerText.Replace(e.Memo))
	if desc == "" {
		desc = "entry " + fmt.Sprint(e.ID)
	}
	code := e.Voucher
	if code == "" {
		code = fmt.Sprint(e.ID)
	}
	fmt.Fprintf(w, "%s (%s) %s\n", e.EffectiveDate.Format(ledger.DateLayout), code, desc)
	tags := []string{fmt.Sprintf("entry:%d", e.ID), "book:" + string(e.Book), "key:" + hledgerText.Replace(e.IdempotencyKey),
		"actor:" + hledgerText.Replace(e.Actor)}
	if e.ContentHash != "" {
		tags = append(tags, "hash:"+e.ContentHash)
	}
	if e.Reverses != 0 {
		tags = append(tags, fmt.Sprintf("reverses:%d", e.Reverses))
	}
	if e.Corrects != 0 {
		tags = append(tags, fmt.Sprintf("corrects:%d", e.Corrects))
	}
	keys := make([]string, 0, len(e.Metadata))
	for k := range e.Metadata {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == ':' || r == ',' || r == ';' {
				return '_'
			}
			return r
		}, k)
		tags = append(tags, name+":"+strings.TrimSpace(hledgerText.Replace(e.Metadata[k])))
	}
	fmt.Fprintf(w, "    ; %s\n", strings.Join(tags, ", "))
	for _, p := range e.Postings {
		amt := p.Amount.StringFixed(2)
		if p.Side == ledger.Credit {
			amt = p.Amount.Neg().StringFixed(2)
		}
		fmt.Fprintf(w, "    %s    %s %s\n", HledgerAccount(p.AccountCode), HledgerCommodity, amt)
	}
	w.WriteString("\n")
}
