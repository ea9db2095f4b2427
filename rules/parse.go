package rules

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-playground/validator/v10"
	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"
	"github.com/shopspring/decimal"

	"fundledger/amount"
)

// Limits on rule files (say no early rather than choke late).
const (
	// (Counts are limited in the validate tags: at most 20 shares per rule,
	// 10 overflow links per share, 100 work items per category.)
	MaxFileBytes = 1 << 20 // a rule file is a page or two of YAML
	pctPlaces    = 4       // 33.3333 is the finest percentage accepted
	ratePlaces   = 4       // per_household / per_m2 / per_elevator: yuan with up to 4 decimals
	moneyPlaces  = 2       // fixed, per_project: yuan and fen
	dateLayout   = "2006-01-02"
)

// maxMoney bounds every amount in a rule file and in a budget: 10^12 yuan.
var maxMoney = decimal.New(1, 12)

var hundred = decimal.NewFromInt(100)

// ---- the file layer: what the YAML decodes into, before validation ----

type fileRuleSet struct {
	Name          string                   `yaml:"name" validate:"required,max=200"`
	Version       string                   `yaml:"version" validate:"required,max=100"`
	Description   string                   `yaml:"description" validate:"max=10000"`
	District      string                   `yaml:"district" validate:"max=100"`
	EffectiveFrom *scalar                  `yaml:"effective_from" validate:"required"`
	EffectiveTo   *scalar                  `yaml:"effective_to"`
	Categories    map[string]*fileCategory `yaml:"categories" validate:"required,min=1,dive,keys,category,endkeys,required"`
	// Optional grant sections (grants_parse.go).
	Elevator             *fileElevator        `yaml:"elevator"`
	UtilityAward         *fileUtilityAward    `yaml:"utility_award"`
	PropertyRewards      *filePropertyRewards `yaml:"property_rewards"`
	EvaluationAllocation *fileEvaluation      `yaml:"evaluation_allocation"`
	// 贷款贴息 (loansubsidy.go).
	LoanInterestSubsidy []*fileLoanSubsidy `yaml:"loan_interest_subsidy" validate:"max=20,dive,required"`
	// New sections (thresholds, params, eligibility, ...) go here as new
	// fields; unknown keys are refused, so a typo never passes silently.
}

type fileCategory struct {
	Shares []*fileShare           `yaml:"shares" validate:"required,min=1,max=20,dive,required"`
	Items  map[string]*fileShares `yaml:"items" validate:"max=100,dive,keys,workitem,endkeys,required"`
}

type fileShares struct {
	Shares []*fileShare `yaml:"shares" validate:"required,min=1,max=20,dive,required"`
}

type fileShare struct {
	Source   string      `yaml:"source" validate:"required,source"`
	Pct      *scalar     `yaml:"pct" validate:"required_without=Fixed,excluded_with=Fixed"`
	Fixed    *scalar     `yaml:"fixed"`
	Cap      *fileCap    `yaml:"cap"`
	Overflow []*fileLink `yaml:"overflow" validate:"max=10,dive,required"`
}

type fileCap struct {
	PerHousehold *scalar `yaml:"per_household"`
	PerM2        *scalar `yaml:"per_m2"`
	PerElevator  *scalar `yaml:"per_elevator"`
	PerProject   *scalar `yaml:"per_project"`
}

// fileLink is an overflow link: either a bare source code or {source, cap}.
type fileLink struct {
	Source string   `yaml:"source" validate:"required,source"`
	Cap    *fileCap `yaml:"cap"`
}

type fileLinkFields fileLink // same fields, no UnmarshalYAML: avoids recursion

// UnmarshalYAML accepts `district` as well as `{source: district, cap: {...}}`.
func (l *fileLink) UnmarshalYAML(n ast.Node) error {
	switch n.Type() {
	case ast.StringType:
		l.Source = n.GetToken().Value
		return nil
	case ast.MappingType, ast.MappingValueType:
		return yaml.NodeToValue(n, (*fileLinkFields)(l), yaml.DisallowUnknownField())
	}
	return &yaml.SyntaxError{
		Message: "an overflow link is a source code or {source: ..., cap: {...}}",
		Token:   n.GetToken(),
	}
}

// scalar keeps a scalar's text as written; numbers and dates are parsed in
// the semantic checks so that a bad one gets a positioned message and the
// other errors are still found; never through binary floating point.
type scalar struct {
	text string
}

