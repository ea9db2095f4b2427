package web

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// TestEveryNamedErrorHasMessages parses the packages' sources for their
// exported Err* sentinels and checks each has a catalogue row with a
// Chinese and an English message for a person.
func TestEveryNamedErrorHasMessages(t *testing.T) {
	var declared []string
	for _, pkg := range []string{"ledger", "funding", "recon", "access", "rules"} {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, "../"+pkg, func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range pkgs {
			for _, f := range p.Files {
				for _, d := range f.Decls {
					g, ok := d.(*ast.GenDecl)
					if !ok || g.Tok != token.VAR {
						continue
					}
					for _, spec := range g.Specs {
						for _, n := range spec.(*ast.ValueSpec).Names {
							if strings.HasPrefix(n.Name, "Err") && n.IsExported() {
								declared = append(declared, pkg+"."+n.Name)
							}
						}
					}
				}
			}
		}
	}
	if len(declared) < 30 {
		t.Fatalf("found only %d named errors: %v", len(declared), declared)
	}
	byName := map[string]catalogued{}
	for _, c := range errorCatalogue {
		if _, dup := byName[c.name]; dup {
			t.Errorf("%s twice in the catalogue", c.name)
		}
		byName[c.name] = c
	}
	internal := regexp.MustCompile(`(?i)\b(select|insert|update|sql|nil|panic|idempotency|entry \d+|key)\b|[{}]|%[vw]`)
	for _, name := range declared {
		c, ok := byName[name]
		switch {
		case !ok:
			t.Errorf("%s has no message in the catalogue (web/messages.go)", name)
			continue
		case c.err == nil || c.status < 400 || c.code == "":
			t.Errorf("%s: incomplete row %+v", name, c)
		case !slices.ContainsFunc([]rune(c.zh), func(r rune) bool { return unicode.Is(unicode.Han, r) }):
			t.Errorf("%s: Chinese message %q", name, c.zh)
		case c.en == "" || internal.MatchString(c.en) || internal.MatchString(c.zh):
			t.Errorf("%s: message with internal wording: %q / %q", name, c.zh, c.en)
		}
		if got := text(langZh, "err."+name); got != c.zh {
			t.Errorf("%s: text zh %q", name, got)
		}
		if got := text(langEn, "err."+name); got != c.en {
			t.Errorf("%s: text en %q", name, got)
		}
	}
	for name := range byName {
		if !slices.Contains(declared, name) {
			t.Errorf("catalogue row %s names no declared error", name)
		}
	}
	// A wrapped error finds its row; the detail is the catalogue's, never the
	// wrapped text.
	wrapped := errorCatalogue[0].err
	for _, c := range errorCatalogue {
		if c.name == "ledger.ErrPeriodClosed" {
			wrapped = c.err
		}
	}
	err := errors.Join(errors.New("post batch of 2 entries: entry 8287 (key web/x/3iEm)"), wrapped)
	status, msg := userMessage(langZh, err)
	if status != 422 || !strings.Contains(msg, "已结账") || strings.Contains(msg, "8287") || strings.Contains(msg, "web/") {
		t.Errorf("period closed: %d %q", status, msg)
	}
}
