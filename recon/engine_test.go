package recon

import (
	"testing"
)

func day(d int32) int32 { return 18700 + d }

// TestEngineSums: a split whose postings could also make up another
// line's amount is contested, and an anchor with two subsets is ambiguous;
// neither is matched.
func TestEngineSums(t *testing.T) {
	e := engine{from: day(0), to: day(30), window: 3,
		lines: []item{
			{fen: 500, day: day(5)},  // 0: 200 + 300 or 100 + 400: ambiguous
			{fen: 900, day: day(20)}, // 1: 400 + 500 … or 900 = 400 + 500 only
		},
		posts: []item{
			{fen: 200, day: day(4)}, {fen: 300, day: day(5)}, {fen: 100, day: day(6)}, {fen: 400, day: day(6)},
			{fen: 400, day: day(19)}, {fen: 500, day: day(21)},
		},
	}
	if err := e.run(); err != nil {
		t.Fatal(err)
	}
	if len(e.proposals) != 1 || e.proposals[0].pass != PassSum || e.proposals[0].lines[0] != 1 {
		t.Fatalf("proposals: %+v", e.proposals)
	}
	kinds := map[string]int{}
	for _, is := range e.issues {
		kinds[is.kind]++
	}
	if kinds[IssueAmbiguousSum] != 1 {
		t.Errorf("issues: %+v", e.issues)
	}
}

// TestEngineOutsidePeriod: a pair wholly outside the period is not
// matched by this period's run, and its items do not make others
// ambiguous.
func TestEngineOutsidePeriod(t *testing.T) {
	e := engine{from: day(10), to: day(20), window: 3,
		lines: []item{{fen: 100, day: day(2)}, {fen: 100, day: day(11)}},
		posts: []item{{fen: 100, day: day(1)}, {fen: 100, day: day(12)}},
	}
	if err := e.run(); err != nil {
		t.Fatal(err)
	}
	if len(e.proposals) != 1 || e.proposals[0].lines[0] != 1 || e.proposals[0].posts[0] != 1 || len(e.issues) != 0 {
		t.Fatalf("proposals %+v issues %+v", e.proposals, e.issues)
	}
}

func TestParseFen(t *testing.T) {
	for s, want := range map[string]int64{"0.01": 1, "100": 10000, "100.5": 10050, "123.45": 12345, "-7.10": -710} {
		if got, err := parseFen(s); err != nil || got != want {
			t.Errorf("parseFen(%q) = %d, %v", s, got, err)
		}
	}
	if _, err := parseFen("1.001"); err == nil {
		t.Error("1.001 accepted")
	}
}
