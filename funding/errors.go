package funding

import (
	"errors"
	"fmt"

	"github.com/lib/pq"
)

// Errors callers tell apart; each is wrapped with the details.
var (
	ErrIneligible        = errors.New("project is not eligible")
	ErrNotEarmarked      = errors.New("source may not pay this category") // 专款专用
	ErrInvalid           = errors.New("invalid input")
	ErrNotFound          = errors.New("not found")
	ErrStatus            = errors.New("status change not allowed")
	ErrNoRuleSet         = errors.New("no rule set applies")
	ErrExists            = errors.New("already exists with other data")
	ErrExceedsCommitment = errors.New("receipt exceeds the outstanding commitment")
	// 无预算不支出: a payment beyond what remains of its approved budget line.
	ErrBudgetLineExceeded = errors.New("payment exceeds its approved budget line")
	// 无预算不支出: a payment for a category the project has no approved line for.
	ErrNoBudgetLine = errors.New("no approved budget line")
	// A budget line lowered below what it has already paid.
	ErrBudgetBelowPaid = errors.New("budget line below what is already paid")
)

// Finer errors of the grant steps (issue 19). Each is also one of the
// errors above (errors.Is matches both), so a caller that knows only the
// broad kind keeps working.
var (
	// ErrOutOfOrder: a grant step (commit, correct, transfer, contribute,
	// pay) comes before the step it depends on, by sequence or by date.
	// Also ErrConditionNotMet.
	ErrOutOfOrder error = &kindError{"step out of order", ErrConditionNotMet}
	// ErrAlreadyPaid: the award or reward was paid already (the message
	// gives the date and entry). Also ErrStatus.
	ErrAlreadyPaid error = &kindError{"already paid", ErrStatus}
	// ErrPeriod: a reward period that is not YYYY, YYYY-H1/H2, YYYY-Q1..Q4
	// or YYYY-MM. Also ErrInvalid.
	ErrPeriod error = &kindError{"invalid period", ErrInvalid}
	// ErrFuturePeriod: a reward period that begins after today. Also ErrInvalid.
	ErrFuturePeriod error = &kindError{"period has not begun", ErrInvalid}
	// ErrPeriodOverlap: a reward period overlapping one already scored for
	// the project. Also ErrExists.
	ErrPeriodOverlap error = &kindError{"period overlaps one already scored", ErrExists}
	// ErrBankDistrict: a payment through a bank account of another district.
	// Also ErrInvalid.
	ErrBankDistrict error = &kindError{"bank account of another district", ErrInvalid}
)

// kindError is a named error that is also a broader one.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// SQLSTATEs raised by the triggers of migrations/00011_grant_steps.sql.
const (
	stateOutOfOrder    = "FG001"
	statePeriodOverlap = "FG002"
	statePeriod        = "FG003"
	stateAlreadyPaid   = "FG004"
	// migrations/00013_loans.sql
	stateInterestNotPaid           = "FL001"
	stateSubsidyExceedsInterest    = "FL002"
	stateInvestmentSubsidyExceeded = "FL003"
)

// dbError maps the grant triggers' SQLSTATEs to the named errors, keeping
// the server's message (which names the step and the dates). It is the one
// place in this package where SQLSTATEs are interpreted.
func dbError(err error) error {
	var pe *pq.Error
	if !errors.As(err, &pe) {
		return err
	}
	var named error
	switch string(pe.Code) {
	case stateOutOfOrder:
		named = ErrOutOfOrder
	case statePeriodOverlap:
		named = ErrPeriodOverlap
	case statePeriod:
		named = ErrPeriod
	case stateAlreadyPaid:
		named = ErrAlreadyPaid
	case stateInterestNotPaid:
		named = ErrInterestNotPaid
	case stateSubsidyExceedsInterest:
		named = ErrSubsidyExceedsInterest
	case stateInvestmentSubsidyExceeded:
		named = ErrInvestmentSubsidyExceeded
	}
	if named == nil {
		return err
	}
	return fmt.Errorf("%w: %s", named, pe.Message)
}

// EarmarkRefusal is a payment (or a budget line) refused by 专款专用: under
// the project's rule set, Source may not pay Category (and WorkItem, when
// named). It is ErrNotEarmarked (errors.Is); callers name the source and the
// category in their reader's language from its fields.
type EarmarkRefusal struct {
	What             string // what was asked, "pay P001 …"
	Source, Category string // codes
	WorkItem         string // "" for the category as a whole
	RuleSet          string // name and version of the rule set
}

func (e *EarmarkRefusal) Error() string {
	item := ""
	if e.WorkItem != "" {
		item = ", work item " + e.WorkItem
	}
	return fmt.Sprintf("%v (专款专用): %s: under rule set %s %s (%s) may not pay %s (%s)%s",
		ErrNotEarmarked, e.What, e.RuleSet, e.Source, sourceLabel(e.Source), e.Category, categoryLabel(e.Category), item)
}

func (e *EarmarkRefusal) Unwrap() error { return ErrNotEarmarked }
