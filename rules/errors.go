package rules

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors. Returned errors wrap them: test with errors.Is.
var (
	// ErrInvalidRuleSet: a rule file failed to parse or validate. The error is
	// an ErrorList whose entries name file, line and column.
	ErrInvalidRuleSet = errors.New("invalid rule set")
	// ErrOverlap: two rule sets of the same district are in force on a common day.
	ErrOverlap = errors.New("overlapping rule sets")
	// ErrNoRuleSet: Select found no rule set in force for the district and date.
	ErrNoRuleSet = errors.New("no rule set in force")
	// ErrAmbiguous: Select found two rule sets of the same district in force.
	ErrAmbiguous = errors.New("ambiguous rule sets")
	// ErrNoRule: the rule set has no rule for a budget line's category.
	ErrNoRule = errors.New("no rule")
	// ErrUnknownCategory: a budget line names a category that does not exist.
	ErrUnknownCategory = errors.New("unknown category")
	// ErrBadAmount: a budget line amount is not positive, has more than 2
	// decimals, or is absurdly large.
	ErrBadAmount = errors.New("bad amount")
	// ErrBadProject: negative households, elevators or floor area.
	ErrBadProject = errors.New("bad project")
	// ErrWrongDistrict: the rule set belongs to another district than the project.
	ErrWrongDistrict = errors.New("rule set of another district")
)

// MaxErrors is the most errors an ErrorList keeps; further ones are counted, not kept.
const MaxErrors = 50

// Error is one problem in a rule file, at a position.
type Error struct {
	File string // file name as given to Parse or LoadFile
	Line int    // 1-based; 0 when unknown
	Col  int    // 1-based; 0 when unknown
	Path string // YAML path of the offending node, e.g. categories.basic.shares[2].pct; "" for the whole file
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Line, e.Col)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap makes every positioned error an ErrInvalidRuleSet.
func (e *Error) Unwrap() error { return ErrInvalidRuleSet }

// ErrorList is every error found, in file order of discovery, at most
// MaxErrors of them. It wraps ErrInvalidRuleSet (or ErrOverlap, from CheckOverlap).
type ErrorList struct {
	Errors  []*Error
	Dropped int   // errors found beyond MaxErrors
	kind    error // sentinel the list wraps
}

func (l *ErrorList) add(e *Error) {
	if len(l.Errors) >= MaxErrors {
		l.Dropped++
		return
	}
	l.Errors = append(l.Errors, e)
}

// Len is the number of errors found, including the dropped ones.
func (l *ErrorList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.Errors) + l.Dropped
}

func (l *ErrorList) Error() string {
	lines := make([]string, 0, len(l.Errors)+1)
	for _, e := range l.Errors {
		lines = append(lines, e.Error())
	}
	if l.Dropped > 0 {
		lines = append(lines, fmt.Sprintf("... and %d more errors", l.Dropped))
	}
	return strings.Join(lines, "\n")
}

// Unwrap lets errors.Is find the sentinel of the list.
func (l *ErrorList) Unwrap() error {
	if l.kind == nil {
		return ErrInvalidRuleSet
	}
	return l.kind
}

// err returns the list as an error, or nil when empty.
func (l *ErrorList) err() error {
	if l.Len() == 0 {
		return nil
	}
	return l
}