func (s *scalar) UnmarshalYAML(n ast.Node) error {
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType, ast.SequenceType:
		return &yaml.SyntaxError{Message: "want a single value, not a " + strings.ToLower(n.Type().String()), Token: n.GetToken()}
	}
	s.text = n.GetToken().Value
	return nil
}

// ---- validator/v10 set-up ----

var workItemRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)

var validate = func() *validator.Validate {
	v := validator.New()
	v.RegisterTagNameFunc(func(f reflect.StructField) string {
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "-" {
			return ""
		}
		return name
	})
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	must(v.RegisterValidation("source", func(fl validator.FieldLevel) bool {
		_, ok := LookupSource(fl.Field().String())
		return ok
	}))
	must(v.RegisterValidation("category", func(fl validator.FieldLevel) bool {
		_, ok := LookupCategory(fl.Field().String())
		return ok
	}))
	must(v.RegisterValidation("workitem", func(fl validator.FieldLevel) bool {
		return workItemRE.MatchString(fl.Field().String())
	}))
	return v
}()

// ---- paths and positions ----

type pathElem struct {
	key   string
	index int
	isIdx bool
}

func key(k string) pathElem { return pathElem{key: k} }
func idx(i int) pathElem    { return pathElem{index: i, isIdx: true} }

// path is a YAML path: categories.basic.shares[2].pct.
type path []pathElem

func (p path) String() string {
	var b strings.Builder
	for i, e := range p {
		if e.isIdx {
			fmt.Fprintf(&b, "[%d]", e.index)
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return b.String()
}

// with returns a new path, p followed by elems (never aliasing p).
func (p path) with(elems ...pathElem) path {
	q := make(path, 0, len(p)+len(elems))
	return append(append(q, p...), elems...)
}

// locate returns the line and column of the node at p. A scalar is located
// at its value; a mapping, a sequence or a null value at its key (a sequence
// entry at its first token); a missing node at its nearest existing parent.
func locate(f *ast.File, p path) (line, col int) {
	if f == nil || len(f.Docs) == 0 || f.Docs[0].Body == nil {
		return 1, 1
	}
	for n := len(p); n >= 0; n-- {
		node := findNode(f, p[:n])
		if node == nil {
			continue
		}
		if n == len(p) && isScalar(node) {
			return tokenPos(node)
		}
		if n == 0 {
			return tokenPos(firstToken(node))
		}
		if last := p[n-1]; !last.isIdx {
			if k := findKey(findNode(f, p[:n-1]), last.key); k != nil {
				return tokenPos(k)
			}
		}
		return tokenPos(firstToken(node))
	}
	return 1, 1
}

// findNode resolves p with goccy/go-yaml's own YAML path (the same as
// yaml.PathString("$.categories.basic.shares[2].pct")) and FilterFile.
func findNode(f *ast.File, p path) ast.Node {
	if len(p) == 0 {
		return f.Docs[0].Body
	}
	b := (&yaml.PathBuilder{}).Root()
	for _, e := range p {
		if e.isIdx {
			b = b.Index(uint(e.index))
		} else {
			b = b.Child(e.key)
		}
	}
	n, err := b.Build().FilterFile(f)
	if err != nil {
		return nil
	}
	return n
}

func isScalar(n ast.Node) bool {
	switch n.Type() {
	case ast.MappingType, ast.MappingValueType, ast.SequenceType, ast.NullType:
		return false
	}
	return true
}

// findKey returns the key node of k in a mapping.
func findKey(m ast.Node, k string) ast.Node {
	var values []*ast.MappingValueNode
	switch m := m.(type) {
	case *ast.MappingNode:
		values = m.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{m}
	}
	for _, v := range values {
		if v.Key != nil && unquote(v.Key.GetToken().Value) == k {
			return v.Key
		}
	}
	return nil
}

func unquote(s string) string {
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		if u, err := strconv.Unquote(`"` + s[1:len(s)-1] + `"`); err == nil {
			return u
		}
		return s[1 : len(s)-1]
	}
	return s
}

// firstToken is the node a block mapping starts with: its first key (the
// mapping's own token is the first ':' in goccy/go-yaml).
func firstToken(n ast.Node) ast.Node {
	if m, ok := n.(*ast.MappingNode); ok && !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0].Key != nil {
		return m.Values[0].Key
	}
	if m, ok := n.(*ast.MappingValueNode); ok && m.Key != nil {
		return m.Key
	}
	return n
}

