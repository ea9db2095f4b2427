package web

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/shopspring/decimal"

	"fundledger/funding"
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

// A payment refused by its budget line tells a person the line's figures
// in the reader's language, not the domain's English.
func TestBudgetLineRefusalHasFigures(t *testing.T) {
	err := fmt.Errorf("post batch: %w", &funding.LineShortfall{What: "pay p9", Project: "WH-HC-2020-001", Line: "basic",
		Category: "basic", Budget: decimal.RequireFromString("1000000.00"), Paid: decimal.RequireFromString("995000.37"),
		Remaining: decimal.RequireFromString("4999.63"), Amount: decimal.RequireFromString("40000.00"),
		Shortfall: decimal.RequireFromString("35000.37")})
	status, zh := userMessage("zh", err)
	want := "无预算不支出：项目 WH-HC-2020-001 的基础类预算 1,000,000.00 元，已支付 995,000.37 元，尚余 4,999.63 元；这笔 40,000.00 元的支付超出 35,000.37 元。请先调整预算。"
	if status != 422 || zh != want {
		t.Errorf("zh: %d %q\nwant %q", status, zh, want)
	}
	_, en := userMessage("en", err)
	if !strings.Contains(en, "budget 1,000,000.00, already paid 995,000.37, remaining 4,999.63; this payment of 40,000.00 exceeds it by 35,000.37") {
		t.Errorf("en: %q", en)
	}
	// Without the figures (a refusal by the database itself), the plain message.
	_, plain := userMessage("zh", fmt.Errorf("x: %w", funding.ErrBudgetLineExceeded))
	if plain != "无预算不支出：这笔支付超出批复的预算额度；请先调整预算。" {
		t.Errorf("plain: %q", plain)
	}
}

// TestNoMessageKeyDefinedTwice: every page's words are in the catalogue as
// written, so no key is defined twice with different words (by two pages,
// or by a page and the catalogue itself: the first would win and the other
// would read differently); each has Chinese and English.
func TestNoMessageKeyDefinedTwice(t *testing.T) {
	if len(pageWords) < 16 {
		t.Fatalf("pageWords holds %d pages' words, want the 16 pages", len(pageWords))
	}
	for name, m := range pageWords {
		if len(m) == 0 {
			t.Errorf("%s: no words", name)
		}
		for k, v := range m {
			if messages[k] != v {
				t.Errorf("%s: key %q is defined twice: catalogue %q, page %q", name, k, messages[k], v)
			}
			if v[0] == "" || v[1] == "" {
				t.Errorf("%s: key %q lacks a language", name, k)
			}
		}
	}
}
