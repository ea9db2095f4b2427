package funding

import (
	"encoding/json"
	"fmt"

	"fundledger/ledger"
)

// Memos the programme writes itself. Each is stored twice on its entries
// (see ledger/memo.go): as Chinese text in the memo (what exports, hledger
// and the Chinese pages show) and, in the entry's metadata, as a kind with
// its arguments, from which a page writes it in its reader's language. A
// memo a person typed carries no kind: it is shown as typed. The kinds are
// the Memo* constants below; web's catalogue has their words.

// The kinds of automatic memo (ledger.MemoKindKey), each with the
// arguments its Chinese text names, in order.
const (
	MemoReceipt                   = "receipt"                     // project, source
	MemoDisbursement              = "disbursement"                // project, category, payee, source
	MemoApproval                  = "approval"                    // project, project name, version, total
	MemoApprovalLines             = "approval_lines"              // project, project name, version
	MemoBondIssue                 = "bond_issue"                  // bond, bond name, principal
	MemoBondAllocation            = "bond_allocation"             // bond, project
	MemoBondPayment               = "bond_payment"                // bond, due date, interest, principal
	MemoLoanDrawdown              = "loan_drawdown"               // loan, project
	MemoLoanPrepayment            = "loan_prepayment"             // loan
	MemoLoanPayment               = "loan_payment"                // loan, due date, interest, principal
	MemoLoanSubsidyCommitment     = "loan_subsidy_commitment"     // level (a source), loan, due date
	MemoLoanSubsidyPayment        = "loan_subsidy_payment"        // level (a source), loan, due date
	MemoElevatorGrantPayment      = "elevator_grant_payment"      // application, payee
	MemoUtilityAwardPayment       = "utility_award_payment"       // facility, utility (a source)
	MemoPropertyRewardPayment     = "property_reward_payment"     // project, period
	MemoUtilityContribution       = "utility_contribution"        // utility (a source), facility, how (received or in kind)
	MemoElevatorGrant             = "elevator_grant"              // application, event, grant
	MemoElevatorResidentsShare    = "elevator_residents_share"    // application, event, residents' share
	MemoElevatorHousehold         = "elevator_household"          // household, application
	MemoCapitalInjection          = "capital_injection"           // level (a source), company, project
	MemoCapitalUse                = "capital_use"                 // company, project, category
	MemoInvestmentSubsidy         = "investment_subsidy"          // level (a source), project, approved investment, share %, cap
	MemoInvestmentSubsidyPayment  = "investment_subsidy_payment"  // level (a source), completed investment, project
	MemoPoolAllocation            = "pool_allocation"             // year, source, version, pool
	MemoBudgetAdjustment          = "budget_adjustment"           // project, line (category, or category / source), previous, budget, approver, reason
	MemoAccrual                   = "accrual"                     // loan or bond, its code, period start, due date
	MemoBondRevenue               = "bond_revenue"                // project, revenue kind (its English name)
	MemoBondBackstop              = "bond_backstop"               // backstop (its English name), bond, shortfall, due date
	MemoPropertyReward            = "property_reward"             // project, period, score, reward
	MemoPropertyRewardCorrection  = "property_reward_correction"  // project, period, previous score, score, previous reward, reward, reason
	MemoUtilityFacility           = "utility_facility"            // facility, contribution, award
	MemoUtilityFacilityCorrection = "utility_facility_correction" // facility, previous cost, cost, previous award, award, reason
)

// MemoKinds are the kinds of automatic memo the programme writes (and
// ledger.MemoReversal, the ledger's own), for a catalogue to cover.
var MemoKinds = []string{ledger.MemoReversal, MemoReceipt, MemoDisbursement, MemoApproval, MemoApprovalLines, MemoBondIssue,
	MemoBondAllocation, MemoBondPayment, MemoLoanDrawdown, MemoLoanPrepayment, MemoLoanPayment, MemoLoanSubsidyCommitment,
	MemoLoanSubsidyPayment, MemoElevatorGrantPayment, MemoUtilityAwardPayment, MemoPropertyRewardPayment, MemoUtilityContribution,
	MemoElevatorGrant, MemoElevatorResidentsShare, MemoElevatorHousehold, MemoCapitalInjection, MemoCapitalUse, MemoInvestmentSubsidy,
	MemoInvestmentSubsidyPayment, MemoPoolAllocation, MemoBudgetAdjustment, MemoAccrual, MemoBondRevenue, MemoBondBackstop,
	MemoPropertyReward, MemoPropertyRewardCorrection, MemoUtilityFacility, MemoUtilityFacilityCorrection}

// memoArg is one argument of an automatic memo: how it is stored and how
// the Chinese memo writes it.
type memoArg struct{ stored, zh string }

func srcArg(code string) memoArg { return memoArg{ledger.MemoArgSource + code, sourceLabel(code)} }
func catArg(code string) memoArg { return memoArg{ledger.MemoArgCategory + code, categoryLabel(code)} }
func txtArg(s string) memoArg    { return memoArg{ledger.MemoArgText + s, s} }

// autoMemo records the kind and arguments of an automatic memo in meta
// (which must not be nil) and returns its Chinese text, zh formatted with
// the arguments' Chinese words.
func autoMemo(meta map[string]string, kind, zh string, args ...memoArg) string {
	stored := make([]string, len(args))
	words := make([]any, len(args))
	for i, a := range args {
		stored[i], words[i] = a.stored, a.zh
	}
	b, _ := json.Marshal(stored) // a []string always encodes
	meta[ledger.MemoKindKey], meta[ledger.MemoArgsKey] = kind, string(b)
	return fmt.Sprintf(zh, words...)
}

// lineArg is a budget line as a memo argument: its category, and its
// source when the line is a source's.
func lineArg(id lineID) memoArg {
	if id.source == "" {
		return catArg(id.category)
	}
	return memoArg{ledger.MemoArgCategory + id.category + "/" + id.source, categoryLabel(id.category) + "（" + sourceLabel(id.source) + "）"}
}
