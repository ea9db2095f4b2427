package recon

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"fundledger/amount"
	"fundledger/internal/jsoninput"
)

// Profile maps the columns of one kind of statement export to statement
// line fields. Each field lists the header names it accepts (compared after
// trimming spaces and a trailing unit such as "(元)"); the first one found
// in the header row wins. A profile has either an Amount column (signed, or
// with a Direction column, or with a FixedDirection) or In and Out columns
// (money received, money paid), or both: the columns present in the file
// decide.
type Profile struct {
	Name        string `json:"name"`
	Description string `json:"description"`

	// Extends names a built-in profile this one builds on: each list of
	// names below is this profile's names first, then the parent's (the
	// first found in the header wins, so a name here overrides); a list
	// named in Replace is this profile's alone; a scalar set here
	// overrides the parent's; direction_values are merged, this profile's
	// winning.
	Extends string   `json:"extends,omitempty"`
	Replace []string `json:"replace,omitempty"`

	// Layout is the bank's published column list for the export, in
	// order. It tells the profile's header apart from others' (auto
	// detection scores the header cells a profile knows) and names the
	// columns that are read by none of the fields.
	Layout []string `json:"layout,omitempty"`
	// Sources name the public files (repository and path) where the
	// layout was checked against a real export or a parser of one; a
	// profile written from general knowledge has none.
	Sources []string `json:"sources,omitempty"`

	Date        []string `json:"date"`
	DateFormats []string `json:"date_formats,omitempty"` // Go layouts; default DefaultDateFormats

	Amount []string `json:"amount,omitempty"`
	// Direction names a column that says which way an unsigned Amount
	// went; DirectionValues maps its values to "in" or "out".
	Direction       []string          `json:"direction,omitempty"`
	DirectionValues map[string]string `json:"direction_values,omitempty"`
	// FixedDirection ("in" or "out") is the direction of every line of a
	// list that has a single amount column, such as a treasury payment
	// list; a negative amount goes the other way (a refund, 退回).
	FixedDirection string `json:"fixed_direction,omitempty"`

	In  []string `json:"in,omitempty"`  // 收入 / 贷方: money received
	Out []string `json:"out,omitempty"` // 支出 / 借方: money paid

	Balance             []string `json:"balance,omitempty"`
	Counterparty        []string `json:"counterparty,omitempty"`
	CounterpartyAccount []string `json:"counterparty_account,omitempty"`
	// CounterpartyIn and CounterpartyOut, for exports that list payer and
	// payee in columns of their own (付款人名称, 收款人名称): the
	// counterparty of money received is the payer, of money paid the
	// payee. They win over Counterparty when present; likewise the
	// accounts.
	CounterpartyIn         []string `json:"counterparty_in,omitempty"`
	CounterpartyOut        []string `json:"counterparty_out,omitempty"`
	CounterpartyAccountIn  []string `json:"counterparty_account_in,omitempty"`
	CounterpartyAccountOut []string `json:"counterparty_account_out,omitempty"`
	Reference              []string `json:"reference,omitempty"`
	Memo                   []string `json:"memo,omitempty"`
	// Serial is the bank's own unique number for a line (交易流水号). When
	// a line has one, it identifies the line across files (see Fingerprint).
	Serial []string `json:"serial,omitempty"`

	// ThousandsSeparator, when set (one character, such as ","), may
	// separate groups of three digits in the amounts of files of this
	// profile ("1,234,567.89"). Without it an amount is plain digits.
	ThousandsSeparator string `json:"thousands_separator,omitempty"`
	// PlusSign: amounts may carry a leading '+' (Bank of China writes
	// money received as +129646.38); other profiles refuse one.
	PlusSign bool `json:"plus_sign,omitempty"`

	// SkipPrefixes: a data row whose first non-empty cell starts with one
	// of these is a total or page footer, not a line (FooterPrefixes are
	// known to every profile).
	SkipPrefixes []string `json:"skip_prefixes,omitempty"`
}

// DefaultDateFormats are tried in order when a profile names none.
var DefaultDateFormats = []string{
	"2006-01-02", "2006/01/02", "2006/1/2", "2006-1-2", "20060102", "2006.01.02", "2006.1.2", "2006年01月02日", "2006年1月2日",
}

// Direction of a statement line, from the account holder's point of view.
const (
	In  = "in"  // money received: a debit to cash in the books
	Out = "out" // money paid: a credit to cash in the books
)

//go:embed profiles/*.json
var profileFiles embed.FS