func tokenPos(n ast.Node) (int, int) {
	if n == nil || n.GetToken() == nil || n.GetToken().Position == nil {
		return 1, 1
	}
	return n.GetToken().Position.Line, n.GetToken().Position.Column
}

// errorAt builds a positioned error for this rule set.
func (rs *RuleSet) errorAt(p path, msg string) *Error {
	line, col := locate(rs.ast, p)
	return &Error{File: rs.file, Line: line, Col: col, Path: p.String(), Msg: msg}
}

// checker collects the errors of one file.
type checker struct {
	file string
	ast  *ast.File
	errs []*Error
}

func (c *checker) errorf(p path, format string, args ...any) {
	line, col := locate(c.ast, p)
	c.errs = append(c.errs, &Error{File: c.file, Line: line, Col: col, Path: p.String(), Msg: fmt.Sprintf(format, args...)})
}

// list sorts the errors by position and keeps at most MaxErrors.
func (c *checker) list() error {
	sort.SliceStable(c.errs, func(i, j int) bool {
		a, b := c.errs[i], c.errs[j]
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg // deterministic even when map order is not
	})
	l := &ErrorList{kind: ErrInvalidRuleSet}
	for _, e := range c.errs {
		l.add(e)
	}
	return l.err()
}

// ---- Parse ----

// LoadFile reads and parses one rule file. Error messages name the file by
// the path given.
func LoadFile(filename string) (*RuleSet, error) {
	st, err := os.Stat(filename)
	if err != nil {
		return nil, fmt.Errorf("load rule set: %w", err)
	}
	if st.Size() > MaxFileBytes {
		return nil, fmt.Errorf("load rule set %s: %d bytes, more than %d: %w", filename, st.Size(), MaxFileBytes, ErrInvalidRuleSet)
	}
	data, err := os.ReadFile(filename)
	if err != nil {
		return nil, fmt.Errorf("load rule set: %w", err)
	}
	return Parse(filename, data)
}

// Parse parses and validates a rule file. name is used in error messages
// only. On failure the error is an *ErrorList (errors.As) wrapping
// ErrInvalidRuleSet, every entry positioned as file:line:col.
// loneSurrogate matches a YAML escape of half a UTF-16 pair (\ud800–\udfff
// or \U0000d800–\U0000dfff): it is not text, and a decoder would store
// U+FFFD in its place.
var loneSurrogate = regexp.MustCompile(`\\(u[dD][89a-fA-F][0-9a-fA-F]{2}|U0000[dD][89a-fA-F][0-9a-fA-F]{2})`)

// invalidText finds the first byte that is not UTF-8, or escaped lone
// surrogate, and says where (1-based line and column, in characters).
func invalidText(data []byte) (line, col int, msg string) {
	pos := func(off int) (int, int) {
		before := data[:off]
		start := bytes.LastIndexByte(before, '\n') + 1
		return 1 + bytes.Count(before, []byte("\n")), 1 + utf8.RuneCount(before[start:])
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			l, c := pos(i)
			return l, c, fmt.Sprintf("text is not valid UTF-8 (byte 0x%02x); save the file as UTF-8", data[i])
		}
		i += size
	}
	half := func(esc []byte) (v uint64) { // the code unit of a matched escape
		v, _ = strconv.ParseUint(string(esc[len(esc)-4:]), 16, 32)
		return v
	}
	ms := loneSurrogate.FindAllIndex(data, -1)
	for k := 0; k < len(ms); k++ {
		m := ms[k]
		v := half(data[m[0]:m[1]])
		// A high half directly followed by a low half is a pair: text.
		if v < 0xDC00 && k+1 < len(ms) && ms[k+1][0] == m[1] && half(data[ms[k+1][0]:ms[k+1][1]]) >= 0xDC00 {
			k++
			continue
		}
		l, c := pos(m[0])
		return l, c, fmt.Sprintf("%s is half of a character (a lone surrogate): not text", data[m[0]:m[1]])
	}
	return 0, 0, ""
}

