package web

// More JSON API writes: utility facilities (专营设施, 以奖代补 award),
// property-management rewards (物业服务考核奖励) and bond interest
// accruals. Each handler calls the package function the CLI command of the
// same name calls (cmd/fundledger: utility, reward, bond accrue).
//
// As in api_writes.go: every write requires an Idempotency-Key header
// (scoped to the user), the actor is the authenticated user, auditors never
// write. Facilities and property rewards are the project's district's:
// officers only in their granted districts. Accruals are city-wide: the
// finance bureau only.

import (
	"fmt"
	"net/http"

	"fundledger/funding"
	"fundledger/ledger"
)

func (s *Server) writeRoutes2() []route {
	return []route{
		{"POST", "/api/utility-facilities", false, s.postFacility},
		{"POST", "/api/utility-facilities/{code}/commit", false, s.postFacilityCommit},
		{"POST", "/api/utility-facilities/{code}/transfer", false, s.postFacilityTransfer},
		{"POST", "/api/utility-facilities/{code}/pay", false, s.postFacilityPay},
		{"POST", "/api/property-scores", false, s.postPropertyScore},
		{"POST", "/api/property-rewards/pay", false, s.postPropertyRewardPay},
		{"POST", "/api/bonds/accruals", false, s.postBondAccruals},
	}
}

// registerWriteAPI2 adds writeRoutes2 to the server's mux, behind authentication.
func (s *Server) registerWriteAPI2() {
	for _, r := range s.writeRoutes2() {
		h := r.handler
		if !r.public {
			h = s.authenticated(h)
		}
		s.mux.Handle(r.method+" "+r.path, h)
	}
}

// Utility facilities.

type facilityBody struct {
	Code           string `json:"code"`
	Project        string `json:"project"`
	Kind           string `json:"kind"`
	Description    string `json:"description"`
	Cost           string `json:"cost"`
	Utility        string `json:"utility"`
	Owner          string `json:"owner"`
	OwnedByUtility bool   `json:"owned_by_utility"`
	RegisteredOn   string `json:"registered_on"`
}

type facilityOutJSON struct {
	Code           string    `json:"code"`
	Project        string    `json:"project"`
	District       string    `json:"district"`
	Kind           string    `json:"kind"`
	Description    string    `json:"description"`
	Cost           moneyJSON `json:"cost"`
	Utility        string    `json:"utility"`
	RegisteredOn   string    `json:"registered_on"`
	Owner          string    `json:"owner"`
	OwnedByUtility bool      `json:"owned_by_utility"`
	OwnerSince     string    `json:"owner_since"`
	Committed      bool      `json:"committed"`
	Award          moneyJSON `json:"award"`
	Contribution   moneyJSON `json:"contribution"`
	AwardPaid      bool      `json:"award_paid"`
	Actor          string    `json:"actor"`
}

func facilityOut(r *http.Request, f funding.Facility) facilityOutJSON {
	return facilityOutJSON{Code: f.Code, Project: f.Project, District: f.District, Kind: f.Kind, Description: f.Description,
		Cost: money(f.Cost), Utility: f.Utility, RegisteredOn: day(f.RegisteredOn), Owner: f.Owner, OwnedByUtility: f.OwnedByUtility,
		OwnerSince: day(f.OwnerSince), Committed: f.Committed, Award: money(f.Award), Contribution: money(f.Contribution),
		AwardPaid: f.AwardPaid, Actor: principal(r).User}
}

// writableFacility loads a facility and checks the caller may change it
// (the district of its project).
func (s *Server) writableFacility(r *http.Request) (funding.Facility, error) {
	f, err := s.prog.Facility(r.Context(), r.PathValue("code"))
	if err != nil {
		return f, err
	}
	return f, principal(r).CheckWrite(f.District)
}

// postFacility registers a facility and its owner (funding.RegisterFacility);
// the same facility again answers 200 with Idempotent-Replayed: true.
func (s *Server) postFacility(w http.ResponseWriter, r *http.Request) {
	var b facilityBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"code", b.Code}, [2]string{"project", b.Project}, [2]string{"kind", b.Kind},
		[2]string{"cost", b.Cost}, [2]string{"utility", b.Utility}, [2]string{"owner", b.Owner},
		[2]string{"registered_on", b.RegisteredOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.FacilityInput{Code: b.Code, Project: b.Project, Kind: b.Kind, Description: b.Description, Utility: b.Utility,
		Owner: b.Owner, OwnedByUtility: b.OwnedByUtility}
	var err error
	if in.Cost, err = parseAmount("cost", b.Cost); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.RegisteredOn, err = parseDay("registered_on", b.RegisteredOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	_, existed := s.prog.Facility(r.Context(), b.Code)
	f, err := s.prog.RegisterFacility(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, existed == nil), facilityOut(r, f))
}

