package recon

// The matching engine: pure Go over items in memory, no database. It is
// given the unmatched statement lines and cash postings of one bank account
// around a period and proposes matches in three passes; whatever it cannot
// decide without guessing it lists as an issue for a person.

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Bounds of the matching passes.
const (
	DefaultWindowDays = 3
	MaxWindowDays     = 31
	// ReferenceWindowDays: pass 1 groups the lines and postings that carry
	// the same reference within this many days of the period.
	ReferenceWindowDays = 31
	// Pass 3 (sums) looks for 2 to MaxSubset items of one side, within the
	// window of one item of the other side, whose amounts add up to it
	// (see findSums for the bounds). With more than MaxSumCandidates
	// candidates it looks for pairs only, with more than
	// MaxPairCandidates not at all. A line left unmatched whose search was
	// cut short gets one note (IssueBounded) saying what was searched.
	MaxPairCandidates = 4096
	// MaxIssues bounds the issues a run lists (all are counted); MaxIssueItems
	// the items listed in one issue.
	MaxIssues     = 1000
	MaxIssueItems = 10
)

// Kinds of issues left for a person.
const (
	IssueReleased            = "released"                 // an item of a revoked match: only a person matches it again
	IssueReferenceAmounts    = "reference_amounts_differ" // lines and postings share a reference but not an amount
	IssueReferenceManyToMany = "reference_many_to_many"   // several lines and several postings share a reference
	IssueAmbiguous           = "ambiguous_amount_date"    // more than one candidate of the same amount and direction in the window
	IssueAmbiguousSum        = "ambiguous_sum"            // more than one set of items adds up to the amount
	IssueContestedSum        = "contested_sum"            // an item belongs to the sums of two different items
	IssueBounded             = "search_bounded"           // too many candidates to search every sum
)

// Passes.
const (
	PassReference  = 1
	PassAmountDate = 2
	PassSum        = 3
)

// PassName names a pass (0 is a person).
func PassName(pass int) string {
	switch pass {
	case PassReference:
		return "1 reference"
	case PassAmountDate:
		return "2 amount and date"
	case PassSum:
		return "3 sum"
	}
	return "manual"
}

const (
	flagBlocked uint8 = 1 << iota // released by a revocation: a candidate, never matched automatically
	flagDone                      // matched (or reserved for its own period) in this run
	flagContest                   // left for a person by an earlier pass
	flagListed                    // a released item already listed in an issue
	flagNoted                     // named in an issue of this run
	flagPaired                    // paired by pass 2 (whether matched now or reserved)
)

// item is a statement line or a posting, reduced to what matching needs.
type item struct {
	fen   int64 // amount in fen, > 0
	day   int32 // days since 1970-01-01
	in    bool  // money in: a line "in", a debit posting
	flags uint8
	// party and partyAcct: the counterparty's name and account, as
	// numbers given by the run to their folded text (0: none). A line's
	// are the statement's 对方户名 and 对方账号; a posting's its entry's
	// payee or payer and their account (metadata).
	party, partyAcct int32
	ref              string
}

// sameParty says whether two items name the same counterparty: the same
// account when both give one, else the same name when both give one.
func sameParty(x, y *item) bool {
	if x.partyAcct != 0 && y.partyAcct != 0 {
		return x.partyAcct == y.partyAcct
	}
	return x.party != 0 && x.party == y.party
}

func (it *item) has(f uint8) bool { return it.flags&f != 0 }

// proposal is a match the engine proposes: indexes into lines and posts.
type proposal struct {
	pass  int
	lines []int32
	posts []int32
}

type issue struct {
	kind, note   string
	figures      []string // the note's figures, in order (Issue.Figures)
	lines, posts []int32
}

