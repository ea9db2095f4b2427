package recon

import (
	"slices"
	"testing"
)

// TestEngineRules: the engine's refusals, one small case each, with the
// proposals and the issues it must leave (window ±3 days, period days 0 to
// 30). Amounts in fen.
func TestEngineRules(t *testing.T) {
	for _, c := range []struct {
		name         string
		lines, posts []item
		proposals    int      // matches proposed
		issues       []string // kinds of the issues listed, in order
	}{
		// 500.00 = 200.00 + 300.00 = 100.00 + 400.00: two sets, so the
		// line is left with one ambiguous-sum issue and nothing else.
		{"two sets of postings add up to a line",
			[]item{{fen: 50000, day: day(5)}},
			[]item{{fen: 20000, day: day(4)}, {fen: 30000, day: day(5)}, {fen: 10000, day: day(6)}, {fen: 40000, day: day(6)}},
			0, []string{IssueAmbiguousSum}},
		// Postings 500.00 = lines 200.00 + 300.00 and 600.00 = 200.00 +
		// 400.00: the line of 200.00 belongs to both sums, so neither is
		// matched.
		{"a line in two postings' sums",
			[]item{{fen: 20000, day: day(5)}, {fen: 30000, day: day(5)}, {fen: 40000, day: day(5)}},
			[]item{{fen: 50000, day: day(5)}, {fen: 60000, day: day(6)}},
			0, []string{IssueContestedSum, IssueContestedSum}},
		// The same with the sides swapped.
		{"a posting in two lines' sums",
			[]item{{fen: 50000, day: day(5)}, {fen: 60000, day: day(6)}},
			[]item{{fen: 20000, day: day(5)}, {fen: 30000, day: day(5)}, {fen: 40000, day: day(5)}},
			0, []string{IssueContestedSum, IssueContestedSum}},
		// Two lines and two postings share a reference and add up: the
		// reference does not say which belongs to which.
		{"a reference on two lines and two postings",
			[]item{{fen: 10000, day: day(5), ref: "R1"}, {fen: 20000, day: day(6), ref: "R1"}},
			[]item{{fen: 15000, day: day(5), ref: "R1"}, {fen: 15000, day: day(6), ref: "R1"}},
			0, []string{IssueReferenceManyToMany}},
		// A pair on the period's last day belongs to the period.
		{"a pair on the last day",
			[]item{{fen: 12345, day: day(30)}},
			[]item{{fen: 12345, day: day(30)}},
			1, nil},
		// A pair on the period's first day too.
		{"a pair on the first day",
			[]item{{fen: 12345, day: day(0)}},
			[]item{{fen: 12345, day: day(0)}},
			1, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := engine{from: day(0), to: day(30), window: 3, lines: slices.Clone(c.lines), posts: slices.Clone(c.posts)}
			e.run()
			var kinds []string
			for _, is := range e.issues {
				kinds = append(kinds, is.kind)
			}
			if len(e.proposals) != c.proposals || !slices.Equal(kinds, c.issues) {
				t.Errorf("proposals %+v issues %v; want %d proposals, issues %v", e.proposals, kinds, c.proposals, c.issues)
			}
		})
	}
}
