package recon

import "testing"

// TestEngineOneCandidateEachWay: pass 2 matches a line and a posting only
// when each is the other's only candidate. Two lines (days 8 and 12) of the
// amount of one posting (day 10): each line sees one posting, but the
// posting sees two lines, so nothing is matched and one issue lists all
// three; the same with the sides swapped.
func TestEngineOneCandidateEachWay(t *testing.T) {
	two := []item{{fen: 10000, day: day(8)}, {fen: 10000, day: day(12)}}
	one := []item{{fen: 10000, day: day(10)}}
	for _, c := range []struct {
		name         string
		lines, posts []item
	}{
		{"two lines, one posting", two, one},
		{"one line, two postings", one, two},
	} {
		t.Run(c.name, func(t *testing.T) {
			e := engine{from: day(0), to: day(30), window: 3, lines: append([]item(nil), c.lines...), posts: append([]item(nil), c.posts...)}
			e.run()
			if len(e.proposals) != 0 {
				t.Fatalf("proposals %+v, want none", e.proposals)
			}
			if len(e.issues) != 1 || e.issues[0].kind != IssueAmbiguous || len(e.issues[0].lines)+len(e.issues[0].posts) != 3 {
				t.Errorf("issues %+v, want one ambiguous issue with the three items", e.issues)
			}
		})
	}
}
