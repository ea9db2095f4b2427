// Package soak drives a running fundledger server over HTTP with many
// clients and then checks the books against what the server acknowledged.
// Each client posts ledger entries (POST /api/entries) one after another,
// each with its own Idempotency-Key, and retries a write with the same key
// until the server acknowledges it (201, or 200 when it was stored by an
// earlier attempt whose answer was lost). Events (e.g. restarting the
// database server) run at chosen moments meanwhile. Check then compares
// the entries in the database with the acknowledgements: none may be
// missing, none stored twice.
package soak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Limits.
const (
	MaxClients     = 1000
	requestTimeout = 30 * time.Second
	// giveUpAfter bounds how long one write is retried; a write given up
	// is counted, not hidden (it is not acknowledged, so not "lost").
	giveUpAfter = 3 * time.Minute
	retryPause  = 100 * time.Millisecond
	keyPrefix   = "soak-"
)

// Config says whom to drive, how hard and for how long.
type Config struct {
	BaseURL  string        // e.g. http://127.0.0.1:8080
	Token    string        // API token of a finance bureau user
	Clients  int           // concurrent clients
	Duration time.Duration // how long clients start new writes
	// Accounts are debit/credit account pairs; client i posts to pair
	// i mod len(Accounts).
	Accounts [][2]string
	Events   []Event
	// Reads are API paths (GET) that clients read between writes: with
	// ReadsPerWrite n, each client sends n reads, cycling through Reads,
	// then one write. None: writes only.
	Reads         []string
	ReadsPerWrite int
}

// Event is something done to the system while the clients run.
type Event struct {
	At   time.Duration // after the start
	Name string
	Do   func(ctx context.Context) error
}

// Ack is one acknowledged write.
type Ack struct {
	Key      string // the Idempotency-Key the client sent
	EntryID  int64  // the entry the server said it stored
	Fen      int64  // the amount, in fen
	Attempts int
}

// Result holds the figures of a run.
type Result struct {
	Requests int            // HTTP requests sent, retries included
	Errors   int            // requests that failed (transport error or non-2xx)
	ByStatus map[string]int // "201", "200", "500", "transport", ...
	Acked    []Ack
	GivenUp  []string // keys retried for giveUpAfter without acknowledgement
	Rejected []string // keys the server refused for good (4xx): a bug in the driver or the server
	P50, P99 time.Duration
	Max      time.Duration
	// Per kind of request, with Config.Reads: the reads' and the writes'
	// latencies (ReadErrors: reads answered other than 200).
	ReadRequests, ReadErrors int
	ReadP50, ReadP99         time.Duration
	WriteP50, WriteP99       time.Duration
	Elapsed                  time.Duration
	EventErrors              []error
	// LongestWait is the longest time one write took to be acknowledged
	// (the outage as a client saw it).
	LongestWait time.Duration
}

type entryPosting struct {
	Account string `json:"account"`
	Side    string `json:"side"`
	Amount  string `json:"amount"`
}

type entryRequest struct {
	Book          string         `json:"book"`
	EffectiveDate string         `json:"effective_date"`
	Memo          string         `json:"memo"`
	Postings      []entryPosting `json:"postings"`
}