type engine struct {
	lines, posts []item
	from, to     int32 // the period, inclusive
	window       int32
	proposals    []proposal
	issues       []issue
	issueCount   int
	sumSteps     int64 // steps of pass 3's searches so far (MaxRunSumSteps)
	// loadParties, when set, gives the lines and postings named their
	// counterparties (item.party, item.partyAcct) before pass 2 decides;
	// it is asked only for items that share amount and direction with
	// another. Without it, items carry the counterparties they have.
	loadParties func(lines, posts []int32) error
	err         error // from loadParties: the run fails
}

func (e *engine) inPeriod(it *item) bool { return it.day >= e.from && it.day <= e.to }

func (e *engine) anyInPeriod(ls, ps []int32) bool {
	for _, i := range ls {
		if e.inPeriod(&e.lines[i]) {
			return true
		}
	}
	for _, i := range ps {
		if e.inPeriod(&e.posts[i]) {
			return true
		}
	}
	return false
}

func (e *engine) anyFlag(ls, ps []int32, f uint8) bool {
	for _, i := range ls {
		if e.lines[i].has(f) {
			return true
		}
	}
	for _, i := range ps {
		if e.posts[i].has(f) {
			return true
		}
	}
	return false
}

func (e *engine) mark(ls, ps []int32, f uint8) {
	for _, i := range ls {
		e.lines[i].flags |= f
	}
	for _, i := range ps {
		e.posts[i].flags |= f
	}
}

// addIssue lists an issue when one of its items lies in the period; the
// note's figures, in order, let a page write it in its reader's language.
func (e *engine) addIssue(kind, note string, ls, ps []int32, figures ...string) {
	if !e.anyInPeriod(ls, ps) {
		return
	}
	e.mark(ls, ps, flagNoted)
	e.issueCount++
	if len(e.issues) >= MaxIssues {
		return
	}
	e.issues = append(e.issues, issue{kind: kind, note: note, figures: figures,
		lines: slices.Clone(ls[:min(len(ls), MaxIssueItems)]), posts: slices.Clone(ps[:min(len(ps), MaxIssueItems)])})
}

// accept records a proposal when it may be matched now: no released or
// contested item, and at least one item in the period. A proposal wholly
// outside the period is reserved: its items are taken out of later passes
// and left for the run of their own period.
func (e *engine) accept(pass int, ls, ps []int32) {
	switch {
	case e.anyFlag(ls, ps, flagBlocked):
		e.addIssue(IssueReleased, fmt.Sprintf("pass %d would match these, but an item was released from a revoked match: match by hand", pass), ls, ps, strconv.Itoa(pass))
		e.mark(ls, ps, flagContest|flagListed)
	case e.anyFlag(ls, ps, flagContest):
		e.mark(ls, ps, flagContest)
	case !e.anyInPeriod(ls, ps):
		e.mark(ls, ps, flagDone)
	default:
		e.mark(ls, ps, flagDone)
		e.proposals = append(e.proposals, proposal{pass: pass, lines: ls, posts: ps})
	}
}

func (e *engine) run() error {
	e.passReference()
	e.passAmountDate()
	if e.err != nil {
		return e.err
	}
	e.passSum()
	return nil
}

func signed(it *item) int64 {
	if it.in {
		return it.fen
	}
	return -it.fen
}

func fenString(f int64) string {
	sign := ""
	if f < 0 {
		sign, f = "-", -f
	}
	return fmt.Sprintf("%s%d.%02d", sign, f/100, f%100)
}

// passReference (pass 1): lines and postings that carry the same
// reference. One line against one or more postings, or several lines
// against one posting, whose signed amounts add up, are a match. Several
// on both sides, or amounts that differ, are left for a person, and so
// are not matched by the later passes either: the reference says what
// belongs together.
// both applies f to the lines and to the postings at the same time (the
// sorts of passes 1 and 2 are most of matching's time, and a run has two
// cores to itself while it matches: the database waits).
func both(f func([]item) []int32, lines, posts []item) ([]int32, []int32) {
	done := make(chan []int32, 1)
	go func() { done <- f(posts) }()
	li := f(lines)
	return li, <-done
}

