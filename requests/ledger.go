package requests

// The bodies of the ledger's own writes (accounts, entries, reversals,
// period close and reopen) and of reconciliation.

// Account creates a ledger account (ledger.CreateAccount).
type Account struct {
	Code        string `json:"code" minLength:"1"`
	Name        string `json:"name,omitempty"`
	Type        string `json:"type" minLength:"1"`
	NoOverdraft bool   `json:"no_overdraft,omitempty"`
	District    string `json:"district,omitempty"`
	Project     string `json:"project,omitempty"`
	Source      string `json:"source,omitempty"`
	Category    string `json:"category,omitempty"`
	Bond        string `json:"bond,omitempty"`
}

// Posting is one line of an entry.
type Posting struct {
	Account string `json:"account" minLength:"1"`
	Side    string `json:"side" enum:"D,C"`
	Amount  Amount `json:"amount" minLength:"1"`
}

// Entry posts a balanced entry (ledger.Post).
type Entry struct {
	Book          string            `json:"book" enum:"financial,budget"`
	EffectiveDate Date              `json:"effective_date" minLength:"1"`
	Memo          string            `json:"memo,omitempty"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Postings      []Posting         `json:"postings" minItems:"2" maxItems:"1000"`
}

// Reversal reverses an entry (funding.ReversePayment).
type Reversal struct {
	Reason string `json:"reason" minLength:"1"`
	Date   Date   `json:"date,omitempty"`
}

// PeriodAction is the body of a close or reopen: its reason, and the
// district whose own month it is (empty: the city's).
type PeriodAction struct {
	Reason   string `json:"reason,omitempty"`
	District string `json:"district,omitempty" doc:"a district (code or Chinese name) closing or reopening its own month; empty for the city, which closes after its districts"`
}

// ReconRun runs the matcher on a bank account (recon.Run).
type ReconRun struct {
	Period     string `json:"period" minLength:"1" doc:"YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD"`
	WindowDays *int   `json:"window_days,omitempty" doc:"days a match may lie apart"`
	DryRun     bool   `json:"dry_run,omitempty"`
}

// Match matches statement lines and ledger postings by hand (recon.Match).
type Match struct {
	Lines    []int64  `json:"lines,omitempty" maxItems:"1000"`
	Postings []string `json:"postings,omitempty" maxItems:"1000" doc:"ENTRY/LINE, or ENTRY for its only cash posting"`
	Reason   string   `json:"reason" minLength:"1"`
}

// Unmatch revokes a match (recon.Unmatch).
type Unmatch struct {
	Reason string `json:"reason" minLength:"1"`
}