type facilityCommitJSON struct {
	Facility      string    `json:"facility"`
	Award         moneyJSON `json:"award"`
	AwardSource   string    `json:"award_source,omitempty"`
	Contribution  moneyJSON `json:"contribution"`
	UtilitySource string    `json:"utility_source"`
	Explanation   string    `json:"explanation"`
	RuleSetID     int64     `json:"rule_set_id,omitempty"`
	EntryID       int64     `json:"entry_id"`
	Actor         string    `json:"actor"`
}

// postFacilityCommit commits the utility's contribution and, when it does
// not own the facility, its award (funding.CommitFacility); once only, the
// same again answers 200 with Idempotent-Replayed: true.
func (s *Server) postFacilityCommit(w http.ResponseWriter, r *http.Request) {
	var b onBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := requiredDay("on", b.On)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.writableFacility(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.prog.CommitFacility(r.Context(), f.Code, on, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, c.Unchanged), facilityCommitJSON{Facility: c.Facility, Award: money(c.Award), AwardSource: c.AwardSource,
		Contribution: money(c.Contribution), UtilitySource: c.Utility, Explanation: c.Explanation, RuleSetID: c.RuleSetID,
		EntryID: c.EntryID, Actor: principal(r).User})
}

type facilityTransferBody struct {
	To   string `json:"to"`
	On   string `json:"on"`
	Note string `json:"note"`
}

// postFacilityTransfer records the transfer of the facility's ownership to
// the utility on completion (funding.TransferOwnership). The transfer
// already recorded, to the same owner on the same date, answers 200 with
// Idempotent-Replayed: true.
func (s *Server) postFacilityTransfer(w http.ResponseWriter, r *http.Request) {
	var b facilityTransferBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"to", b.To}, [2]string{"on", b.On}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := parseDay("on", b.On)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.writableFacility(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var same int
	if err := s.db.GetContext(r.Context(), &same, `SELECT count(*) FROM utility_facility_events
		WHERE facility = $1 AND kind = 'transferred' AND owner = $2 AND effective_on = $3`, f.Code, b.To, on.Format(ledger.DateLayout)); err != nil {
		s.fail(w, r, err)
		return
	}
	if same > 0 {
		writeJSON(w, replayed(w, true), facilityOut(r, f))
		return
	}
	f, err = s.prog.TransferOwnership(r.Context(), f.Code, b.To, on, principal(r).User, b.Note)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, facilityOut(r, f))
}