func (e *engine) passReference() {
	byRef := func(items []item) []int32 {
		var idx []int32
		for i := range items {
			if items[i].ref != "" {
				idx = append(idx, int32(i))
			}
		}
		slices.SortFunc(idx, func(a, b int32) int { return strings.Compare(items[a].ref, items[b].ref) })
		return idx
	}
	li, pi := both(byRef, e.lines, e.posts)
	for a, b := 0, 0; a < len(li) && b < len(pi); {
		lr, pr := e.lines[li[a]].ref, e.posts[pi[b]].ref
		if c := strings.Compare(lr, pr); c != 0 {
			if c < 0 {
				a++
			} else {
				b++
			}
			continue
		}
		a2, b2 := a, b
		for a2 < len(li) && e.lines[li[a2]].ref == lr {
			a2++
		}
		for b2 < len(pi) && e.posts[pi[b2]].ref == lr {
			b2++
		}
		ls, ps := slices.Clone(li[a:a2]), slices.Clone(pi[b:b2])
		a, b = a2, b2
		var sl, sp int64
		for _, i := range ls {
			sl += signed(&e.lines[i])
		}
		for _, i := range ps {
			sp += signed(&e.posts[i])
		}
		switch {
		case len(ls) > 1 && len(ps) > 1:
			e.addIssue(IssueReferenceManyToMany, fmt.Sprintf("reference %q: %d lines and %d postings", lr, len(ls), len(ps)), ls, ps,
				lr, strconv.Itoa(len(ls)), strconv.Itoa(len(ps)))
			e.mark(ls, ps, flagContest)
		case sl != sp || sl == 0:
			e.addIssue(IssueReferenceAmounts, fmt.Sprintf("reference %q: lines %s, postings %s", lr, fenString(sl), fenString(sp)), ls, ps,
				lr, fenString(sl), fenString(sp))
			e.mark(ls, ps, flagContest)
		default:
			e.accept(PassReference, ls, ps)
		}
	}
}

// passAmountDate (pass 2): a line and a posting of the same amount and
// direction, dated within the window of each other, where each is the
// other's only candidate. Items with more candidates are left for a
// person.
func (e *engine) passAmountDate() {
	key := func(items []item) []int32 {
		var idx []int32
		for i := range items {
			if !items[i].has(flagDone) {
				idx = append(idx, int32(i))
			}
		}
		slices.SortFunc(idx, func(a, b int32) int {
			x, y := &items[a], &items[b]
			if x.in != y.in {
				if x.in {
					return 1
				}
				return -1
			}
			return cmp.Or(cmp.Compare(x.fen, y.fen), cmp.Compare(x.day, y.day), cmp.Compare(a, b))
		})
		return idx
	}
	li, pi := both(key, e.lines, e.posts)
	var groups [][2][]int32
	less := func(x, y *item) int {
		if x.in != y.in {
			if x.in {
				return 1
			}
			return -1
		}
		return cmp.Compare(x.fen, y.fen)
	}
	for a, b := 0, 0; a < len(li) && b < len(pi); {
		x, y := &e.lines[li[a]], &e.posts[pi[b]]
		if c := less(x, y); c != 0 {
			if c < 0 {
				a++
			} else {
				b++
			}
			continue
		}
		a2, b2 := a, b
		for a2 < len(li) && less(&e.lines[li[a2]], x) == 0 {
			a2++
		}
		for b2 < len(pi) && less(&e.posts[pi[b2]], x) == 0 {
			b2++
		}
		groups = append(groups, [2][]int32{li[a:a2], pi[b:b2]})
		a, b = a2, b2
	}
	if e.loadParties != nil {
		// Only items that share their amount and direction with another
		// need their counterparty (the tie-break below).
		var ls, ps []int32
		for _, g := range groups {
			if len(g[0]) > 1 || len(g[1]) > 1 {
				ls, ps = append(ls, g[0]...), append(ps, g[1]...)
			}
		}
		if len(ls)+len(ps) > 0 {
			if err := e.loadParties(ls, ps); err != nil {
				e.err = err
				return
			}
		}
	}
	for _, g := range groups {
		e.amountGroup(g[0], g[1])
	}
}