func Parse(name string, data []byte) (*RuleSet, error) {
	c := &checker{file: name}
	if len(data) > MaxFileBytes {
		c.errorf(nil, "%d bytes, more than %d", len(data), MaxFileBytes)
		return nil, c.list()
	}
	if line, col, msg := invalidText(data); msg != "" {
		c.errs = append(c.errs, &Error{File: name, Line: line, Col: col, Msg: msg})
		return nil, c.list()
	}
	f, err := parser.ParseBytes(data, 0)
	if err != nil {
		c.yamlError(err)
		return nil, c.list()
	}
	c.ast = f
	if len(f.Docs) != 1 || f.Docs[0].Body == nil {
		c.errorf(nil, "want exactly one YAML document holding a rule set, found %d", countDocs(f))
		return nil, c.list()
	}
	if t := f.Docs[0].Body.Type(); t != ast.MappingType && t != ast.MappingValueType {
		c.errorf(nil, "a rule set is a mapping (name:, version:, categories: ...), not a %s", strings.ToLower(t.String()))
		return nil, c.list()
	}

	tags := &tagFinder{}
	ast.Walk(tags, f.Docs[0].Body)
	for _, n := range tags.found {
		line, col := tokenPos(n)
		c.errs = append(c.errs, &Error{File: name, Line: line, Col: col, Msg: "YAML tags (!...) have no meaning in a rule file"})
	}
	if len(c.errs) > 0 {
		return nil, c.list()
	}

	var fr fileRuleSet
	if err := decode(f.Docs[0].Body, &fr); err != nil {
		c.yamlError(err)
		return nil, c.list()
	}

	if err := validate.Struct(&fr); err != nil {
		var verrs validator.ValidationErrors
		if !errors.As(err, &verrs) {
			c.errorf(nil, "validate: %v", err)
			return nil, c.list()
		}
		for _, fe := range verrs {
			c.fieldError(fe)
		}
	}

	rs := &RuleSet{
		Name:        fr.Name,
		Version:     fr.Version,
		Description: fr.Description,
		District:    fr.District,
		Categories:  make(map[string]*CategoryRule),
		file:        name,
		raw:         append([]byte(nil), data...),
		hash:        hashBytes(data),
		ast:         f,
	}
	c.checkDates(&fr, rs)
	for _, cat := range categories {
		fc, ok := fr.Categories[cat.Code]
		if !ok || fc == nil {
			continue
		}
		cp := path{key("categories"), key(cat.Code)}
		cr := &CategoryRule{Rule: c.checkRule(cp, fc.Shares)}
		if len(fc.Items) > 0 {
			cr.Items = make(map[string]*Rule, len(fc.Items))
		}
		for _, item := range sortedKeys(fc.Items) {
			fi := fc.Items[item]
			if fi == nil {
				continue
			}
			r := c.checkRule(cp.with(key("items"), key(item)), fi.Shares)
			cr.Items[item] = &r
		}
		rs.Categories[cat.Code] = cr
	}
	c.checkGrantSections(&fr, rs)
	c.checkLoanSubsidy(&fr, rs)
	if err := c.list(); err != nil {
		return nil, err
	}
	return rs, nil
}

// decode decodes the AST into the file layer. goccy/go-yaml has panicked on
// odd input (found by FuzzParse): a panic becomes an error, not a crash.
func decode(body ast.Node, fr *fileRuleSet) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot decode this YAML (decoder failed: %v)", r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(nil), yaml.DisallowUnknownField())
	return dec.DecodeFromNode(body, fr)
}

// tagFinder collects tag nodes (!!str, !custom ...): refused, they would
// only change how a value is read, and the decoder mishandles some of them.
type tagFinder struct{ found []ast.Node }

func (t *tagFinder) Visit(n ast.Node) ast.Visitor {
	if n != nil && n.Type() == ast.TagType && len(t.found) < MaxErrors {
		t.found = append(t.found, n)
	}
	return t
}

