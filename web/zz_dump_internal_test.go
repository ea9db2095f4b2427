package web

import (
	"encoding/json"
	"os"
	"testing"
)

func TestZZDumpDoc(t *testing.T) {
	s := New(nil, nil)
	b, _ := json.MarshalIndent(s.api.OpenAPI(), "", " ")
	os.WriteFile(os.Getenv("DUMP"), append(b, []byte(fmt_patterns(s.mux.patterns))...), 0o644)
}

func fmt_patterns(p []string) string {
	b, _ := json.Marshal(p)
	return string(b)
}