// window returns the range [lo, hi) of a day-sorted group whose days lie
// within the window of day d.
func (e *engine) windowOf(group []int32, items []item, d int32) (int, int) {
	lo := sort.Search(len(group), func(i int) bool { return items[group[i]].day >= d-e.window })
	hi := sort.Search(len(group), func(i int) bool { return items[group[i]].day > d+e.window })
	return lo, hi
}

// amountGroup decides one group of lines and postings of the same amount
// and direction, each sorted by day.
//
// First, a line and a posting that are each other's only candidate within
// the window are a match. Then the counterparty breaks ties: among the
// remaining, a line and a posting are a match when, within the window,
// the posting is the only remaining candidate of the line that names the
// same counterparty (sameParty: the same 对方账号 as the posting's payee
// or payer account, or, when either lacks an account, the same name), and
// the line is the only remaining candidate of the posting that does. A
// counterparty that differs never blocks a match of the first kind, and
// never decides one alone: the amount and the window come first. What is
// left is listed as ambiguous.
func (e *engine) amountGroup(ls, ps []int32) {
	uniq := func(group []int32, items []item, d int32) (int32, int) {
		lo, hi := e.windowOf(group, items, d)
		if hi-lo == 1 {
			return group[lo], 1
		}
		return -1, hi - lo
	}
	var rest []int32
	for _, l := range ls {
		p, n := uniq(ps, e.posts, e.lines[l].day)
		if n == 0 {
			continue
		}
		if n == 1 {
			if back, _ := uniq(ls, e.lines, e.posts[p].day); back == l {
				e.accept(PassAmountDate, []int32{l}, []int32{p})
				e.lines[l].flags |= flagPaired
				e.posts[p].flags |= flagPaired
				continue
			}
		}
		rest = append(rest, l)
	}
	// The counterparty as a tie-break.
	only := func(group []int32, items []item, d int32, other *item) int32 {
		lo, hi := e.windowOf(group, items, d)
		found := int32(-1)
		for _, k := range group[lo:hi] {
			if !items[k].has(flagPaired) && sameParty(&items[k], other) {
				if found >= 0 {
					return -1
				}
				found = k
			}
		}
		return found
	}
	var leftL []int32
	for _, l := range rest {
		x := &e.lines[l]
		if x.party != 0 || x.partyAcct != 0 {
			if p := only(ps, e.posts, x.day, x); p >= 0 {
				if only(ls, e.lines, e.posts[p].day, &e.posts[p]) == l {
					e.accept(PassAmountDate, []int32{l}, []int32{p})
					e.lines[l].flags |= flagPaired
					e.posts[p].flags |= flagPaired
					continue
				}
			}
		}
		leftL = append(leftL, l)
	}
	var leftP []int32
	for _, p := range ps {
		if e.posts[p].has(flagPaired) {
			continue
		}
		if lo, hi := e.windowOf(ls, e.lines, e.posts[p].day); hi > lo {
			leftP = append(leftP, p)
		}
	}
	if len(leftL) > 0 || len(leftP) > 0 {
		x := e.lines[ls[0]]
		dir := "out"
		if x.in {
			dir = "in"
		}
		e.addIssue(IssueAmbiguous, fmt.Sprintf("%s %s: more than one candidate within ±%d days, and the counterparties do not tell them apart", dir, fenString(x.fen), e.window), leftL, leftP,
			dir, fenString(x.fen), strconv.Itoa(int(e.window)))
		e.mark(leftL, leftP, flagContest)
	}
}

// side is one role in pass 3: the anchors of one side and the candidates
// of the other, by direction and day.
type sumSearch struct {
	e   *engine
	win [2]struct { // per direction: the candidates of the last window, by amount
		valid  bool
		lo, hi int
		c      []int32
		vals   []int64
	}
	pairs        []pairSum  // scratch of findSums
	byDay        [2][]int32 // candidates (the other side), not done, per direction, by day
	cands        []item
	anchors      []item
	lineIsAnchor bool
}