func countDocs(f *ast.File) int {
	n := 0
	for _, d := range f.Docs {
		if d.Body != nil {
			n++
		}
	}
	return n
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// yamlError turns a goccy/go-yaml error into a positioned one.
func (c *checker) yamlError(err error) {
	var ye yaml.Error
	if errors.As(err, &ye) && ye.GetToken() != nil && ye.GetToken().Position != nil {
		pos := ye.GetToken().Position
		c.errs = append(c.errs, &Error{File: c.file, Line: pos.Line, Col: pos.Column, Msg: ye.GetMessage()})
		return
	}
	c.errs = append(c.errs, &Error{File: c.file, Msg: err.Error()})
}

// fieldError turns a validator error into a positioned one. The namespace
// uses YAML names (see RegisterTagNameFunc): fileRuleSet.categories[basic].shares[0].source.
func (c *checker) fieldError(fe validator.FieldError) {
	p := namespacePath(fe.Namespace())
	switch fe.Tag() {
	case "required":
		c.errorf(p, "is required")
	case "required_without":
		c.errorf(p, "a share needs pct or fixed")
	case "excluded_with":
		c.errorf(p, "a share has exactly one of pct and fixed, not both")
	case "min":
		if fe.Param() == "1" {
			c.errorf(p, "must not be empty")
		} else {
			c.errorf(p, "needs at least %s entries", fe.Param())
		}
	case "max":
		if fe.Kind() == reflect.String {
			c.errorf(p, "longer than %s characters", fe.Param())
		} else {
			c.errorf(p, "more than %s entries", fe.Param())
		}
	case "source":
		c.errorf(p, "unknown source %q", fe.Value())
	case "category":
		c.errorf(p, "unknown category %q (want basic, improvement or upgrade)", fe.Value())
	case "workitem":
		c.errorf(p, "work item %q: want lowercase letters, digits and _ (e.g. elevator)", fe.Value())
	default:
		c.errorf(p, "fails %s %s", fe.Tag(), fe.Param())
	}
}

// namespacePath parses a validator namespace, dropping the root type name.
// A bracket holding digits is a sequence index, anything else a map key.
func namespacePath(ns string) path {
	_, rest, _ := strings.Cut(ns, ".")
	var p path
	for rest != "" {
		switch {
		case rest[0] == '.':
			rest = rest[1:]
		case rest[0] == '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return append(p, key(rest))
			}
			inner := rest[1:end]
			if i, err := strconv.Atoi(inner); err == nil && i >= 0 {
				p = append(p, idx(i))
			} else {
				p = append(p, key(inner))
			}
			rest = rest[end+1:]
		default:
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			p = append(p, key(rest[:end]))
			rest = rest[end:]
		}
	}
	return p
}

// ---- semantic checks ----

func (c *checker) checkDates(fr *fileRuleSet, rs *RuleSet) {
	var from, to time.Time
	var fromOK, toOK bool
	if fr.EffectiveFrom != nil {
		from, fromOK = c.date(path{key("effective_from")}, fr.EffectiveFrom)
		rs.EffectiveFrom = from
	}
	if fr.EffectiveTo != nil {
		to, toOK = c.date(path{key("effective_to")}, fr.EffectiveTo)
		if toOK {
			rs.EffectiveTo = &to
		}
	}
	if fromOK && toOK && to.Before(from) {
		c.errorf(path{key("effective_to")}, "%s is before effective_from %s",
			to.Format(dateLayout), from.Format(dateLayout))
	}
}

func (c *checker) date(p path, s *scalar) (time.Time, bool) {
	t, err := time.Parse(dateLayout, s.text)
	if err != nil {
		c.errorf(p, "not a date (want YYYY-MM-DD): %q", s.text)
		return time.Time{}, false
	}
	return t, true
}

// number parses a non-negative decimal with at most places decimals, and at
// most 100 when it is a percentage.
func (c *checker) number(p path, s *scalar, places int32, isPct bool) (decimal.Decimal, bool) {
	d, err := amount.Format{Places: places, Negative: true, TrailingZeros: true}.Parse(strings.TrimSpace(s.text))
	if err != nil {
		var ae *amount.Error
		if errors.As(err, &ae) && errors.Is(err, amount.ErrPlaces) {
			c.errorf(p, "at most %d decimals, got %s", places, s.text)
		} else if errors.As(err, &ae) {
			c.errorf(p, "not a number: %q: %s", s.text, ae.Reason)
		} else {
			c.errorf(p, "not a number: %q", s.text)
		}
		return decimal.Zero, false
	}
	switch {
	case d.Sign() < 0:
		c.errorf(p, "must not be negative, got %s", d.String())
	case isPct && d.GreaterThan(hundred):
		c.errorf(p, "a percentage is at most 100, got %s", d.String())
	case d.GreaterThan(maxMoney):
		c.errorf(p, "larger than %s", maxMoney.String())
	default:
		return d, true
	}
	return decimal.Zero, false
}

func (c *checker) checkCap(p path, fc *fileCap) Cap {
	var cp Cap
	if fc == nil {
		return cp
	}
	num := func(name string, s *scalar, places int32) *decimal.Decimal {
		if s == nil {
			return nil
		}
		d, ok := c.number(p.with(key(name)), s, places, false)
		if !ok {
			return nil
		}
		return &d
	}
	cp.PerHousehold = num("per_household", fc.PerHousehold, ratePlaces)
	cp.PerM2 = num("per_m2", fc.PerM2, ratePlaces)
	cp.PerElevator = num("per_elevator", fc.PerElevator, ratePlaces)
	cp.PerProject = num("per_project", fc.PerProject, moneyPlaces)
	if fc.PerHousehold == nil && fc.PerM2 == nil && fc.PerElevator == nil && fc.PerProject == nil {
		c.errorf(p, "a cap needs at least one of per_household, per_m2, per_elevator, per_project")
	}
	return cp
}

