// Command testprogress reads `go test -json` on standard input and prints
// what a person at `make test` wants to see: which packages are running now
// (every 15 s while they run), each package's result with its time, and the
// whole output of every test that failed. It exits 1 when anything failed,
// so `go test -json ./... | testprogress` can stand for `go test ./...`.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action  string
	Package string
	Test    string
	Elapsed float64
	Output  string
}

// maxBufferedBytes bounds what is kept of one test's output while waiting
// to know whether it fails.
const maxBufferedBytes = 1 << 20

type progress struct {
	mu      sync.Mutex
	out     io.Writer
	running map[string]time.Time // package → start
	outputs map[string]*strings.Builder
	failed  bool
}

func main() {
	p := &progress{out: os.Stdout, running: map[string]time.Time{}, outputs: map[string]*strings.Builder{}}
	stop := make(chan struct{})
	go p.tick(stop, 15*time.Second)
	err := p.read(os.Stdin)
	close(stop)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		os.Exit(2)
	}
	if p.failed {
		os.Exit(1)
	}
}

func (p *progress) tick(stop <-chan struct{}, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			p.mu.Lock()
			var names []string
			for pkg, start := range p.running {
				names = append(names, fmt.Sprintf("%s (%.0fs)", pkg, now.Sub(start).Seconds()))
			}
			sort.Strings(names)
			if len(names) > 0 {
				fmt.Fprintf(p.out, "   … running %s\n", strings.Join(names, ", "))
			}
			p.mu.Unlock()
		}
	}
}

func (p *progress) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if err := json.Unmarshal(line, &e); err != nil || e.Action == "" {
			// A build error or anything else that is not an event.
			p.mu.Lock()
			fmt.Fprintln(p.out, string(line))
			if strings.Contains(string(line), "FAIL") || strings.Contains(string(line), "build failed") {
				p.failed = true
			}
			p.mu.Unlock()
			continue
		}
		p.handle(e)
	}
	return sc.Err()
}

func (p *progress) handle(e event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := e.Package + "\x00" + e.Test
	switch e.Action {
	case "start":
		p.running[e.Package] = time.Now()
	case "output":
		b := p.outputs[key]
		if b == nil {
			b = &strings.Builder{}
			p.outputs[key] = b
		}
		if b.Len() < maxBufferedBytes {
			b.WriteString(e.Output)
		}
	case "pass", "skip":
		delete(p.outputs, key)
		if e.Test == "" {
			delete(p.running, e.Package)
			if e.Action == "skip" {
				fmt.Fprintf(p.out, "?    %s (no tests)\n", e.Package)
			} else {
				fmt.Fprintf(p.out, "ok   %s (%.1fs)\n", e.Package, e.Elapsed)
			}
			p.dropPackage(e.Package)
		}
	case "fail":
		p.failed = true
		if b := p.outputs[key]; b != nil {
			fmt.Fprint(p.out, b.String())
			delete(p.outputs, key)
		}
		if e.Test == "" {
			delete(p.running, e.Package)
			fmt.Fprintf(p.out, "FAIL %s (%.1fs)\n", e.Package, e.Elapsed)
			p.dropPackage(e.Package)
		}
	}
}

// dropPackage forgets the buffered output of a finished package's tests.
func (p *progress) dropPackage(pkg string) {
	for k := range p.outputs {
		if strings.HasPrefix(k, pkg+"\x00") {
			delete(p.outputs, k)
		}
	}
}
