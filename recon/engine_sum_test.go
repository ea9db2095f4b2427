package recon

import (
	"fmt"
	"slices"
	"testing"
)

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

// TestEngineOneNotePerUnmatchedLine is the case of issue 15 where most of
// a month's issues were search_bounded notes (one per search cut short,
// whatever became of the item): four lines with more than
// MaxSumCandidates postings in their window, so each line's own search
// tries pairs only and is cut short. Line A has two pairs of postings
// adding up to it (one ambiguous_sum issue, no second note); lines B and
// C add up to posting P (matched by P's search: no note left behind); D
// adds up to nothing (one search_bounded note).
func TestEngineOneNotePerUnmatchedLine(t *testing.T) {
	var posts []item
	for i := range MaxSumCandidates + 20 {
		posts = append(posts, item{fen: int64(1000+i) * 1000, day: day(10 + int32(i%5) - 2)}) // whole yuan: sums end in 00 fen
	}
	// A = 100,000.77 = 30,000.33 + 70,000.44 = 40,000.33 + 60,000.44;
	// P = 1,100,000.03 = B + C.
	for _, fen := range []int64{3_000_033, 7_000_044, 4_000_033, 6_000_044, 110_000_003} {
		posts = append(posts, item{fen: fen, day: day(10)})
	}
	p := int32(len(posts) - 1)
	e := engine{from: day(0), to: day(30), window: 3, posts: posts, lines: []item{
		{fen: 10_000_077, day: day(10)}, {fen: 50_000_001, day: day(10)}, {fen: 60_000_002, day: day(10)}, {fen: 70_000_555, day: day(10)},
	}}
	if err := e.run(); err != nil {
		t.Fatal(err)
	}
	if len(e.proposals) != 1 || e.proposals[0].pass != PassSum || !slices.Equal(e.proposals[0].posts, []int32{p}) ||
		len(e.proposals[0].lines) != 2 || min(e.proposals[0].lines[0], e.proposals[0].lines[1]) != 1 || max(e.proposals[0].lines[0], e.proposals[0].lines[1]) != 2 {
		t.Fatalf("proposals %+v, want P = B + C", e.proposals)
	}
	notes := map[int32][]string{}
	for _, is := range e.issues {
		for _, l := range is.lines {
			notes[l] = append(notes[l], is.kind)
		}
	}
	if got := fmt.Sprint(notes[0], notes[1], notes[2], notes[3]); got != "[ambiguous_sum] [] [] [search_bounded]" || e.issueCount != 2 {
		t.Errorf("notes of A, B, C, D: %s (%d issues); want one each for A and D", got, e.issueCount)
	}
	// D's note carries its figures: the candidate bound cut it short; the
	// 420 + 4 postings below D, all within 3 days, pairs (2) searched.
	for _, is := range e.issues {
		if is.kind == IssueBounded {
			if got := fmt.Sprint(is.figures); got != "[candidates 424 3 2 3 5 400]" {
				t.Errorf("D's figures %s, want [candidates 424 3 2 3 5 400]", got)
			}
		}
	}
}
