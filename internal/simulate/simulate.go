// Package simulate builds a simulated national programme through the same
// code paths as real use: provinces, cities and districts (funding.AddDistrict
// and funding.PlaceDistrict), one bank account per city, the example
// city-wide rule set, and per community a registered project (households
// and floor area drawn from Weihai's plan table), an approval of four budget
// lines, receipts in instalments and payments of 70% of every share within
// its budget lines.
//
// A run is deterministic for a seed: community i draws from its own PCG
// generator seeded by (seed, i), and every write has a key derived from the
// seed and the position, or is checked for sameness, so an interrupted run
// started again skips what exists. A progress row (simulation_progress)
// records the communities done, chunk by chunk, so a resumed run starts at
// the first unfinished chunk.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/rules"
)

// Limits.
const (
	MaxCommunities = 1_000_000
	// MaxCities keeps the districts (at most 8 a city) within what one
	// listing of districts returns.
	MaxCities = 120
	// DefaultChunk communities are written per chunk: their receipts and
	// payments each go in one batch.
	DefaultChunk = 250
	// DefaultWorkers chunks are written at once: while one waits for the
	// server (round trips, a commit), another uses the client.
	DefaultWorkers = 3
	MaxWorkers     = 8
	// MaxChunk bounds a chunk so its movements fit one batch of the ledger.
	MaxChunk = 2000
)

// ErrInvalid marks options out of range.
var ErrInvalid = errors.New("invalid simulation options")

// ErrRunning: another run of the same programme holds the database.
var ErrRunning = errors.New("a run of this simulated programme is already in progress")

// Options says what to simulate.
type Options struct {
	Communities int
	Cities      int
	Seed        uint64
	Chunk       int // communities per chunk; 0: DefaultChunk
	Workers     int // chunks written at once; 0: DefaultWorkers
	// StatementCities: the bank accounts of the first this many cities get
	// monthly statements, imported and reconciled; 0: every city's, -1:
	// none. Each reconciliation run reads the whole month's cash postings
	// of the database, so at national scale a share keeps this phase short.
	StatementCities int
	Progress        io.Writer // progress bar and ETA, redrawn per chunk; nil: none
	Actor           string    // "" : "simulate"
}

// Result says what a run did.
type Result struct {
	Communities int // of the programme
	Resumed     int // communities found done by an earlier run
	Done        int // communities done now (all of them unless interrupted)
	Districts   int
	Approvals   int
	Receipts    int
	Payments    int
	// Bank statements imported (one per bank account and month with cash
	// movements, months found imported included), their lines, the
	// matches reconciliation made and the lines it left for a person.
	Statements     int
	StatementLines int
	Matched        int
	Unmatched      int
	Elapsed        time.Duration
	SetupTime      time.Duration // of Elapsed, districts, bank accounts and the rule set
	StatementTime  time.Duration // of Elapsed, writing and reconciling the statements
	SealTime       time.Duration // of Elapsed, chaining the new entries at the end
	Phases         Phases
}

// Phases is the time each step of the chunks took, summed over the chunks
// (Workers chunks run at once, so the sum can exceed the wall time).
type Phases struct {
	Generate, Register, Approve, Receive, Disburse, Progress time.Duration
}

func (p *Phases) add(q Phases) {
	p.Generate += q.Generate
	p.Register += q.Register
	p.Approve += q.Approve
	p.Receive += q.Receive
	p.Disburse += q.Disburse
	p.Progress += q.Progress
}

// String lists the phases with their seconds.
func (p Phases) String() string {
	return fmt.Sprintf("generate %.1fs, register %.1fs, approve %.1fs, receive %.1fs, disburse %.1fs, progress %.1fs",
		p.Generate.Seconds(), p.Register.Seconds(), p.Approve.Seconds(), p.Receive.Seconds(), p.Disburse.Seconds(), p.Progress.Seconds())
}

// lap returns the time since *t and sets *t to now.
func lap(t *time.Time) time.Duration {
	now := time.Now()
	d := now.Sub(*t)
	*t = now
	return d
}

