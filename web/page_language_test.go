package web_test

import (
	"context"
	"html"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// The page's own words: the title, headings, table headers, labels,
// buttons, legends, captions, summaries, options and the navigation's
// links. Cells of tables and paragraphs hold data (names people typed,
// amounts) and are not looked at.
var (
	ownWordsRE = regexp.MustCompile(`(?is)<(title|h[1-3]|th|label|button|legend|caption|summary)\b[^>]*>(.*?)</(?:title|h[1-3]|th|label|button|legend|caption|summary)>`)
	optionRE   = regexp.MustCompile(`(?is)<(option)\b[^>]*>(.*?)</option>`)
	navRE      = regexp.MustCompile(`(?is)<nav\b[^>]*>(.*?)</nav>`)
	navLinkRE  = regexp.MustCompile(`(?is)<a\b[^>]*>(.*?)</a>`)
	controlsRE = regexp.MustCompile(`(?is)<(select|textarea)\b.*?</(select|textarea)>`)
	tagRE      = regexp.MustCompile(`(?s)<[^>]*>`)
	// A token: letters, digits and the joiners of codes (WH-HC-2021-001,
	// cash:huancui:HC-1:central, 2020-07, test-citywide).
	tokenRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9_\-:./@²]*`)
)

// ownWords lists the page's own words as "element: text", with the data
// values (names people gave, in the language they gave them) cut out.
func ownWords(body []byte, data []string) []string {
	s := string(body)
	var out []string
	add := func(el, inner string) {
		text := controlsRE.ReplaceAllString(inner, " ") // a label's select: its options are looked at as options
		text = html.UnescapeString(tagRE.ReplaceAllString(text, " "))
		for _, d := range data {
			text = strings.ReplaceAll(text, d, " ")
		}
		if text = strings.Join(strings.Fields(text), " "); text != "" {
			out = append(out, el+": "+text)
		}
	}
	for _, re := range []*regexp.Regexp{ownWordsRE, optionRE} {
		for _, m := range re.FindAllStringSubmatch(s, -1) {
			add(strings.ToLower(m[1]), m[2])
		}
	}
	for _, nav := range navRE.FindAllStringSubmatch(s, -1) {
		for _, a := range navLinkRE.FindAllStringSubmatch(nav[1], -1) {
			add("nav", a[1])
		}
	}
	return out
}

// cjk: a Chinese character or a Chinese punctuation mark.
func cjk(r rune) bool {
	return unicode.Is(unicode.Han, r) || (r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

// englishWords are the English words of a text: tokens of three or more
// letters only, not all capitals (codes and formats: BOC, XLSX) and not
// the programme's name.
func englishWords(text string) []string {
	var out []string
	for _, tok := range tokenRE.FindAllString(text, -1) {
		tok = strings.TrimRight(tok, ".:/-")
		letters := strings.IndexFunc(tok, func(r rune) bool { return r < 'A' || r > 'z' || (r > 'Z' && r < 'a') }) < 0
		if letters && len(tok) >= 3 && strings.ToUpper(tok) != tok && tok != "fundledger" {
			out = append(out, tok)
		}
	}
	return out
}

// wrongLanguage is what of the page's own words is not in lang: Chinese
// in English, English words in Chinese.
func wrongLanguage(lang string, words []string) []string {
	var out []string
	for _, w := range words {
		_, text, _ := strings.Cut(w, ": ")
		if lang == "en" && strings.ContainsFunc(text, cjk) {
			out = append(out, w)
		}
		if lang == "zh" && len(englishWords(text)) > 0 {
			out = append(out, w)
		}
	}
	return out
}

// fixtureData are the names people gave in a fixture's books (projects,
// bank accounts and banks, districts without an English name, loans and
// lenders, users), longest first: data, in whatever language they were
// typed.
func fixtureData(t *testing.T, f *fixture) []string {
	t.Helper()
	var data []string
	if err := f.db.SelectContext(context.Background(), &data, `
		SELECT name FROM projects UNION SELECT address FROM projects
		UNION SELECT name FROM bank_accounts UNION SELECT bank FROM bank_accounts
		UNION SELECT name_zh FROM districts WHERE name_en = ''
		UNION SELECT name FROM loans UNION SELECT lender FROM loans`); err != nil {
		t.Fatal(err)
	}
	data = append(data, "bureau", "officer", "audit", "中文", "English") // users; the language switch names each language in itself
	slices.SortFunc(data, func(a, b string) int { return len(b) - len(a) })
	return data
}

// TestEveryPageInOneLanguage (issue 14): every page, as each role, in
// English and in Chinese, says its own words (title, headings, table
// headers, labels, buttons, legends, options, navigation) in the reader's
// language only: no Chinese character in English, no English word in
// Chinese. Names people gave are data and are left out.
func TestEveryPageInOneLanguage(t *testing.T) {
	t.Parallel()
	f := withPasswords(newFixture(t))
	bureauBooks(t, f)
	data := fixtureData(t, f)
	wrong := map[string][]string{} // "lang: element: text" → pages
	pages := 0
	check := func(lang, who string) func(path string, body []byte) {
		return func(path string, body []byte) {
			pages++
			if !strings.Contains(string(body), `<html lang="`+lang) {
				t.Errorf("%s (%s): not in %s", path, who, lang)
			}
			for _, w := range wrongLanguage(lang, ownWords(body, data)) {
				wrong[lang+": "+w] = append(wrong[lang+": "+w], path+" ("+who+")")
			}
		}
	}
	for _, lang := range []string{"en", "zh"} {
		for _, u := range []string{"bureau", "officer", "audit"} {
			b := f.loggedIn(u)
			wantStatus(t, "language "+lang, b.get("/periods?lang="+lang), http.StatusOK) // remembered in a cookie
			ps := append([]string(nil), everyPage...)
			if u != "audit" {
				ps = append(ps, writePages...)
			}
			visitAll(t, b, ps, check(lang, u))
		}
		login := f.browser().get("/login?lang=" + lang)
		wantStatus(t, "login", login, http.StatusOK)
		check(lang, "anonymous")("/login", login.body)
	}
	// A loan's page, in the loans' fixture.
	lf := withPasswords(loanFixture(t))
	if r := lf.do("officer", "POST", "/api/loans", "l1", policyBankLoan); r.status != 201 {
		t.Fatalf("loan: %d %s", r.status, r.body)
	}
	loanData := fixtureData(t, lf)
	for _, lang := range []string{"en", "zh"} {
		for _, u := range []string{"bureau", "officer", "audit"} {
			r := lf.loggedIn(u).get("/loans/PB-1?lang=" + lang)
			wantStatus(t, "loan page", r, http.StatusOK)
			pages++
			for _, w := range wrongLanguage(lang, ownWords(r.body, loanData)) {
				wrong[lang+": "+w] = append(wrong[lang+": "+w], "/loans/PB-1 ("+u+")")
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(wrong)) {
		ps := slices.Compact(slices.Sorted(slices.Values(wrong[w])))
		t.Errorf("%s — on %d pages, e.g. %s", w, len(ps), strings.Join(ps[:min(3, len(ps))], ", "))
	}
	if pages < 2*3*len(everyPage) {
		t.Errorf("checked %d pages", pages)
	}

	// The checkers themselves.
	page := []byte(`<html><head><title>Project · 测试小区 HC-1 — fundledger</title></head><body><nav><a href="/x">Reports</a><a href="/y">报表</a></nav>
		<h2>资金来源 sources</h2><table><tr><th>Amount</th><th>金额</th></tr><tr><td>中央补助 central</td></tr></table>
		<label for="a">Source <select id="a"><option value="central">中央补助</option><option>BOC-HC 环翠专户</option></select></label>
		<label>凭证号 WH-HC-2021-001 XLSX m²</label><button>提交</button><p>段落 words</p></body></html>`)
	got := ownWords(page, []string{"测试小区 HC-1", "环翠专户"})
	want := []string{"title: Project · — fundledger", "h2: 资金来源 sources", "th: Amount", "th: 金额", "label: Source",
		"label: 凭证号 WH-HC-2021-001 XLSX m²", "button: 提交", "option: 中央补助", "option: BOC-HC", "nav: Reports", "nav: 报表"}
	if !slices.Equal(got, want) {
		t.Errorf("ownWords:\n got %q\nwant %q", got, want)
	}
	if got, want := wrongLanguage("en", got), []string{"h2: 资金来源 sources", "th: 金额", "label: 凭证号 WH-HC-2021-001 XLSX m²", "button: 提交", "option: 中央补助", "nav: 报表"}; !slices.Equal(got, want) {
		t.Errorf("wrongLanguage en:\n got %q\nwant %q", got, want)
	}
	if got, want := wrongLanguage("zh", got), []string{"title: Project · — fundledger", "h2: 资金来源 sources", "th: Amount", "label: Source", "nav: Reports"}; !slices.Equal(got, want) {
		t.Errorf("wrongLanguage zh:\n got %q\nwant %q", got, want)
	}
}
