// Package rules holds the cost-sharing rule sets of old-community renovation
// funding and Allocate, the one place where a project's cost is split among
// funding sources. It is pure Go: no database, and no I/O beyond reading a
// rule file (LoadFile). Money is decimal.Decimal, in yuan, to the fen.
//
// # Rule files
//
// A rule set is a YAML file; the plan leaves concrete standards to each
// district, so rules are data, versioned by the SHA-256 of the file (Hash):
//
//	name: weihai-citywide
//	version: "2020.1"            # a label; Hash is the real version
//	description: ...
//	district: ""                 # "" = city-wide default, else e.g. 环翠区
//	effective_from: 2020-06-11   # first day in force
//	effective_to: 2025-12-31     # last day in force, inclusive; optional
//	categories:                  # basic, improvement, upgrade
//	  basic:
//	    shares:                  # in order: fixed shares first, then pct
//	      - {source: employer, fixed: 20000}
//	      - {source: central, pct: 40}
//	      - source: provincial
//	        pct: 15
//	        cap: {per_household: 1500, per_project: 2000000}   # smallest applies
//	        overflow:                                          # where the excess goes
//	          - {source: municipal, cap: {per_project: 500000}}
//	          - district                                       # last link: uncapped
//	      - {source: district, pct: 45}
//	    items:                   # work items overriding the category rule
//	      utility_pipework:
//	        shares:
//	          - {source: "utility:power", pct: 60}
//	          - {source: district, pct: 40}
//
// Checks (Parse reports all of them, each as file:line:col: path: message):
// known sources and categories; work item names in lowercase; one of pct and
// fixed per share; pct add up to exactly 100 per rule; amounts non-negative,
// pct at most 4 decimals, fixed and per_project at most 2, rates at most 4;
// no source twice in a rule or in a chain; only pct shares are capped, and a
// capped share has an overflow chain whose last link is uncapped and no
// capped share; effective_to not before effective_from; unknown keys refused.
// CheckOverlap refuses two sets of one district in force on a common day.
//
// # Splitting
//
// Allocate groups budget lines by the rule that applies (work item rule if
// any, else category rule) and splits each group: fixed shares first (cut to
// what is left), the rest by pct exactly, then caps in share order with the
// excess flowing down each chain, then rounding to the fen by largest
// remainder, ties broken by the canonical source order of Sources. Steps
// explains every number.
//
// # Grant sections (optional, grants.go)
//
//	elevator:               # 加装电梯 per building unit
//	  consent:              # exact fractions (or decimals in (0, 1])
//	    participation: {owners: 2/3, area: 2/3}   # of all owners / area
//	    approval: {owners: 3/4, area: 3/4}        # of the participating ones
//	  grant: {pct: 40, cap_per_elevator: 250000, split: [{source: municipal, pct: 50}, {source: district, pct: 50}]}
//	  pipe_relocation: {pct: 50, cap_per_elevator: 30000, split: [{source: district, pct: 100}]}   # optional
//	  floor_coefficients: [0, 0.4, 0.7, 1.0]      # index 0 = ground floor; higher floors take the last
//	utility_award: {pct: 30, cap_per_facility: 300000, source: district}
//	property_rewards: {source: district, table: [{min_score: 90, amount: 50000}, {min_score: 80, amount: 30000}]}
//	evaluation_allocation:
//	  source: municipal
//	  factors: {area: 40, households: 30, buildings: 15, communities: 15}   # add up to 100
//	  score_coefficients: [{min_score: 90, coefficient: 1.2}, {min_score: 60, coefficient: 0.8}]
//
// # Loan interest subsidy (optional, loansubsidy.go)
//
//	loan_interest_subsidy:     # 贷款贴息, one rule per level
//	  - {level: provincial, lender_kinds: [policy_bank], share_pct: 50, cap_per_year: 2000000, cap_per_loan: 5000000, years: 3}
//	  - {level: municipal, lender_kinds: [policy_bank, commercial], points: 1}   # percentage points of the rate
//
// LoanSubsidyRule.Subsidy is round-half-up(interest × share ÷ 100) or
// round-half-up(interest × points ÷ rate), at most the interest and what is
// left of each cap.
//
// ComputeGrant is min(pct × cost, cap × elevators) floored to the fen, split
// by largest remainder; Apportion splits the residents' share by floor
// coefficients to the fen (ties to the higher floor, then the lower
// position); CheckConsent compares exactly (part × b ≥ whole × a); Award,
// Reward and EvaluationRule.Allocate (formula on EvaluationRule) likewise.
package rules
