package ledger

import "encoding/json"

// Structured memos. A memo the system writes itself can be stored twice:
// as text in Memo (what exports and hledger show) and, in the entry's
// Metadata, as a kind with its arguments, from which a page writes it in
// its reader's language. The ledger stores both as it stores any metadata
// (hashed with the entry, append-only) and does not interpret them beyond
// its own kind, MemoReversal. A memo with no kind was typed by a person.
const (
	MemoKindKey = "memo_kind" // the memo's kind, e.g. "reversal"
	MemoArgsKey = "memo_args" // a JSON array of arguments, each prefixed by one of MemoArg*
)

// Argument prefixes in MemoArgsKey: a funding source code, a retrofit
// category code, or text shown as it is (codes, names, dates, amounts,
// voucher numbers, reasons).
const (
	MemoArgSource   = "s:"
	MemoArgCategory = "c:"
	MemoArgText     = "t:"
)

// MemoReversal is the kind of a reversal's memo; its arguments are the
// reversed entry's voucher number and the reason.
const MemoReversal = "reversal"

// ReversalMemo is the Chinese memo of a reversal of the entry with voucher
// number voucher ("冲销 2021-03 财-0023：<reason>"); it records the memo's
// kind and arguments in meta, which must not be nil.
func ReversalMemo(meta map[string]string, voucher, reason string) string {
	b, _ := json.Marshal([]string{MemoArgText + voucher, MemoArgText + reason}) // strings always encode
	meta[MemoKindKey], meta[MemoArgsKey] = MemoReversal, string(b)
	return "冲销 " + voucher + "：" + reason
}
