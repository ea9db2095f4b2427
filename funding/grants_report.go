package funding

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"fundledger/ledger"
)

// ApplicationPosition is an elevator application's money as of a date.
type ApplicationPosition struct {
	Code                 string          `json:"code"`
	Project              string          `json:"project"`
	District             string          `json:"district"`
	DistrictName         string          `json:"district_name"`
	Building             string          `json:"building"`
	Unit                 string          `json:"unit"`
	Status               string          `json:"status"`
	StatusOn             time.Time       `json:"status_on"`
	GrantCommitted       decimal.Decimal `json:"grant_committed"`
	GrantPaid            decimal.Decimal `json:"grant_paid"`
	ResidentsShare       decimal.Decimal `json:"residents_share"`
	ResidentsReceived    decimal.Decimal `json:"residents_received"`
	ResidentsOutstanding decimal.Decimal `json:"residents_outstanding"`
}

// GrantDistrictPosition is one kind of grant in one district.
type GrantDistrictPosition struct {
	District     string          `json:"district"`
	DistrictName string          `json:"district_name"`
	Kind         string          `json:"kind"`
	Committed    decimal.Decimal `json:"committed"`
	Paid         decimal.Decimal `json:"paid"`
	Outstanding  decimal.Decimal `json:"outstanding"` // committed, not yet paid
}

// BuildingPosition is the residents' share of the elevators of one building.
type BuildingPosition struct {
	District    string          `json:"district"`
	Project     string          `json:"project"`
	Building    string          `json:"building"`
	Share       decimal.Decimal `json:"share"`
	Received    decimal.Decimal `json:"received"`
	Outstanding decimal.Decimal `json:"outstanding"`
}

// GrantsReport is the grants' state as of a date.
type GrantsReport struct {
	AsOf         time.Time               `json:"as_of,omitzero"`
	StatusCounts map[string]int          `json:"status_counts"`
	Applications []ApplicationPosition   `json:"applications"`
	Districts    []GrantDistrictPosition `json:"districts"`
	Buildings    []BuildingPosition      `json:"buildings"`
}

// grantBalances sums the balances (normal side) of the accounts under a
// prefix, by account code.
func (p *Programme) grantBalances(ctx context.Context, prefix string, asOf time.Time, creditNormal bool) (map[string]decimal.Decimal, error) {
	rows, err := p.ledger.Balances(ctx, ledger.BalanceFilter{AccountFilter: ledger.AccountFilter{CodePrefix: prefix}, AsOf: asOf,
		GroupBy: []string{ledger.ByAccount}})
	if err != nil {
		return nil, fmt.Errorf("grants report: %w", err)
	}
	out := map[string]decimal.Decimal{}
	for _, r := range rows {
		n := r.Net()
		if creditNormal {
			n = n.Neg()
		}
		out[r.Group[ledger.ByAccount]] = n
	}
	return out, nil
}

