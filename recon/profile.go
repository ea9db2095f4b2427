package recon

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
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
	Reference           []string `json:"reference,omitempty"`
	Memo                []string `json:"memo,omitempty"`
	// Serial is the bank's own unique number for a line (交易流水号). When
	// a line has one, it identifies the line across files (see Fingerprint).
	Serial []string `json:"serial,omitempty"`

	// ThousandsSeparator, when set (one character, such as ","), may
	// separate groups of three digits in the amounts of files of this
	// profile ("1,234,567.89"). Without it an amount is plain digits.
	ThousandsSeparator string `json:"thousands_separator,omitempty"`

	// SkipPrefixes: a data row whose first non-empty cell starts with one
	// of these is a total or page footer, not a line.
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
	m := map[string]*Profile{}
	files, err := fs.Glob(profileFiles, "profiles/*.json")
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		data, err := profileFiles.ReadFile(f)
		if err != nil {
			panic(err)
		}
		p, err := ParseProfile(path.Base(f), data)
		if err != nil {
			panic(err) // the shipped profiles are tested
		}
		m[p.Name] = p
	}
	return m
}()

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
		names := make([]string, 0, len(builtin))
		for n := range builtin {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("%w: unknown statement profile %q (have %s, or give a JSON file)", ErrInvalid, name, strings.Join(names, ", "))
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
// that is not UTF-8 and lone surrogates are errors, with line and column)
// and checks it.
func ParseProfile(name string, data []byte) (*Profile, error) {
	var p Profile
	if err := jsoninput.Decode(name, data, &p); err != nil {
		return nil, fmt.Errorf("%w: statement profile: %v", ErrInvalid, err)
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("%w: statement profile %s: %v", ErrInvalid, name, err)
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

// unitSuffix matches a trailing unit in a header: 金额(元), 金额（元）.
var unitSuffix = regexp.MustCompile(`[(（][^()（）]*[)）]$`)

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
