package ledger_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/lib/pq"

	"fundledger/ledger"
)

// TestReversalMemoNamesTheVoucher: a reversal's memo names the reversed
// entry's voucher number and the reason in Chinese, never its entry id, and
// carries its kind and arguments in the metadata; an UPDATE of those (or of
// the memo) is refused by the database as append-only.
func TestReversalMemoNamesTheVoucher(t *testing.T) {
	t.Parallel()
	l, db := newLedger(t)
	mustPost(t, l, transfer("seed", "2021-03-01", grant, bank, "100.00"))
	pay := mustPost(t, l, transfer("pay", "2021-03-02", bank, works, "30.00"))
	rev, err := l.Reverse(t.Context(), pay.ID, ledger.ReverseRequest{Reason: "付错了", Actor: "t"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := l.Entry(t.Context(), rev.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The seed and the payment are the 1st and 2nd of the financial book in 2021-03.
	if want := "冲销 2021-03 财-0002：付错了"; got.Memo != want {
		t.Errorf("memo %q, want %q", got.Memo, want)
	}
	if got.Metadata[ledger.MemoKindKey] != ledger.MemoReversal || got.Metadata[ledger.MemoArgsKey] != `["t:2021-03 财-0002","t:付错了"]` {
		t.Errorf("metadata %v", got.Metadata)
	}
	for _, c := range []struct{ name, sql string }{
		{"memo kind", fmt.Sprintf(`UPDATE entries SET metadata = metadata || '{"memo_kind": "receipt"}' WHERE id = %d`, rev.ID)},
		{"memo args", fmt.Sprintf(`UPDATE entries SET metadata = metadata - 'memo_args' WHERE id = %d`, rev.ID)},
		{"memo", fmt.Sprintf(`UPDATE entries SET memo = 'reversal of entry %d' WHERE id = %d`, pay.ID, rev.ID)},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := db.Exec(c.sql)
			var pe *pq.Error
			if !errors.As(err, &pe) || pe.Code != "FL004" || !strings.Contains(pe.Message, "append-only") {
				t.Fatalf("got %v, want FL004 append-only", err)
			}
		})
	}
}
