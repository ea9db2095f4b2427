package recon

import (
	"strconv"
	"testing"
)

// BenchmarkEngine1M runs the matching passes alone (no database) on the
// data of BenchmarkMatch1M: 1,000,000 lines and 1,000,000 postings over a
// year, window ±3 days.
func BenchmarkEngine1M(b *testing.B) {
	mix := func(x uint64) uint64 {
		x += 0x9e3779b97f4a7c15
		x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
		x = (x ^ (x >> 27)) * 0x94d049bb133111eb
		return x ^ (x >> 31)
	}
	const n = 1000000
	base := dayNumber(epoch.AddDate(51, 0, 0)) // 2021-01-01
	var lines, posts []item
	add := func(s *[]item, d int, ref string, in bool, fen int64) {
		*s = append(*s, item{fen: fen, day: base + int32(d), in: in, ref: ref})
	}
	amount := func(i, k int) int64 { return 100000 + int64(mix(uint64(i)*4+uint64(k))%999900000) }
	for i := 0; i < n; i++ {
		day := i * 365 / n
		in := mix(uint64(i)^0x5555)%2 == 0
		switch k := i % 100; {
		case k < 70:
			a, ref := amount(i, 0), "GK-"+strconv.Itoa(i)
			add(&posts, day, ref, in, a)
			add(&lines, day+i%3, ref, in, a)
		case k < 96:
			a := amount(i, 0)
			add(&posts, day, "V-"+strconv.Itoa(i), in, a)
			add(&lines, day+i%4, "", in, a)
		case k == 96:
			a, c := amount(i, 1), amount(i, 2)
			add(&posts, day, "", in, a)
			add(&posts, day+1, "", in, c)
			add(&lines, day+1, "", in, a+c)
		case k == 97:
			a, c := amount(i, 1), amount(i, 2)
			add(&posts, day, "", in, a+c)
			add(&lines, day, "", in, a)
			add(&lines, day+2, "", in, c)
		case k == 98:
			add(&lines, day, "", true, 100+int64(i%10000))
		default:
			add(&posts, day, "", false, amount(i, 3))
		}
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		e := engine{from: base, to: base + 364, window: 3, lines: append([]item(nil), lines...), posts: append([]item(nil), posts...)}
		b.StartTimer()
		if err := e.run(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		b.ReportMetric(float64(len(e.proposals)), "matches")
		b.ReportMetric(float64(e.sumSteps), "sum-steps")
		b.ReportMetric(float64(e.issueCount), "issues")
	}
}