// Run drives the server until cfg.Duration has passed and every write
// begun is acknowledged or given up, running cfg.Events on the way.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Clients < 1 || cfg.Clients > MaxClients {
		return Result{}, fmt.Errorf("soak: clients %d: between 1 and %d", cfg.Clients, MaxClients)
	}
	if len(cfg.Accounts) == 0 {
		return Result{}, errors.New("soak: no accounts to post to")
	}
	client := &http.Client{Timeout: requestTimeout, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients}}
	start := time.Now()
	stopAt := start.Add(cfg.Duration)

	var (
		mu       sync.Mutex
		res      = Result{ByStatus: map[string]int{}}
		lat      []time.Duration
		writeLat []time.Duration
		readLat  []time.Duration
	)
	record := func(status string, d time.Duration, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		res.Requests++
		res.ByStatus[status]++
		if !ok {
			res.Errors++
		}
		lat = append(lat, d)
		writeLat = append(writeLat, d)
	}
	recordRead := func(status string, d time.Duration, ok bool) {
		mu.Lock()
		defer mu.Unlock()
		res.Requests++
		res.ReadRequests++
		res.ByStatus["read "+status]++
		if !ok {
			res.Errors++
			res.ReadErrors++
		}
		lat = append(lat, d)
		readLat = append(readLat, d)
	}

	var events sync.WaitGroup
	for _, ev := range cfg.Events {
		events.Add(1)
		go func() {
			defer events.Done()
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Until(start.Add(ev.At))):
			}
			if err := ev.Do(ctx); err != nil {
				mu.Lock()
				res.EventErrors = append(res.EventErrors, fmt.Errorf("%s: %w", ev.Name, err))
				mu.Unlock()
			}
		}()
	}

	var clients sync.WaitGroup
	for c := range cfg.Clients {
		clients.Add(1)
		go func() {
			defer clients.Done()
			pair := cfg.Accounts[c%len(cfg.Accounts)]
			for n := 1; time.Now().Before(stopAt) && ctx.Err() == nil; n++ {
				if len(cfg.Reads) > 0 && n%(cfg.ReadsPerWrite+1) != 0 {
					read(ctx, client, cfg, cfg.Reads[(c*31+n)%len(cfg.Reads)], recordRead)
					continue
				}
				key := fmt.Sprintf("%s%d-%d", keyPrefix, c, n)
				fen := int64(1 + (c*7919+n*104729)%100000) // 0.01 to 1000.00
				body, _ := json.Marshal(entryRequest{
					Book: "financial", EffectiveDate: "2021-06-01", Memo: key,
					Postings: []entryPosting{
						{Account: pair[0], Side: "D", Amount: fenString(fen)},
						{Account: pair[1], Side: "C", Amount: fenString(fen)},
					},
				})
				began := time.Now()
				for attempt := 1; ; attempt++ {
					id, status, final := post(ctx, client, cfg, key, body, record)
					if id != 0 {
						wait := time.Since(began)
						mu.Lock()
						res.Acked = append(res.Acked, Ack{Key: key, EntryID: id, Fen: fen, Attempts: attempt})
						if wait > res.LongestWait {
							res.LongestWait = wait
						}
						mu.Unlock()
						break
					}
					if final {
						mu.Lock()
						res.Rejected = append(res.Rejected, key+": "+status)
						mu.Unlock()
						break
					}
					if time.Since(began) > giveUpAfter || ctx.Err() != nil {
						mu.Lock()
						res.GivenUp = append(res.GivenUp, key)
						mu.Unlock()
						break
					}
					time.Sleep(retryPause)
				}
			}
		}()
	}
	clients.Wait()
	events.Wait()
	res.Elapsed = time.Since(start)
	res.P50, res.P99, res.Max = percentiles(lat)
	res.ReadP50, res.ReadP99, _ = percentiles(readLat)
	res.WriteP50, res.WriteP99, _ = percentiles(writeLat)
	return res, ctx.Err()
}

// percentiles sorts lat and returns its median, 99th percentile and maximum.
func percentiles(lat []time.Duration) (p50, p99, maxLat time.Duration) {
	if len(lat) == 0 {
		return 0, 0, 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return lat[len(lat)/2], lat[min(len(lat)-1, len(lat)*99/100)], lat[len(lat)-1]
}

// read sends one GET of path and records its latency; a read is not
// retried.
func read(ctx context.Context, client *http.Client, cfg Config, path string, record func(string, time.Duration, bool)) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, cfg.BaseURL+path, nil)
	if err != nil {
		record("bad request", 0, false)
		return
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		record("transport", time.Since(t0), false)
		return
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<20))
	resp.Body.Close()
	record(strconv.Itoa(resp.StatusCode), time.Since(t0), resp.StatusCode == http.StatusOK)
}