func (o *Options) check() error {
	if o.Chunk == 0 {
		o.Chunk = DefaultChunk
	}
	if o.Workers == 0 {
		o.Workers = DefaultWorkers
	}
	if o.Actor == "" {
		o.Actor = "simulate"
	}
	switch {
	case o.Communities < 1 || o.Communities > MaxCommunities:
		return fmt.Errorf("%w: communities: want 1 to %d, got %d", ErrInvalid, MaxCommunities, o.Communities)
	case o.Cities < 1 || o.Cities > MaxCities:
		return fmt.Errorf("%w: cities: want 1 to %d, got %d", ErrInvalid, MaxCities, o.Cities)
	case o.Chunk < 1 || o.Chunk > MaxChunk:
		return fmt.Errorf("%w: chunk: want 1 to %d, got %d", ErrInvalid, MaxChunk, o.Chunk)
	case o.Workers < 1 || o.Workers > MaxWorkers:
		return fmt.Errorf("%w: workers: want 1 to %d, got %d", ErrInvalid, MaxWorkers, o.Workers)
	case o.StatementCities < -1 || o.StatementCities > o.Cities:
		return fmt.Errorf("%w: statement cities: want -1 (none), 0 (all) or up to the %d cities, got %d", ErrInvalid, o.Cities, o.StatementCities)
	case o.Seed > 1<<62:
		return fmt.Errorf("%w: seed: want at most %d", ErrInvalid, uint64(1)<<62)
	}
	return nil
}