var builtin = func() map[string]*Profile {
	raw := map[string]*Profile{}
	files, err := fs.Glob(profileFiles, "profiles/*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		data, err := profileFiles.ReadFile(f)
		if err != nil {
			panic(err)
		}
		p, err := decodeProfile(path.Base(f), data)
		if err != nil {
			panic(err) // the shipped profiles are tested
		}
		raw[p.Name] = p
	}
	m := map[string]*Profile{}
	for name := range raw {
		p, err := resolveProfile(raw[name], func(n string) (*Profile, bool) { q, ok := raw[n]; return q, ok }, 0)
		if err == nil {
			err = p.check()
		}
		if err != nil {
			panic(fmt.Sprintf("statement profile %s: %v", name, err))
		}
		m[name] = p
	}
	return m
}()

// maxExtendsDepth bounds a chain of profiles extending each other.
const maxExtendsDepth = 8

// resolveProfile returns p merged with the chain of profiles it extends.
func resolveProfile(p *Profile, lookup func(string) (*Profile, bool), depth int) (*Profile, error) {
	if p.Extends == "" {
		return p, nil
	}
	if depth >= maxExtendsDepth {
		return nil, fmt.Errorf("extends: a chain of more than %d profiles (a cycle?)", maxExtendsDepth)
	}
	parent, ok := lookup(p.Extends)
	if !ok {
		return nil, fmt.Errorf("extends %q: no such built-in profile (see `fundledger recon profiles`)", p.Extends)
	}
	parent, err := resolveProfile(parent, lookup, depth+1)
	if err != nil {
		return nil, err
	}
	return p.mergeOnto(parent)
}

// lists are the profile's lists of column names, by JSON name.
func (p *Profile) lists() map[string]*[]string {
	return map[string]*[]string{
		"date": &p.Date, "amount": &p.Amount, "direction": &p.Direction, "in": &p.In, "out": &p.Out,
		"balance": &p.Balance, "counterparty": &p.Counterparty, "counterparty_account": &p.CounterpartyAccount,
		"counterparty_in": &p.CounterpartyIn, "counterparty_out": &p.CounterpartyOut,
		"counterparty_account_in": &p.CounterpartyAccountIn, "counterparty_account_out": &p.CounterpartyAccountOut,
		"reference": &p.Reference, "memo": &p.Memo, "serial": &p.Serial, "skip_prefixes": &p.SkipPrefixes,
		"date_formats": &p.DateFormats,
	}
}

// mergeOnto returns the child profile p laid over parent (see Extends).
func (p *Profile) mergeOnto(parent *Profile) (*Profile, error) {
	out := *parent
	out.Name, out.Description, out.Extends, out.Replace = p.Name, p.Description, p.Extends, p.Replace
	if out.Description == "" {
		out.Description = parent.Description + " (" + p.Name + ")"
	}
	replace := map[string]bool{}
	own, merged := p.lists(), out.lists()
	for _, r := range p.Replace {
		if _, ok := own[r]; !ok {
			return nil, fmt.Errorf("replace %q: not a list of column names", r)
		}
		replace[r] = true
	}
	for k, mine := range own {
		if replace[k] {
			*merged[k] = slices.Clone(*mine)
			continue
		}
		var all []string
		for _, n := range append(slices.Clone(*mine), *merged[k]...) {
			if !slices.Contains(all, n) {
				all = append(all, n)
			}
		}
		*merged[k] = all
	}
	if len(p.Layout) > 0 {
		out.Layout = slices.Clone(p.Layout)
	}
	if p.FixedDirection != "" {
		out.FixedDirection = p.FixedDirection
	}
	if p.ThousandsSeparator != "" {
		out.ThousandsSeparator = p.ThousandsSeparator
	}
	out.PlusSign = out.PlusSign || p.PlusSign
	if len(p.DirectionValues) > 0 || len(parent.DirectionValues) > 0 {
		out.DirectionValues = map[string]string{}
		for k, v := range parent.DirectionValues {
			out.DirectionValues[k] = v
		}
		for k, v := range p.DirectionValues {
			out.DirectionValues[k] = v
		}
	}
	return &out, nil
}

