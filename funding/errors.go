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
)
