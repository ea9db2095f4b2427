package recon

// Exact subset sums for pass 3: which 2 to MaxSubset of a few hundred
// amounts add up to a target, by meet in the middle.

import (
	"cmp"
	"math/bits"
	"slices"
)

// Bounds of one subset-sum search (one anchor of pass 3). Sizes are
// searched in order 2, 3, 4, 5, each completely or not at all: a size is
// searched only when its cost, counted in steps before it starts, fits in
// what is left of MaxSearchSteps for the anchor (and of MaxRunSumSteps for
// the run). The costs, for n candidates and P pairs of them that add up to
// less than the target (P ≤ n(n-1)/2):
//
//	2 items  n                 two pointers over the sorted amounts
//	3 items  n²/2              one fixed, two pointers over the rest
//	4 items  P·log₂P           meet in the middle: the pair sums, sorted,
//	                           two pointers over them (pair + pair)
//	5 items  n³/6·log₂P        each triple + a pair found by binary search
//
// So with MaxSumCandidates = 400 candidates, sums of 4 items are searched
// exactly (P ≤ 79,800: about 1.4 million steps) and sums of 5 among about
// 110 candidates; with fewer candidates, more of the run's budget is left
// for the other anchors.
const (
	MaxSubset        = 5
	MaxSumCandidates = 400
	MaxSearchSteps   = 4_000_000
	// MaxRunSumSteps bounds the steps of all of one run's searches
	// (about a quarter of a second of CPU); anchors searched after it is
	// spent are searched for pairs only (and noted as search_bounded when
	// left unmatched).
	MaxRunSumSteps = 150_000_000
)

// sumResult is what one search found.
type sumResult struct {
	sets     [][]int // up to two sets of indexes into the amounts, each sorted
	searched int     // the largest size searched completely (1: none)
	steps    int64
}

// findSums looks for sets of 2 to maxK distinct amounts (vals, sorted
// ascending, each > 0) that add up to target, stopping at the second set
// found. Only sizes whose cost fits in limit steps are searched (see the
// table above); res.searched says up to which size the answer is
// complete.
//
// scratch, when not nil, is reused for the pair sums between calls.
func findSums(vals []int64, target int64, maxK int, limit int64, scratch *[]pairSum) sumResult {
	var res sumResult
	n := len(vals)
	res.searched = 1
	if n < 2 || maxK < 2 {
		return res
	}
	found := func(set ...int) bool {
		res.sets = append(res.sets, slices.Clone(set))
		return len(res.sets) < 2
	}
	// 2 items.
	res.steps += int64(n)
	more := pairsTo(vals, 0, n, target, func(i, j int) bool { return found(i, j) })
	res.searched = 2
	if !more || maxK < 3 {
		return res
	}
	// 3 items.
	cost := int64(n) * int64(n) / 2
	if res.steps+cost > limit {
		return res
	}
	res.steps += cost
	for i := 0; i < n-2 && more; i++ {
		if vals[i]*3 > target {
			break
		}
		more = pairsTo(vals, i+1, n, target-vals[i], func(j, k int) bool { return found(i, j, k) })
	}
	res.searched = 3
	if !more || maxK < 4 {
		return res
	}
	// 4 items: pair + pair, meet in the middle.
	// P: the pairs (i, j > i) with vals[i]+vals[j] < target.
	var p int64
	for i, hi := 0, n; i < n; i++ {
		for hi > i+1 && vals[i]+vals[hi-1] >= target {
			hi--
		}
		if hi <= i+1 {
			break
		}
		p += int64(hi - i - 1)
	}
	if p < 2 {
		res.searched = 4
		if maxK >= 5 {
			res.searched = 5 // a set of 5 holds two disjoint pairs below the target
		}
		return res
	}
	logP := int64(bits.Len64(uint64(p)))
	cost = p*logP + int64(n)
	if res.steps+cost > limit {
		return res
	}
	res.steps += cost
	var ps []pairSum
	if scratch != nil {
		ps = (*scratch)[:0]
		defer func() { *scratch = ps[:0] }()
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n && vals[i]+vals[j] < target; j++ {
			ps = append(ps, pairSum{vals[i] + vals[j], uint16(i), uint16(j)})
		}
	}
	slices.SortFunc(ps, func(a, b pairSum) int { return cmp.Compare(a.sum, b.sum) })
	// Two pointers over the sorted pair sums; runs of equal sums are
	// crossed. A set {a<b<c<d} is found once: as {a,b} + {c,d}.
	for lo, hi := 0, len(ps)-1; lo < hi && more; {
		s := ps[lo].sum + ps[hi].sum
		switch {
		case s < target:
			lo++
		case s > target:
			hi--
		default:
			lo2, hi2 := lo, hi
			for lo2 <= hi && ps[lo2].sum == ps[lo].sum {
				lo2++
			}
			for hi2 >= lo && ps[hi2].sum == ps[hi].sum {
				hi2--
			}
			for x := lo; x < lo2 && more; x++ {
				for y := max(hi2+1, x+1); y <= hi && more; y++ {
					a, b := ps[x], ps[y]
					if b.j < a.i {
						a, b = b, a
					}
					if a.j < b.i {
						more = found(int(a.i), int(a.j), int(b.i), int(b.j))
					}
				}
			}
			lo, hi = lo2, hi2
		}
	}
	res.searched = 4
	if !more || maxK < 5 {
		return res
	}
	// 5 items: triple {a<b<c} + pair {d<e} with c < d, the pair found by
	// binary search over the sorted pair sums.
	t := int64(n) * int64(n-1) * int64(n-2) / 6
	cost = t * logP
	if res.steps+cost > limit {
		return res
	}
	res.steps += cost
	for a := 0; a < n-4 && more; a++ {
		if vals[a]*5 > target {
			break
		}
		for b := a + 1; b < n-3 && more; b++ {
			for c := b + 1; c < n-2 && more; c++ {
				rest := target - vals[a] - vals[b] - vals[c]
				if rest <= 0 {
					break
				}
				k, _ := slices.BinarySearchFunc(ps, rest, func(x pairSum, v int64) int { return cmp.Compare(x.sum, v) })
				for ; k < len(ps) && ps[k].sum == rest && more; k++ {
					if int(ps[k].i) > c {
						more = found(a, b, c, int(ps[k].i), int(ps[k].j))
					}
				}
			}
		}
	}
	res.searched = 5
	return res
}

// pairSum is the sum of the amounts i and j.
type pairSum struct {
	sum  int64
	i, j uint16
}

// pairsTo calls found for each pair i < j of indexes in [lo, hi) whose
// amounts (sorted) add up to target, until found returns false; it
// returns false when stopped.
func pairsTo(vals []int64, lo, hi int, target int64, found func(i, j int) bool) bool {
	for x, y := lo, hi-1; x < y; {
		s := vals[x] + vals[y]
		switch {
		case s < target:
			x++
		case s > target:
			y--
		default:
			if vals[x] == vals[y] { // every pair in x..y
				for i := x; i < y; i++ {
					for j := i + 1; j <= y; j++ {
						if !found(i, j) {
							return false
						}
					}
				}
				return true
			}
			x2, y2 := x, y
			for vals[x2] == vals[x] {
				x2++
			}
			for vals[y2] == vals[y] {
				y2--
			}
			for i := x; i < x2; i++ {
				for j := y2 + 1; j <= y; j++ {
					if !found(i, j) {
						return false
					}
				}
			}
			x, y = x2, y2
		}
	}
	return true
}