func builtinNames() []string {
	names := make([]string, 0, len(builtin))
	for n := range builtin {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// DefaultProfile is the profile used when none is named.
const DefaultProfile = "generic"

// Profiles lists the profiles that ship with fundledger, by name.
func Profiles() []*Profile {
	out := make([]*Profile, 0, len(builtin))
	for _, p := range builtin {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// LookupProfile returns a shipped profile by name ("" is DefaultProfile).
func LookupProfile(name string) (*Profile, error) {
	if name == "" {
		name = DefaultProfile
	}
	p, ok := builtin[name]
	if !ok {
		return nil, fmt.Errorf("%w: unknown statement profile %q (have %s, auto, or give a JSON file)", ErrInvalid, name, strings.Join(builtinNames(), ", "))
	}
	return p, nil
}

// LoadProfileFile reads a profile from a JSON file.
func LoadProfileFile(file string) (*Profile, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("statement profile: %w", err)
	}
	return ParseProfile(file, data)
}

var profileName = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,63}$`)

// ParseProfile reads a profile from JSON strictly (unknown fields, text
// that is not UTF-8 and lone surrogates are errors, with line and column),
// resolves the built-in profile it extends, if any, and checks it.
func ParseProfile(name string, data []byte) (*Profile, error) {
	p, err := decodeProfile(name, data)
	if err != nil {
		return nil, err
	}
	if p, err = resolveProfile(p, func(n string) (*Profile, bool) { q, ok := builtin[n]; return q, ok }, 0); err == nil {
		err = p.check()
	}
	if err != nil {
		return nil, fmt.Errorf("%w: statement profile %s: %v", ErrInvalid, name, err)
	}
	return p, nil
}

func decodeProfile(name string, data []byte) (*Profile, error) {
	var p Profile
	if err := jsoninput.Decode(name, data, &p); err != nil {
		return nil, fmt.Errorf("%w: statement profile: %v", ErrInvalid, err)
	}
	if !profileName.MatchString(p.Name) {
		return nil, fmt.Errorf("%w: statement profile %s: name %q: want lower-case letters, digits, - and _", ErrInvalid, name, p.Name)
	}
	return &p, nil
}

func (p *Profile) check() error {
	switch {
	case !profileName.MatchString(p.Name):
		return fmt.Errorf("name %q: want lower-case letters, digits, - and _", p.Name)
	case len(p.Date) == 0:
		return fmt.Errorf("no date column")
	case len(p.Amount) == 0 && (len(p.In) == 0 || len(p.Out) == 0):
		return fmt.Errorf("needs an amount column, or both in and out columns")
	case p.FixedDirection != "" && p.FixedDirection != In && p.FixedDirection != Out:
		return fmt.Errorf("fixed_direction %q: want in or out", p.FixedDirection)
	case len(p.Direction) > 0 && len(p.DirectionValues) == 0:
		return fmt.Errorf("direction column without direction_values")
	}
	if p.ThousandsSeparator != "" {
		r, size := utf8.DecodeRuneInString(p.ThousandsSeparator)
		if size != len(p.ThousandsSeparator) || r == '.' || r == '-' || r == '(' || unicode.IsDigit(r) {
			return fmt.Errorf("thousands_separator %q: want one character other than a digit, '.', '-' or '('", p.ThousandsSeparator)
		}
	}
	for k, v := range p.DirectionValues {
		if v != In && v != Out {
			return fmt.Errorf("direction_values[%q] = %q: want in or out", k, v)
		}
	}
	return nil
}

// amountFormat is how the profile's files write an amount: two places
// (zeros beyond them allowed, as some banks write three), negatives
// allowed, and the declared thousands separator.
func (p *Profile) amountFormat() amount.Format {
	f := amount.Format{Places: 2, Negative: true, TrailingZeros: true}
	if p.ThousandsSeparator != "" {
		f.Thousands, _ = utf8.DecodeRuneInString(p.ThousandsSeparator)
	}
	return f
}

func (p *Profile) dateFormats() []string {
	if len(p.DateFormats) > 0 {
		return p.DateFormats
	}
	return DefaultDateFormats
}

// unitSuffix matches a trailing unit in a header, 金额(元), 金额（元）, or
// the English name Bank of China writes after each of its headers,
// 交易金额[ Trade Amount ].
var unitSuffix = regexp.MustCompile(`[(（][^()（）]*[)）]$|\[[^\[\]]*\]$`)

// headerKey normalises a header cell for comparison.
func headerKey(s string) string {
	s = strings.TrimSpace(strings.TrimPrefix(s, "\uFEFF"))
	s = unitSuffix.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), "")
	return strings.ToLower(s)
}

// columns is a profile resolved against one header row: 0-based indexes,
// -1 when absent.
type columns struct {
	date, amount, direction, in, out, balance, counterparty, counterpartyAccount, reference, memo, serial int
	counterpartyIn, counterpartyOut, counterpartyAccountIn, counterpartyAccountOut                        int
}

// resolve finds the profile's columns in a header row; ok is false when
// the row lacks the date or the amount columns.
func (p *Profile) resolve(header []string) (c columns, ok bool) {
	idx := map[string]int{}
	for i, h := range header {
		k := headerKey(h)
		if _, dup := idx[k]; !dup && k != "" {
			idx[k] = i
		}
	}
	find := func(names []string) int {
		for _, n := range names {
			if i, ok := idx[headerKey(n)]; ok {
				return i
			}
		}
		return -1
	}
	c = columns{
		date: find(p.Date), amount: find(p.Amount), direction: find(p.Direction), in: find(p.In), out: find(p.Out),
		balance: find(p.Balance), counterparty: find(p.Counterparty), counterpartyAccount: find(p.CounterpartyAccount),
		reference: find(p.Reference), memo: find(p.Memo), serial: find(p.Serial),
		counterpartyIn: find(p.CounterpartyIn), counterpartyOut: find(p.CounterpartyOut),
		counterpartyAccountIn: find(p.CounterpartyAccountIn), counterpartyAccountOut: find(p.CounterpartyAccountOut),
	}
	if c.in >= 0 && c.out >= 0 {
		c.amount, c.direction = -1, -1 // in/out columns win over a signed amount
	} else {
		c.in, c.out = -1, -1
	}
	if c.direction >= 0 && c.amount < 0 {
		c.direction = -1
	}
	return c, c.date >= 0 && (c.amount >= 0 || c.in >= 0)
}

// knows says whether a header cell is a column the profile names (in a
// field or in its layout).
func (p *Profile) knows(key string) bool {
	for _, names := range [][]string{p.Layout, p.Date, p.Amount, p.Direction, p.In, p.Out, p.Balance, p.Counterparty,
		p.CounterpartyAccount, p.CounterpartyIn, p.CounterpartyOut, p.CounterpartyAccountIn, p.CounterpartyAccountOut,
		p.Reference, p.Memo, p.Serial} {
		for _, n := range names {
			if headerKey(n) == key {
				return true
			}
		}
	}
	return false
}

// headerScore is how well a header row fits the profile: 0 when the
// profile cannot read it (no date or amount column), else the number of
// the row's non-empty cells the profile knows, less the cells it does
// not know (so the profile written for a layout beats a broader one).
func (p *Profile) headerScore(header []string) int {
	if _, ok := p.resolve(header); !ok {
		return 0
	}
	known, unknown := 0, 0
	for _, h := range header {
		k := headerKey(h)
		switch {
		case k == "":
		case p.knows(k):
			known++
		default:
			unknown++
		}
	}
	return max(1, 1000+known-unknown)
}

// ProfileScore is one built-in profile's fit to a file's header.
type ProfileScore struct {
	Profile string `json:"profile"`
	Score   int    `json:"score"` // 0: cannot read the file
	Row     int    `json:"row"`   // the header row it read
}

// DetectProfile finds the built-in profile whose columns fit the file's
// header row best (see headerScore; the header is looked for in the first
// rows, as on import). It refuses (ErrAmbiguousProfile) when two fit
// equally well, naming them, and (ErrInvalid) when none can read the file.
func DetectProfile(name string, data []byte) (*Profile, []ProfileScore, error) {
	recs, err := fileRecords(name, data)
	if err != nil {
		return nil, nil, err
	}
	var scores []ProfileScore
	for _, p := range Profiles() {
		best := ProfileScore{Profile: p.Name}
		for i := 0; i < len(recs) && i < maxHeaderSearchRows; i++ {
			if sc := p.headerScore(recs[i].fields); sc > 0 {
				best.Score, best.Row = sc, recs[i].row
				break // the first row the profile can read is its header, as on import
			}
		}
		scores = append(scores, best)
	}
	sort.SliceStable(scores, func(i, j int) bool { return scores[i].Score > scores[j].Score })
	if len(scores) == 0 || scores[0].Score == 0 {
		return nil, scores, RowErrors{{File: name, Field: "header", Err: ErrStatementHeader, Limit: maxHeaderSearchRows, Reason: fmt.Sprintf(
			"no built-in profile recognises a header row in the first %d rows (have %s); name one with --profile or give a profile file",
			maxHeaderSearchRows, strings.Join(builtinNames(), ", "))}}
	}
	if len(scores) > 1 && scores[1].Score == scores[0].Score {
		var tied []string
		for _, s := range scores {
			if s.Score == scores[0].Score {
				tied = append(tied, s.Profile)
			}
		}
		return nil, scores, fmt.Errorf("%w: %s: the header fits profiles %s equally well; name one with --profile",
			ErrAmbiguousProfile, name, strings.Join(tied, " and "))
	}
	return builtin[scores[0].Profile], scores, nil
}
