package web

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// TestOpenAPIListsEveryRoute walks the routes registered on the server's
// mux under /api/ and compares them with the operations of the generated
// document: the same set, no route undocumented and no operation unserved.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	s := New(nil, nil)
	var served []string
	for _, p := range s.mux.patterns {
		if _, path, ok := strings.Cut(p, " "); ok && strings.HasPrefix(path, "/api/") {
			served = append(served, p)
		} else if strings.HasPrefix(p, "/api/") {
			t.Errorf("route %q under /api/ without a method", p)
		}
	}
	b, err := json.Marshal(s.api.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for m := range ops {
			documented = append(documented, strings.ToUpper(m)+" "+path)
		}
	}
	slices.Sort(served)
	slices.Sort(documented)
	if len(served) < 50 || !slices.Equal(served, documented) {
		t.Errorf("served %d routes, documented %d\nserved:     %v\ndocumented: %v", len(served), len(documented), served, documented)
	}
	// Every operation has a summary and the writes document their key.
	for path, ops := range doc.Paths {
		for m, raw := range ops {
			var o struct {
				Summary    string `json:"summary"`
				Parameters []struct {
					Name string `json:"name"`
				} `json:"parameters"`
			}
			_ = json.Unmarshal(raw, &o)
			if o.Summary == "" {
				t.Errorf("%s %s: no summary", m, path)
			}
			if m == "post" && !slices.ContainsFunc(o.Parameters, func(p struct {
				Name string `json:"name"`
			}) bool {
				return p.Name == "Idempotency-Key"
			}) {
				t.Errorf("%s %s: Idempotency-Key not documented", m, path)
			}
		}
	}
}