// post sends one attempt. It returns the stored entry's id when the write
// is acknowledged, and final when retrying cannot help (a 4xx other than
// 429).
func post(ctx context.Context, client *http.Client, cfg Config, key string, body []byte,
	record func(string, time.Duration, bool)) (id int64, status string, final bool) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.BaseURL+"/api/entries", bytes.NewReader(body))
	if err != nil {
		return 0, err.Error(), true
	}
	req.Header.Set("Authorization", "Bearer "+cfg.Token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", key)
	t0 := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		record("transport", time.Since(t0), false)
		return 0, "transport", false
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d := time.Since(t0)
	status = strconv.Itoa(resp.StatusCode)
	if resp.StatusCode == http.StatusCreated || resp.StatusCode == http.StatusOK {
		var out struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal(b, &out); err != nil || out.ID == 0 {
			record(status+" unreadable", d, false)
			return 0, status, false
		}
		record(status, d, true)
		return out.ID, status, false
	}
	record(status, d, false)
	if resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests {
		return 0, status + " " + string(b), true
	}
	return 0, status, false
}

func fenString(fen int64) string {
	return fmt.Sprintf("%d.%02d", fen/100, fen%100)
}

// Findings compare the books with the acknowledgements.
type Findings struct {
	Acknowledged int
	Stored       int // entries the soak's writes left in the database
	// Lost are acknowledged writes missing from the books, or stored as
	// another entry or amount than acknowledged.
	Lost []string
	// Duplicates are writes (by memo, which carries the client's key)
	// stored more than once.
	Duplicates []string
	// Unacknowledged are stored entries no client saw acknowledged (a
	// write given up after it was stored): not lost, reported.
	Unacknowledged int
}

// OK is true when nothing acknowledged is lost and nothing is stored twice.
func (f Findings) OK() bool { return len(f.Lost) == 0 && len(f.Duplicates) == 0 }

// Check reads the soak's entries from the database (actor = user) and
// compares them with res.Acked.
func Check(ctx context.Context, db *sqlx.DB, user string, res Result) (Findings, error) {
	var rows []struct {
		ID   int64  `db:"id"`
		Memo string `db:"memo"`
		Fen  int64  `db:"fen"`
	}
	// Each soak entry has one debit posting: its amount is the entry's.
	err := db.SelectContext(ctx, &rows, `
		SELECT e.id, e.memo, (p.amount * 100)::bigint AS fen
		FROM entries e JOIN postings p ON p.entry_id = e.id AND p.side = 'D'
		WHERE e.actor = $1 AND e.memo LIKE $2
		ORDER BY e.id`, user, keyPrefix+"%")
	if err != nil {
		return Findings{}, fmt.Errorf("soak: read the entries: %w", err)
	}
	f := Findings{Acknowledged: len(res.Acked), Stored: len(rows)}
	type stored struct {
		id  int64
		fen int64
	}
	byKey := map[string][]stored{}
	for _, r := range rows {
		byKey[r.Memo] = append(byKey[r.Memo], stored{r.ID, r.Fen})
	}
	for k, s := range byKey {
		if len(s) > 1 {
			f.Duplicates = append(f.Duplicates, fmt.Sprintf("%s stored %d times", k, len(s)))
		}
	}
	acked := map[string]bool{}
	for _, a := range res.Acked {
		acked[a.Key] = true
		s := byKey[a.Key]
		switch {
		case len(s) == 0:
			f.Lost = append(f.Lost, fmt.Sprintf("%s (entry %d acknowledged, not in the books)", a.Key, a.EntryID))
		case s[0].id != a.EntryID || s[0].fen != a.Fen:
			f.Lost = append(f.Lost, fmt.Sprintf("%s acknowledged as entry %d of %s, stored as entry %d of %s",
				a.Key, a.EntryID, fenString(a.Fen), s[0].id, fenString(s[0].fen)))
		}
	}
	for k := range byKey {
		if !acked[k] {
			f.Unacknowledged++
		}
	}
	sort.Strings(f.Lost)
	sort.Strings(f.Duplicates)
	return f, nil
}
