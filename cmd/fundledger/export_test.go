package main

import (
	"regexp"
	"strings"
	"testing"

	"fundledger/internal/pgtest"
)

// TestExportNamesItsHeadHash: the hledger export says which sealed chain it
// was made from — the head hash verify prints, the entry just posted
// included (the export seals first).
func TestExportNamesItsHeadHash(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	runSteps(t, url, []string{"account", "create", "cash:e", "--type", "asset"}, []string{"account", "create", "revenue:e", "--type", "revenue"})
	entry := `{"book":"financial","effective_date":"2021-03-01","idempotency_key":"e1",
  "postings":[{"account":"cash:e","side":"D","amount":"5.00"},{"account":"revenue:e","side":"C","amount":"5.00"}]}`
	if out, err := run(t, url, entry, "post"); err != nil {
		t.Fatalf("post: %v %s", err, out)
	}
	export, err := run(t, url, "", "export", "--format", "hledger")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^; ledger head hash \(the sealed chain this export was made from\): ([0-9a-f]{64})$`).FindStringSubmatch(export)
	if m == nil {
		t.Fatalf("no head hash in the export:\n%s", export)
	}
	verify, err := run(t, url, "", "verify")
	if err != nil || !strings.Contains(verify, "head hash "+m[1]) || !strings.Contains(verify, "0 unsealed") {
		t.Errorf("export names %s; verify says %v\n%s", m[1], err, verify)
	}
}