// Run builds (or resumes) the simulated programme. When ctx is cancelled
// it returns the context's error with the progress of the chunks done.
func Run(ctx context.Context, p *funding.Programme, o Options) (res Result, err error) {
	res.Communities = o.Communities
	if err := o.check(); err != nil {
		return res, err
	}
	start := time.Now()
	defer func() { res.Elapsed = time.Since(start) }()
	// One run of a programme at a time: two would write the same chunks
	// at once, and the payments of the one that commits second, checked
	// before the other's were committed, would be refused as beyond their
	// budget lines instead of found as replays.
	conn, err := p.Ledger().DB().Conn(ctx)
	if err != nil {
		return res, fmt.Errorf("simulate: %w", err)
	}
	defer conn.Close()
	lockKey := fmt.Sprintf("fundledger simulate %d %d %d", o.Seed, o.Communities, o.Cities)
	var locked bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock(hashtextextended($1, 0))`, lockKey).Scan(&locked); err != nil {
		return res, fmt.Errorf("simulate: %w", err)
	}
	if !locked {
		return res, fmt.Errorf("%w (seed %d, %d communities, %d cities): wait for it to end, or stop it", ErrRunning, o.Seed, o.Communities, o.Cities)
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, lockKey) //nolint:errcheck // closing the session releases it too
	n, err := setup(ctx, p, o)
	if err != nil {
		return res, err
	}
	res.Districts = n
	res.SetupTime = time.Since(start)
	db := p.Ledger().DB()
	if _, err := db.ExecContext(ctx, `INSERT INTO simulation_progress (seed, communities, cities, done) VALUES ($1, $2, $3, 0)
		ON CONFLICT DO NOTHING`, int64(o.Seed), o.Communities, o.Cities); err != nil {
		return res, fmt.Errorf("simulate: progress: %w", err)
	}
	if err := db.GetContext(ctx, &res.Resumed, `SELECT done FROM simulation_progress WHERE seed = $1 AND communities = $2 AND cities = $3`,
		int64(o.Seed), o.Communities, o.Cities); err != nil {
		return res, fmt.Errorf("simulate: progress: %w", err)
	}
	res.Done = res.Resumed
	bar := progress{w: o.Progress, total: o.Communities, from: res.Resumed, start: time.Now()}
	bar.draw(res.Done)
	// Workers chunks are written at once (their communities differ, so
	// they lock different accounts); they finish in order, and the
	// progress row only ever records a run of finished chunks from the
	// start, so a resumed run redoes (and finds done) at most the chunks
	// that were in flight.
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	type done struct {
		hi  int
		got Result
		err error
	}
	var pending []chan done
	next := res.Resumed
	launch := func() {
		lo, hi := next, min(next+o.Chunk, o.Communities)
		next = hi
		ch := make(chan done, 1)
		pending = append(pending, ch)
		go func() {
			var got Result
			err := chunk(wctx, p.Ledger(), o, lo, hi, &got)
			ch <- done{hi, got, err}
		}()
	}
	for next < o.Communities && len(pending) < o.Workers && ctx.Err() == nil {
		launch()
	}
	for len(pending) > 0 {
		d := <-pending[0]
		pending = pending[1:]
		if d.err == nil { // recorded even when interrupted meanwhile
			t := time.Now()
			d.err = markDone(context.WithoutCancel(ctx), p, o, d.hi)
			d.got.Phases.Progress += lap(&t)
		}
		if d.err != nil {
			stop()
			for _, ch := range pending {
				<-ch
			}
			if err := ctx.Err(); err != nil {
				return res, err
			}
			return res, d.err
		}
		res.Approvals += d.got.Approvals
		res.Receipts += d.got.Receipts
		res.Payments += d.got.Payments
		res.Phases.add(d.got.Phases)
		res.Done = d.hi
		bar.draw(d.hi)
		if next < o.Communities && ctx.Err() == nil {
			launch()
		}
	}
	if err := ctx.Err(); err != nil {
		return res, err
	}
	began := time.Now()
	if err := statements(ctx, p, o, &res); err != nil {
		return res, err
	}
	res.StatementTime = time.Since(began)
	if o.Progress != nil {
		fmt.Fprintln(o.Progress)
	}
	began = time.Now()
	if _, err := p.Ledger().Seal(ctx); err != nil {
		return res, fmt.Errorf("simulate: seal: %w", err)
	}
	res.SealTime = time.Since(began)
	return res, nil
}

// markDone records that the communities before hi are done.
func markDone(ctx context.Context, p *funding.Programme, o Options, hi int) error {
	if _, err := p.Ledger().DB().ExecContext(ctx, `UPDATE simulation_progress SET done = $4, updated_at = now()
		WHERE seed = $1 AND communities = $2 AND cities = $3`, int64(o.Seed), o.Communities, o.Cities, hi); err != nil {
		return fmt.Errorf("simulate: progress: %w", err)
	}
	return nil
}

// setup adds the cities' districts (placed in their city and province),
// their bank accounts and the example city-wide rule set; each is
// idempotent. It returns the number of districts.
func setup(ctx context.Context, p *funding.Programme, o Options) (int, error) {
	db := p.Ledger().DB()
	n := 0
	for c := range o.Cities {
		for d := range districtsOf(c) {
			code := districtCode(c, d)
			if _, err := funding.LookupDistrict(ctx, db, code); errors.Is(err, funding.ErrNotFound) {
				if err := funding.AddDistrict(ctx, db, funding.District{Code: code, NameZh: districtName(c, d),
					NameEn: fmt.Sprintf("Simulated city %d district %d", c, d+1)}, o.Actor); err != nil {
					return n, fmt.Errorf("simulate: %w", err)
				}
			} else if err != nil {
				return n, fmt.Errorf("simulate: %w", err)
			}
			if err := funding.PlaceDistrict(ctx, db, funding.Region{District: code, City: cityName(c), Province: provinceName(provinceOf(c))}, o.Actor); err != nil {
				return n, fmt.Errorf("simulate: %w", err)
			}
			n++
		}
		if err := p.AddBankAccount(ctx, funding.BankAccount{Code: bankCode(c), Name: cityName(c) + "老旧小区改造资金专户 (simulated)",
			Bank: "模拟银行 simulated bank"}, o.Actor); err != nil {
			return n, fmt.Errorf("simulate: %w", err)
		}
	}
	data, err := rules.Examples.ReadFile("examples/weihai-2020.yaml")
	if err != nil {
		return n, fmt.Errorf("simulate: %w", err)
	}
	if _, _, err := p.LoadRuleSetBytes(ctx, "weihai-2020.yaml", data, o.Actor); err != nil {
		return n, fmt.Errorf("simulate: %w", err)
	}
	return n, nil
}

// chunk registers communities [lo, hi) in one batch, approves them in
// another, then records their receipts in one batch and their payments in
// another, in the communities' order. Each chunk has its own Programme, so
// what it remembers of the accounts it created stays bounded.
func chunk(ctx context.Context, l *ledger.Ledger, o Options, lo, hi int, res *Result) error {
	p := funding.New(l)
	t := time.Now()
	cs := make([]Community, hi-lo)
	projects := make([]funding.ProjectInput, hi-lo)
	reqs := make([]funding.ApprovalRequest, hi-lo)
	for i := range cs {
		cs[i] = Generate(o.Seed, o.Cities, lo+i)
		projects[i] = cs[i].Project
		reqs[i] = funding.ApprovalRequest{Project: cs[i].Project.Code, ApprovedOn: cs[i].ApprovedOn, Actor: o.Actor, Lines: cs[i].Lines}
	}
	what := fmt.Sprintf("simulate: communities %d–%d", lo, hi-1)
	res.Phases.Generate += lap(&t)
	if _, err := p.RegisterProjects(ctx, projects, o.Actor); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	res.Phases.Register += lap(&t)
	approvals, err := p.ApproveAll(ctx, reqs)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	res.Phases.Approve += lap(&t)
	var receipts []funding.ReceiptRequest
	var payments []funding.DisbursementRequest
	for i := range cs {
		if !approvals[i].Unchanged {
			res.Approvals++
		}
		r, pay := movements(o, cs[i], approvals[i])
		receipts = append(receipts, r...)
		payments = append(payments, pay...)
	}
	for b := range batches(len(receipts), maxMovements) {
		ms, err := p.ReceiveAll(ctx, receipts[b[0]:b[1]])
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		res.Receipts += len(ms)
	}
	res.Phases.Receive += lap(&t)
	for b := range batches(len(payments), maxMovements) {
		ms, err := p.DisburseAll(ctx, payments[b[0]:b[1]])
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		res.Payments += len(ms)
	}
	res.Phases.Disburse += lap(&t)
	return nil
}

// maxMovements bounds a batch of receipts or payments (two entries each).
const maxMovements = ledger.MaxEntriesPerBatch / 2

// batches yields [lo, hi) ranges of at most size covering n.
func batches(n, size int) func(func([2]int) bool) {
	return func(yield func([2]int) bool) {
		for lo := 0; lo < n; lo += size {
			if !yield([2]int{lo, min(lo+size, n)}) {
				return
			}
		}
	}
}

// maxMovementDays: a community's last movement (its payments) is this many
// days after its approval.
const maxMovementDays = 150

// movements are a community's receipts (government money in two
// instalments, 60% after 30 days and the rest after 120; any other source
// in one after 60) and payments (after maxMovementDays, 70% of every share
// from the source that owes it), keyed by seed and position.
func movements(o Options, c Community, ap funding.Approval) ([]funding.ReceiptRequest, []funding.DisbursementRequest) {
	key := fmt.Sprintf("sim:%d:%d", o.Seed, c.Index)
	bank := bankCode(c.City)
	var rs []funding.ReceiptRequest
	for _, t := range ap.Allocation.Totals {
		type part struct {
			days int
			amt  decimal.Decimal
		}
		parts := []part{{60, t.Amount}}
		if government(t.Source) {
			first := t.Amount.Mul(decimal.New(6, -1)).Round(2)
			parts = []part{{30, first}, {120, t.Amount.Sub(first)}}
		}
		for k, pt := range parts {
			if !pt.amt.IsPositive() {
				continue
			}
			rs = append(rs, funding.ReceiptRequest{Project: c.Project.Code, Source: t.Source, Amount: pt.amt,
				ReceivedOn: c.ApprovedOn.AddDate(0, 0, pt.days), BankAccount: bank,
				Reference:      fmt.Sprintf("到账-%s-%s-%d", c.Project.Code, t.Source, k+1),
				IdempotencyKey: fmt.Sprintf("%s:receipt:%s:%d", key, t.Source, k+1), Actor: o.Actor})
		}
	}
	var ps []funding.DisbursementRequest
	for _, g := range ap.Allocation.Groups {
		for _, s := range g.Shares {
			amt := s.Amount.Mul(decimal.New(7, -1)).Round(2)
			if !amt.IsPositive() {
				continue
			}
			ps = append(ps, funding.DisbursementRequest{Project: c.Project.Code, Source: s.Source, Category: g.Category, WorkItem: g.WorkItem,
				Amount: amt, PaidOn: c.ApprovedOn.AddDate(0, 0, maxMovementDays), Payee: "模拟建设工程有限公司 (simulated contractor)", BankAccount: bank,
				Reference:      fmt.Sprintf("支付-%s-%s-%s", c.Project.Code, workOf(g.Category, g.WorkItem), s.Source),
				IdempotencyKey: fmt.Sprintf("%s:pay:%s:%s:%s", key, g.Category, g.WorkItem, s.Source), Actor: o.Actor})
		}
	}
	return rs, ps
}

// workOf names a category, or a work item within it.
func workOf(category, item string) string {
	if item == "" {
		return category
	}
	return category + "/" + item
}

func government(src string) bool {
	switch src {
	case rules.SourceCentral, rules.SourceProvincial, rules.SourceMunicipal, rules.SourceDistrict:
		return true
	}
	return false
}

// progress draws a bar with the rate and the time left on one line.
type progress struct {
	w     io.Writer
	total int
	from  int
	start time.Time
}

func (b progress) draw(done int) {
	if b.w == nil {
		return
	}
	const width = 30
	filled := width * done / max(1, b.total)
	line := fmt.Sprintf("\r[%s%s] %d/%d communities %3d%%", strings.Repeat("#", filled), strings.Repeat(" ", width-filled),
		done, b.total, 100*done/max(1, b.total))
	if el := time.Since(b.start); done > b.from && el > 0 {
		rate := float64(done-b.from) / el.Seconds() // a display rate, not money
		left := time.Duration(float64(b.total-done)/rate) * time.Second
		line += fmt.Sprintf("  %.1f/s  ETA %s", rate, left.Round(time.Second))
	}
	fmt.Fprint(b.w, line)
}