type awardPayBody struct {
	PaidOn      string `json:"paid_on"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
}

type awardPaymentJSON struct {
	Facility         string             `json:"facility,omitempty"`
	Project          string             `json:"project,omitempty"`
	Period           string             `json:"period,omitempty"`
	Amounts          []sourceAmountJSON `json:"amounts"`
	Total            moneyJSON          `json:"total"`
	EntryID          int64              `json:"entry_id"`
	FinancialEntryID int64              `json:"financial_entry_id"`
	Actor            string             `json:"actor"`
}

func writePayment(w http.ResponseWriter, r *http.Request, out awardPaymentJSON, pm funding.GrantPayment) {
	out.Amounts, out.Total, out.EntryID, out.FinancialEntryID, out.Actor = []sourceAmountJSON{}, money(pm.Total), pm.EntryID,
		pm.FinancialEntryID, principal(r).User
	for _, a := range pm.Amounts {
		out.Amounts = append(out.Amounts, sourceAmountJSON{Source: a.Source, Amount: money(a.Amount)})
	}
	writeJSON(w, replayed(w, pm.Replayed), out)
}

// postFacilityPay pays the award once the ownership passed to the utility
// (funding.PayAward); paying again changes nothing.
func (s *Server) postFacilityPay(w http.ResponseWriter, r *http.Request) {
	var b awardPayBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"paid_on", b.PaidOn}, [2]string{"bank_account", b.BankAccount}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := parseDay("paid_on", b.PaidOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.writableFacility(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkBankAccount(r, b.BankAccount, true); err != nil {
		s.fail(w, r, err)
		return
	}
	pm, err := s.prog.PayAward(r.Context(), f.Code, on, b.BankAccount, b.Reference, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePayment(w, r, awardPaymentJSON{Facility: f.Code, Project: f.Project}, pm)
}

// Property-management rewards.

type propertyScoreBody struct {
	Project   string `json:"project"`
	Period    string `json:"period"`
	Score     string `json:"score"`
	Evaluator string `json:"evaluator"`
	ScoredOn  string `json:"scored_on"`
}

type propertyRewardJSON struct {
	Project     string    `json:"project"`
	Period      string    `json:"period"`
	Score       string    `json:"score"`
	Reward      moneyJSON `json:"reward"`
	Source      string    `json:"source"`
	Explanation string    `json:"explanation"`
	RuleSetID   int64     `json:"rule_set_id"`
	EntryID     int64     `json:"entry_id,omitempty"`
	Actor       string    `json:"actor"`
}

// postPropertyScore records a project's property-management score for a
// period and commits the reward of the rule set's table
// (funding.ScoreProperty). The same score again answers 200 with
// Idempotent-Replayed: true; another for the period 409.
func (s *Server) postPropertyScore(w http.ResponseWriter, r *http.Request) {
	var b propertyScoreBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"period", b.Period}, [2]string{"score", b.Score},
		[2]string{"scored_on", b.ScoredOn}); err != nil {
		s.fail(w, r, err)
		return
	}
	in := funding.PropertyScoreInput{Project: b.Project, Period: b.Period, Evaluator: b.Evaluator}
	var err error
	if in.Score, err = parseDecimal("score", b.Score); err != nil {
		s.fail(w, r, err)
		return
	}
	if in.ScoredOn, err = parseDay("scored_on", b.ScoredOn); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	x, err := s.prog.ScoreProperty(r.Context(), in, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, replayed(w, x.Unchanged), propertyRewardJSON{Project: x.Project, Period: x.Period, Score: x.Score.StringFixed(2),
		Reward: money(x.Reward), Source: x.Source, Explanation: x.Explanation, RuleSetID: x.RuleSetID, EntryID: x.EntryID.Int64,
		Actor: principal(r).User})
}

type rewardPayBody struct {
	Project     string `json:"project"`
	Period      string `json:"period"`
	PaidOn      string `json:"paid_on"`
	BankAccount string `json:"bank_account"`
	Reference   string `json:"reference"`
}

// postPropertyRewardPay pays a committed property reward once
// (funding.PayReward); paying again changes nothing.
func (s *Server) postPropertyRewardPay(w http.ResponseWriter, r *http.Request) {
	var b rewardPayBody
	if err := readWrite(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := required([2]string{"project", b.Project}, [2]string{"period", b.Period}, [2]string{"paid_on", b.PaidOn},
		[2]string{"bank_account", b.BankAccount}); err != nil {
		s.fail(w, r, err)
		return
	}
	on, err := parseDay("paid_on", b.PaidOn)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.writableProject(r, b.Project); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.checkBankAccount(r, b.BankAccount, true); err != nil {
		s.fail(w, r, err)
		return
	}
	pm, err := s.prog.PayReward(r.Context(), b.Project, b.Period, on, b.BankAccount, b.Reference, principal(r).User)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writePayment(w, r, awardPaymentJSON{Project: b.Project, Period: b.Period}, pm)
}

// Bond interest accruals.

// maxAccrualBonds bounds the bonds of one accrual request.
const maxAccrualBonds = 100

type accrualsBody struct {
	Bonds   []string `json:"bonds"`
	Through string   `json:"through"`
}

type accrualJSON struct {
	Bond     string    `json:"bond"`
	DueDate  string    `json:"due_date"`
	Seq      int       `json:"seq"`
	Interest moneyJSON `json:"interest"`
	EntryID  int64     `json:"entry_id"`
}

type accrualsJSON struct {
	Through  string        `json:"through"`
	Bonds    []string      `json:"bonds"`
	Accruals []accrualJSON `json:"accruals"`
	Actor    string        `json:"actor"`
}

// postBondAccruals accrues the interest of every period due on or before
// through (funding.AccrueBondInterest) of the bonds named, or of every
// issued bond when none is: the finance bureau only. The bonds are checked
// before any is accrued. 201 when something was accrued; 200 with no
// accruals when everything due was accrued already.
func (s *Server) postBondAccruals(w http.ResponseWriter, r *http.Request) {
	if _, err := bureauWrite(r, "accrue bond interest"); err != nil {
		s.fail(w, r, err)
		return
	}
	var b accrualsBody
	if err := decode(r, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	through, err := requiredDay("through", b.Through)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(b.Bonds) > maxAccrualBonds {
		s.fail(w, r, invalid("bonds", fmt.Sprintf("bonds: at most %d per request", maxAccrualBonds)))
		return
	}
	codes := b.Bonds
	if len(codes) == 0 {
		bs, err := s.prog.Bonds(r.Context())
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range bs {
			if x.Issued {
				codes = append(codes, x.Code)
			}
		}
	} else {
		seen := map[string]bool{}
		for i, code := range codes {
			if seen[code] {
				s.fail(w, r, invalid("bonds", fmt.Sprintf("bonds[%d]: %s named twice", i, code)))
				return
			}
			seen[code] = true
			x, err := s.prog.Bond(r.Context(), code)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if !x.Issued {
				s.fail(w, r, fmt.Errorf("%w: bond %s is not issued yet", funding.ErrStatus, code))
				return
			}
		}
	}
	out := accrualsJSON{Through: day(through), Bonds: []string{}, Accruals: []accrualJSON{}, Actor: principal(r).User}
	out.Bonds = append(out.Bonds, codes...)
	for _, code := range codes {
		acc, err := s.prog.AccrueBondInterest(r.Context(), code, through, principal(r).User)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, x := range acc {
			out.Accruals = append(out.Accruals, accrualJSON{Bond: code, DueDate: day(x.DueDate), Seq: x.Seq, Interest: money(x.Interest),
				EntryID: x.EntryID})
		}
	}
	status := http.StatusCreated
	if len(out.Accruals) == 0 {
		status = http.StatusOK
	}
	writeJSON(w, status, out)
}
