package main

import (
	"strings"
	"testing"
	"time"
)

// A recorded `go test -json` stream: a passing and a failing test in one
// package, a package without tests. Only the failing test's output is shown.
const stream = `{"Action":"start","Package":"a"}
{"Action":"run","Package":"a","Test":"TestGood"}
{"Action":"output","Package":"a","Test":"TestGood","Output":"good noise\n"}
{"Action":"pass","Package":"a","Test":"TestGood","Elapsed":0.1}
{"Action":"run","Package":"a","Test":"TestBad"}
{"Action":"output","Package":"a","Test":"TestBad","Output":"    bad_test.go:9: want 2, got 3\n"}
{"Action":"output","Package":"a","Test":"TestBad","Output":"--- FAIL: TestBad (0.00s)\n"}
{"Action":"fail","Package":"a","Test":"TestBad","Elapsed":0}
{"Action":"output","Package":"a","Output":"FAIL\n"}
{"Action":"fail","Package":"a","Elapsed":1.5}
{"Action":"start","Package":"b"}
{"Action":"output","Package":"b","Output":"?   \tb\t[no test files]\n"}
{"Action":"skip","Package":"b","Elapsed":0}
`

func TestShowsFailuresAndPackages(t *testing.T) {
	var out strings.Builder
	p := &progress{out: &out, running: map[string]time.Time{}, outputs: map[string]*strings.Builder{}}
	if err := p.read(strings.NewReader(stream)); err != nil {
		t.Fatal(err)
	}
	want := "    bad_test.go:9: want 2, got 3\n--- FAIL: TestBad (0.00s)\nFAIL\nFAIL a (1.5s)\n?    b (no tests)\n"
	if out.String() != want {
		t.Errorf("printed\n%s\nwant\n%s", out.String(), want)
	}
	if !p.failed || len(p.running) != 0 || len(p.outputs) != 0 {
		t.Errorf("failed %v, still running %v, outputs kept %d", p.failed, p.running, len(p.outputs))
	}
}
