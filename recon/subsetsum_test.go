package recon

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// bruteSums counts (up to 2) the sets of 2 to maxK indexes whose values
// add up to target, by trying every subset: the independent method
// findSums is checked against.
func bruteSums(vals []int64, target int64, maxK int) (n int, first []int) {
	for mask := 0; mask < 1<<len(vals); mask++ {
		var sum int64
		var set []int
		for i := range vals {
			if mask&(1<<i) != 0 {
				sum += vals[i]
				set = append(set, i)
			}
		}
		if len(set) >= 2 && len(set) <= maxK && sum == target {
			n++
			if first == nil {
				first = set
			}
		}
	}
	return min(n, 2), first
}

// TestFindSums: on random small sets (many equal amounts), findSums finds
// as many sets as trying every subset does (capped at 2), and each set it
// returns adds up to the target.
func TestFindSums(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(15, 2026))
	for round := 0; round < 1500; round++ {
		n := 2 + rng.IntN(11)
		vals := make([]int64, n)
		for i := range vals {
			vals[i] = 1 + rng.Int64N(int64(5+round%40))
		}
		slices.Sort(vals)
		target := 2 + rng.Int64N(int64(10+round%120))
		maxK := 2 + round%4
		got := findSums(vals, target, maxK, 1<<40, nil)
		want, _ := bruteSums(vals, target, maxK)
		if len(got.sets) != want || (want < 2 && got.searched != maxK) {
			t.Fatalf("vals %v target %d k≤%d: %d sets %v (searched %d), want %d", vals, target, maxK, len(got.sets), got.sets, got.searched, want)
		}
		for _, set := range got.sets {
			var sum int64
			for k, i := range set {
				if k > 0 && set[k-1] >= i {
					t.Fatalf("set %v not of distinct sorted indexes", set)
				}
				sum += vals[i]
			}
			if sum != target || len(set) < 2 || len(set) > maxK {
				t.Fatalf("vals %v target %d: set %v adds up to %d", vals, target, set, sum)
			}
		}
		if len(got.sets) == 2 && slices.Equal(got.sets[0], got.sets[1]) {
			t.Fatalf("vals %v target %d: the same set twice %v", vals, target, got.sets)
		}
	}
}

// TestFindSumsBounds: with 300 candidates, sums of 4 are found exactly
// within MaxSearchSteps; a smaller limit stops before a size and says so.
func TestFindSumsBounds(t *testing.T) {
	t.Parallel()
	// 300 amounts, multiples of 100.00 but four with the fen tails 0.01,
	// 0.10, 1.00 and 10.00: a set that adds up to a target with the tail
	// 11.11 holds exactly those four.
	vals := make([]int64, 300)
	for i := range vals {
		vals[i] = int64(1000+i*7) * 10000
	}
	vals[10] += 1
	vals[77] += 10
	vals[150] += 100
	vals[299] += 1000
	target := vals[10] + vals[77] + vals[150] + vals[299]
	slices.Sort(vals)
	res := findSums(vals, target, 4, MaxSearchSteps, nil)
	if res.searched != 4 || res.steps > MaxSearchSteps {
		t.Fatalf("searched up to %d in %d steps", res.searched, res.steps)
	}
	found := false
	for _, s := range res.sets {
		var sum int64
		for _, i := range s {
			sum += vals[i]
		}
		found = found || (len(s) == 4 && sum == target)
	}
	if !found || len(res.sets) != 1 {
		t.Errorf("the set of 4 was not found alone: %v", res.sets)
	}
	small := findSums(vals, target, 4, 1000, nil)
	if small.searched != 2 || small.steps > 1000 {
		t.Errorf("limit 1000: searched up to %d in %d steps", small.searched, small.steps)
	}
}

// TestEngineThreeAmongHundred is the case of issue 15: a bank line pays
// three book payments, among 97 other payments within the window; pass 3
// finds the three, and only them. A line that no set adds up to gets one
// note, whatever was tried.
func TestEngineThreeAmongHundred(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 97))
	var posts []item
	seen := map[int64]bool{}
	for i := 0; i < 100; i++ {
		// Distinct amounts of whole ten yuan (multiples of 1,000 fen) …
		fen := (100 + rng.Int64N(90000)) * 1000
		for seen[fen] {
			fen += 1000
		}
		seen[fen] = true
		posts = append(posts, item{fen: fen, day: day(10 + int32(i%7) - 3)})
	}
	// … but three with the fen tails 1, 10 and 100: a set that adds up to
	// a total with the tail 111 holds all three, and nothing else.
	three := []int32{11, 47, 83}
	posts[11].fen += 1
	posts[47].fen += 10
	posts[83].fen += 100
	var total int64
	for _, i := range three {
		total += posts[i].fen
	}
	// A second line that no set can make (the tail 555 no sum reaches).
	e := engine{from: day(0), to: day(30), window: 3,
		lines: []item{{fen: total, day: day(10)}, {fen: 5_000_000_555, day: day(10)}},
		posts: posts,
	}
	if err := e.run(); err != nil {
		t.Fatal(err)
	}
	if len(e.proposals) != 1 || e.proposals[0].pass != PassSum || !slices.Equal(e.proposals[0].lines, []int32{0}) {
		t.Fatalf("proposals %+v, issues %+v", e.proposals, e.issues)
	}
	got := slices.Clone(e.proposals[0].posts)
	slices.Sort(got)
	if !slices.Equal(got, three) {
		t.Errorf("postings %v, want %v", got, three)
	}
	notes := 0
	for _, is := range e.issues {
		if slices.Contains(is.lines, 1) {
			notes++
		}
	}
	if notes > 1 {
		t.Errorf("%d notes for the unmatched line, want at most one: %+v", notes, e.issues)
	}
}