// checkRule checks one list of shares (rp is the path of the rule, holding
// `shares:`) and returns the rule as far as it is valid.
func (c *checker) checkRule(rp path, shares []*fileShare) Rule {
	var r Rule
	sum := decimal.Zero
	sumKnown := true // false when a pct failed to parse: its sum would mislead
	lastPct := -1
	shareAt := make(map[string]int) // source -> share index
	cappedAt := make(map[string]int)
	for i, fs := range shares {
		if fs == nil {
			continue
		}
		sp := rp.with(key("shares"), idx(i))
		if fs.Source != "" {
			if j, dup := shareAt[fs.Source]; dup {
				c.errorf(sp.with(key("source")), "source %s repeated in one rule (also shares[%d])", fs.Source, j)
			} else {
				shareAt[fs.Source] = i
			}
		}
		s := Share{Source: fs.Source}
		if fs.Pct != nil {
			if d, ok := c.number(sp.with(key("pct")), fs.Pct, pctPlaces, true); ok {
				s.Pct = &d
				sum = sum.Add(d)
			} else {
				sumKnown = false
			}
			lastPct = i
		}
		if fs.Fixed != nil {
			if d, ok := c.number(sp.with(key("fixed")), fs.Fixed, moneyPlaces, false); ok {
				s.Fixed = &d
			}
		}
		s.Cap = c.checkCap(sp.with(key("cap")), fs.Cap)
		capped := fs.Cap != nil
		switch {
		case fs.Fixed != nil && fs.Pct == nil && capped:
			c.errorf(sp.with(key("cap")), "a fixed share cannot be capped: its amount is its cap")
		case fs.Fixed != nil && fs.Pct == nil && len(fs.Overflow) > 0:
			c.errorf(sp.with(key("overflow")), "a fixed share has no overflow: it is never cut by a cap")
		case capped && len(fs.Overflow) == 0:
			c.errorf(sp.with(key("cap")), "a capped share needs an overflow chain (overflow: [...]) for the excess")
		case !capped && len(fs.Overflow) > 0:
			c.errorf(sp.with(key("overflow")), "overflow without cap is never used")
		}
		if capped {
			cappedAt[fs.Source] = i
		}
		inChain := make(map[string]int)
		for k, fl := range fs.Overflow {
			if fl == nil {
				continue
			}
			lp := sp.with(key("overflow"), idx(k))
			switch j, dup := inChain[fl.Source]; {
			case fl.Source != "" && fl.Source == fs.Source:
				c.errorf(lp, "share %s overflows into itself", fs.Source)
			case fl.Source != "" && dup:
				c.errorf(lp, "source %s repeated in the overflow chain (also overflow[%d])", fl.Source, j)
			default:
				inChain[fl.Source] = k
			}
			l := Link{Source: fl.Source, Cap: c.checkCap(lp.with(key("cap")), fl.Cap)}
			if k == len(fs.Overflow)-1 && fl.Cap != nil {
				c.errorf(lp.with(key("cap")), "the last overflow link must be uncapped: it takes whatever remains")
			}
			s.Overflow = append(s.Overflow, l)
		}
		r.Shares = append(r.Shares, s)
	}
	// The last link takes whatever remains: it must not be a capped share.
	for i, fs := range shares {
		if fs == nil || len(fs.Overflow) == 0 || fs.Overflow[len(fs.Overflow)-1] == nil {
			continue
		}
		last := fs.Overflow[len(fs.Overflow)-1]
		if j, ok := cappedAt[last.Source]; ok {
			c.errorf(rp.with(key("shares"), idx(i), key("overflow"), idx(len(fs.Overflow)-1)),
				"the last overflow link %s is capped as shares[%d]: the last link must be able to take any amount", last.Source, j)
		}
	}
	if sumKnown && !sum.Equal(hundred) {
		p := rp.with(key("shares"))
		if lastPct >= 0 {
			p = p.with(idx(lastPct), key("pct"))
		}
		c.errorf(p, "pct shares sum to %s, want 100", sum.String())
	}
	return r
}