// passSum (pass 3): one item of one side against 2 to MaxSubset items of
// the other side, of the same direction and within the window of it, whose
// amounts add up to it exactly: a split payment (one line, several
// postings) or a merged one (several lines, one posting). A proposal is
// matched only when its anchor has exactly one such set and none of its
// items belongs to another item's set.
func (e *engine) passSum() {
	type found struct {
		anchorLine bool
		anchor     int32
		members    []int32
		unique     bool
	}
	var all []found
	type boundedNote struct {
		line    bool
		i       int32
		note    string
		figures []string
	}
	var notes []boundedNote
	for _, lineAnchors := range []bool{true, false} {
		s := sumSearch{e: e, lineIsAnchor: lineAnchors}
		if lineAnchors {
			s.anchors, s.cands = e.lines, e.posts
		} else {
			s.anchors, s.cands = e.posts, e.lines
		}
		for i := range s.cands {
			if !s.cands[i].has(flagDone) {
				d := 0
				if s.cands[i].in {
					d = 1
				}
				s.byDay[d] = append(s.byDay[d], int32(i))
			}
		}
		for d := range s.byDay {
			slices.SortFunc(s.byDay[d], func(a, b int32) int { return cmp.Compare(s.cands[a].day, s.cands[b].day) })
		}
		// Anchors by direction and day, so that the anchors of a day share
		// the candidates of their window (search).
		order := make([]int32, 0, len(s.anchors))
		for i := range s.anchors {
			if !s.anchors[i].has(flagDone) {
				order = append(order, int32(i))
			}
		}
		slices.SortFunc(order, func(x, y int32) int {
			a, b := &s.anchors[x], &s.anchors[y]
			if a.in != b.in {
				if a.in {
					return 1
				}
				return -1
			}
			return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(x, y))
		})
		for _, i := range order {
			a := &s.anchors[i]
			sols, bounded, figures := s.search(i)
			if bounded != "" {
				notes = append(notes, boundedNote{line: lineAnchors, i: i, note: bounded, figures: figures})
			}
			for _, m := range sols {
				all = append(all, found{anchorLine: lineAnchors, anchor: i, members: m, unique: len(sols) == 1})
			}
			if len(sols) > 1 {
				ls, ps := []int32{i}, append(slices.Clone(sols[0]), sols[1]...)
				if !lineAnchors {
					ls, ps = ps, ls
				}
				e.addIssue(IssueAmbiguousSum, fmt.Sprintf("more than one set of %s adds up to %s within ±%d days",
					map[bool]string{true: "postings", false: "lines"}[lineAnchors], fenString(a.fen), e.window), ls, ps,
					map[bool]string{true: "postings", false: "lines"}[lineAnchors], fenString(a.fen), strconv.Itoa(int(e.window)))
			}
		}
	}
	claimsL, claimsP := map[int32]int{}, map[int32]int{}
	split := func(f found) ([]int32, []int32) {
		if f.anchorLine {
			return []int32{f.anchor}, f.members
		}
		return f.members, []int32{f.anchor}
	}
	for _, f := range all {
		ls, ps := split(f)
		for _, i := range ls {
			claimsL[i]++
		}
		for _, i := range ps {
			claimsP[i]++
		}
	}
	for _, f := range all {
		if !f.unique {
			continue
		}
		ls, ps := split(f)
		contested := false
		for _, i := range ls {
			contested = contested || claimsL[i] > 1
		}
		for _, i := range ps {
			contested = contested || claimsP[i] > 1
		}
		if contested {
			e.addIssue(IssueContestedSum, "an item of this sum also belongs to another item's sum", ls, ps)
			e.mark(ls, ps, flagContest)
			continue
		}
		e.accept(PassSum, ls, ps)
	}
	// One note per item left unmatched whose search was cut short, unless
	// an issue names it already.
	for _, n := range notes {
		ls, ps := []int32{n.i}, []int32(nil)
		it := &e.lines[n.i]
		if !n.line {
			ls, ps, it = nil, ls, &e.posts[n.i]
		}
		if !it.has(flagDone | flagNoted | flagContest) {
			e.addIssue(IssueBounded, n.note, ls, ps, n.figures...)
		}
	}
}

