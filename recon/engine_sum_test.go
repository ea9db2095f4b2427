package recon

import "testing"

// TestEngineSumExact: pass 3 matches a split only when the parts add up
// to the fen: 500.00 = 200.00 + 300.00 is matched, 200.00 + 299.99 and
// 200.00 + 300.01 are not (nor anything else), whichever side holds the
// single item, and in the pairs-only search used when more than
// MaxCandidates items are in the window.
func TestEngineSumExact(t *testing.T) {
	for _, c := range []struct {
		name        string
		second      int64 // fen of the second part; the first is 20000
		lineAnchors bool  // the single item is a statement line
		fillers     int   // extra candidates that add up to nothing
		want        bool
	}{
		{"line = 200.00 + 300.00", 30000, true, 0, true},
		{"line vs 200.00 + 299.99", 29999, true, 0, false},
		{"line vs 200.00 + 300.01", 30001, true, 0, false},
		{"posting = 200.00 + 300.00", 30000, false, 0, true},
		{"posting vs 200.00 + 299.99", 29999, false, 0, false},
		{"posting vs 200.00 + 300.01", 30001, false, 0, false},
		{"pairs only: line = 200.00 + 300.00", 30000, true, MaxSumCandidates, true},
		{"pairs only: line vs 200.00 + 299.99", 29999, true, MaxSumCandidates, false},
		{"pairs only: posting vs 200.00 + 300.01", 30001, false, MaxSumCandidates, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			anchor := []item{{fen: 50000, day: day(5)}}
			parts := []item{{fen: 20000, day: day(4)}, {fen: c.second, day: day(6)}}
			for i := range c.fillers {
				parts = append(parts, item{fen: int64(100 + i), day: day(5)}) // at most 131 + 30001: no pair makes 500.00
			}
			e := engine{from: day(0), to: day(30), window: 3}
			if c.lineAnchors {
				e.lines, e.posts = anchor, parts
			} else {
				e.lines, e.posts = parts, anchor
			}
			e.run()
			if !c.want {
				if len(e.proposals) != 0 {
					t.Fatalf("near miss matched: %+v", e.proposals)
				}
				return
			}
			if len(e.proposals) != 1 {
				t.Fatalf("proposals %+v issues %+v, want one sum", e.proposals, e.issues)
			}
			p := e.proposals[0]
			single, many := p.lines, p.posts
			if !c.lineAnchors {
				single, many = many, single
			}
			if p.pass != PassSum || len(single) != 1 || single[0] != 0 || len(many) != 2 ||
				min(many[0], many[1]) != 0 || max(many[0], many[1]) != 1 {
				t.Errorf("proposal %+v, want pass 3: the single item with the two parts", p)
			}
		})
	}
}

// TestEngineSumOneCandidate: with a single candidate below the amount there
// is no sum to search (a sum takes two parts, and a part equal to the
// amount is pass 1's), so the item is left unmatched without a
// search_bounded issue claiming a search was cut short; whichever side
// holds the item.
func TestEngineSumOneCandidate(t *testing.T) {
	for _, lineAnchors := range []bool{true, false} {
		anchor := []item{{fen: 50000, day: day(5)}}
		parts := []item{{fen: 20000, day: day(4)}}
		e := engine{from: day(0), to: day(30), window: 3}
		if lineAnchors {
			e.lines, e.posts = anchor, parts
		} else {
			e.lines, e.posts = parts, anchor
		}
		e.run()
		if len(e.proposals) != 0 {
			t.Errorf("line anchors %v: proposals %+v, want none", lineAnchors, e.proposals)
		}
		for _, is := range e.issues {
			if is.kind == IssueBounded {
				t.Errorf("line anchors %v: issue %+v, want no bounded search", lineAnchors, is)
			}
		}
	}
}