// GrantsReport shows elevator applications by status with their grant and
// residents' share, the grants committed, paid and outstanding per district
// and kind, and the residents' shares outstanding per building, as of a
// date (zero: everything). district ("" all) is a code or Chinese name.
func (p *Programme) GrantsReport(ctx context.Context, district string, asOf time.Time) (GrantsReport, error) {
	rep := GrantsReport{AsOf: asOf, StatusCounts: map[string]int{}}
	ds, err := Districts(ctx, p.db)
	if err != nil {
		return rep, err
	}
	code := ""
	if district != "" {
		d, err := LookupDistrict(ctx, p.db, district)
		if err != nil {
			return rep, err
		}
		code, ds = d.Code, []District{d}
	}
	committed, err := p.grantBalances(ctx, "budget:grant:committed", asOf, true)
	if err != nil {
		return rep, err
	}
	paid, err := p.grantBalances(ctx, "budget:grant:paid", asOf, false)
	if err != nil {
		return rep, err
	}
	share, err := p.grantBalances(ctx, "grant:revenue:residents", asOf, true)
	if err != nil {
		return rep, err
	}
	received, err := p.grantBalances(ctx, "grant:cash:residents", asOf, false)
	if err != nil {
		return rep, err
	}
	// budget:grant:<role>:<kind>:<district>:… — per district and kind.
	type dk struct{ district, kind string }
	pos := map[dk]*GrantDistrictPosition{}
	byApp := map[string][2]decimal.Decimal{} // committed, paid per elevator application
	add := func(m map[string]decimal.Decimal, isPaid bool) {
		for acct, v := range m {
			seg := strings.Split(acct, ":")
			if len(seg) < 6 {
				continue
			}
			k := dk{seg[4], seg[3]}
			if pos[k] == nil {
				pos[k] = &GrantDistrictPosition{District: k.district, Kind: k.kind}
			}
			x := byApp[""]
			if seg[3] == GrantElevator && len(seg) >= 8 {
				x = byApp[seg[6]]
			}
			if isPaid {
				pos[k].Paid = pos[k].Paid.Add(v)
				x[1] = x[1].Add(v)
			} else {
				pos[k].Committed = pos[k].Committed.Add(v)
				x[0] = x[0].Add(v)
			}
			if seg[3] == GrantElevator && len(seg) >= 8 {
				byApp[seg[6]] = x
			}
		}
	}
	add(committed, false)
	add(paid, true)
	kinds := []string{GrantElevator, GrantAward, GrantContribution, GrantReward, GrantPool}
	for _, d := range ds {
		for _, k := range kinds {
			if x := pos[dk{d.Code, k}]; x != nil {
				x.DistrictName, x.Outstanding = d.NameZh, x.Committed.Sub(x.Paid)
				rep.Districts = append(rep.Districts, *x)
			}
		}
	}
	apps, err := p.ElevatorApplications(ctx, code)
	if err != nil {
		return rep, err
	}
	type bk struct{ district, project, building string }
	bld := map[bk]*BuildingPosition{}
	var bkeys []bk
	for _, a := range apps {
		if !asOf.IsZero() && a.AppliedOn.After(asOf) {
			continue
		}
		ref := a.District + ":" + a.Project + ":" + a.Code
		ap := ApplicationPosition{Code: a.Code, Project: a.Project, District: a.District, DistrictName: a.DistrictName, Building: a.Building,
			Unit: a.Unit, Status: a.Status, StatusOn: a.StatusOn, GrantCommitted: byApp[a.Code][0], GrantPaid: byApp[a.Code][1],
			ResidentsShare: share["grant:revenue:residents:"+ref], ResidentsReceived: received["grant:cash:residents:"+ref]}
		ap.ResidentsOutstanding = ap.ResidentsShare.Sub(ap.ResidentsReceived)
		rep.Applications = append(rep.Applications, ap)
		rep.StatusCounts[a.Status]++
		k := bk{a.District, a.Project, a.Building}
		if bld[k] == nil {
			bld[k] = &BuildingPosition{District: a.District, Project: a.Project, Building: a.Building}
			bkeys = append(bkeys, k)
		}
		b := bld[k]
		b.Share, b.Received, b.Outstanding = b.Share.Add(ap.ResidentsShare), b.Received.Add(ap.ResidentsReceived), b.Outstanding.Add(ap.ResidentsOutstanding)
	}
	sort.SliceStable(rep.Applications, func(i, j int) bool {
		return statusIndex(rep.Applications[i].Status) < statusIndex(rep.Applications[j].Status)
	})
	for _, k := range bkeys {
		rep.Buildings = append(rep.Buildings, *bld[k])
	}
	return rep, nil
}

func statusIndex(s string) int {
	for i, x := range []string{ElevatorApplied, ElevatorRefused, ElevatorApproved, ElevatorAccepted, ElevatorPaid} {
		if x == s {
			return i
		}
	}
	return 99
}