// search returns up to two sets of candidates that add up to anchor i
// (findSums), and, when the search was cut short, a note saying what was
// searched and its figures: which bound ("pairs": too many candidates to
// search at all; "candidates", "steps", "run": the bound that cut the
// sums short), the candidates, the window in days, then for "pairs" the
// bound, for the others the largest sum searched, the first not searched,
// MaxSubset and the bound.
func (s *sumSearch) search(i int32) (sols [][]int32, bounded string, figures []string) {
	a := &s.anchors[i]
	d := 0
	if a.in {
		d = 1
	}
	group := s.byDay[d]
	lo, hi := s.e.windowOf(group, s.cands, a.day)
	// The candidates of a window, by amount, are kept for the next anchor
	// of the same direction: anchors come in date order, many a day.
	w := &s.win[d]
	if !w.valid || w.lo != lo || w.hi != hi {
		w.valid, w.lo, w.hi = true, lo, hi
		w.c = append(w.c[:0], group[lo:hi]...)
		slices.SortFunc(w.c, func(x, y int32) int { return cmp.Compare(s.cands[x].fen, s.cands[y].fen) })
		w.vals = w.vals[:0]
		for _, j := range w.c {
			w.vals = append(w.vals, s.cands[j].fen)
		}
	}
	k, _ := slices.BinarySearch(w.vals, a.fen) // the candidates below the amount
	c, vals := w.c[:k], w.vals[:k]
	if len(c) < 2 {
		return nil, "", nil
	}
	itoa := strconv.Itoa
	if len(c) > MaxPairCandidates {
		return nil, fmt.Sprintf("%d candidates within ±%d days: not searched (bound %d)", len(c), s.e.window, MaxPairCandidates),
			[]string{"pairs", itoa(len(c)), itoa(int(s.e.window)), itoa(MaxPairCandidates)}
	}
	maxK, limit := MaxSubset, min(int64(MaxSearchSteps), MaxRunSumSteps-s.e.sumSteps)
	if len(c) > MaxSumCandidates {
		maxK, limit = 2, int64(len(c))
	}
	r := findSums(vals, a.fen, maxK, max(limit, int64(len(c))), &s.pairs)
	s.e.sumSteps += r.steps
	for _, set := range r.sets {
		m := make([]int32, len(set))
		for k, x := range set {
			m[k] = c[x]
		}
		sols = append(sols, m)
	}
	if r.searched < MaxSubset && len(sols) < 2 {
		which, bound := "candidates", int64(MaxSumCandidates)
		why := fmt.Sprintf("bound %d candidates", MaxSumCandidates)
		if len(c) <= MaxSumCandidates {
			which, bound = "steps", MaxSearchSteps
			why = fmt.Sprintf("bound %d steps for one item", MaxSearchSteps)
			if MaxRunSumSteps-s.e.sumSteps < MaxSearchSteps {
				which, bound = "run", MaxRunSumSteps
				why = fmt.Sprintf("the run's bound of %d steps was spent", MaxRunSumSteps)
			}
		}
		bounded = fmt.Sprintf("%d candidates within ±%d days below the amount: sums of 2 to %d of them searched, of %d to %d not (%s)",
			len(c), s.e.window, r.searched, r.searched+1, MaxSubset, why)
		figures = []string{which, itoa(len(c)), itoa(int(s.e.window)), itoa(r.searched), itoa(r.searched + 1), itoa(MaxSubset),
			strconv.FormatInt(bound, 10)}
	}
	return sols, bounded, figures
}
