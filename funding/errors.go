package funding

import "errors"

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
