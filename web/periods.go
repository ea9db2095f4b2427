package web

// Month close and reopen (the finance bureau's), and the periods' state
// and history. Idempotent by state: closing a month the same user already
// closed last (with the same reason) answers 200 with
// Idempotent-Replayed: true and records nothing.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"fundledger/access"
	"fundledger/funding"
	"fundledger/ledger"
	"fundledger/requests"
)

func (s *Server) registerPeriods() {
	const tag = apiTag("periods")
	register(s, tag.read("/api/periods", "The months and their close/reopen history"), s.listPeriods)
	register(s, tag.write("/api/periods/{month}/close", "Close a month: a district's own (its officer or the bureau; ledger.CloseDistrictPeriod) or the city's (the bureau; ledger.ClosePeriod)"), s.closePeriod)
	register(s, tag.write("/api/periods/{month}/reopen", "Reopen a closed month with a reason: a district's own or the city's (the bureau)"), s.reopenPeriod)
}

type periodJSON struct {
	Period   string `json:"period"`
	District string `json:"district,omitempty"`
	Closed   bool   `json:"closed"`
}

type periodEventJSON struct {
	Period   string `json:"period"`
	District string `json:"district,omitempty"`
	Action   string `json:"action"`
	Actor    string `json:"actor"`
	Reason   string `json:"reason,omitempty"`
	At       string `json:"at"`
	HeadHash string `json:"head_hash,omitempty" doc:"the ledger's head hash when the event was recorded: what auditors write down"`
}

type periodsJSON struct {
	Items   []periodJSON      `json:"items"`
	History []periodEventJSON `json:"history"`
}

func (s *Server) listPeriods(ctx context.Context, _ *struct{}) (*bodyOut[periodsJSON], error) {
	l := s.prog.Ledger()
	ps, err := l.Periods(ctx)
	if err != nil {
		return nil, err
	}
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		return nil, err
	}
	out := periodsJSON{Items: []periodJSON{}, History: []periodEventJSON{}}
	for _, p := range ps {
		out.Items = append(out.Items, periodJSON{Period: p.String(), Closed: p.Closed})
	}
	for _, h := range hist {
		out.History = append(out.History, periodEventJSON{Period: h.Period.Format("2006-01"), District: h.District, Action: h.Action, Actor: h.Actor,
			Reason: h.Reason, At: h.At.UTC().Format(time.RFC3339), HeadHash: h.HeadHash})
	}
	return ok(out), nil
}

type periodIn struct {
	KeyHeader
	Month string                 `path:"month" doc:"YYYY-MM"`
	Body  *requests.PeriodAction `doc:"optional; reopening needs a reason"`
}

func (s *Server) closePeriod(ctx context.Context, in *periodIn) (*writeOut[periodJSON], error) {
	return s.periodAction(ctx, in, "close")
}

func (s *Server) reopenPeriod(ctx context.Context, in *periodIn) (*writeOut[periodJSON], error) {
	return s.periodAction(ctx, in, "reopen")
}

func (s *Server) periodAction(ctx context.Context, in *periodIn, action string) (*writeOut[periodJSON], error) {
	var reason, district string
	if in.Body != nil {
		reason = in.Body.Reason
		if in.Body.District != "" {
			d, err := funding.LookupDistrict(ctx, s.db, in.Body.District)
			if err != nil {
				return nil, err
			}
			district = d.Code
		}
	}
	p := principalOf(ctx)
	if district == "" && p.Role != access.FinanceBureau {
		return nil, fmt.Errorf("%w: %s (%s) may not %s the city's month", access.ErrDenied, p.User, p.Role, action)
	}
	if err := p.CheckWrite(district); district != "" && err != nil {
		return nil, err
	}
	month, err := ledger.ParsePeriod(in.Month)
	if err != nil {
		return nil, badParam("month", "v.month")
	}
	if action == "reopen" && strings.TrimSpace(reason) == "" {
		return nil, invalid("reason", "v.reason_required")
	}
	l := s.prog.Ledger()
	user := principalOf(ctx).User
	hist, err := l.PeriodHistory(ctx)
	if err != nil {
		return nil, err
	}
	var last *ledger.PeriodEvent
	for i := range hist {
		if hist[i].Period.Format("2006-01") == month.Format("2006-01") && hist[i].District == district {
			last = &hist[i]
		}
	}
	out := periodJSON{Period: month.Format("2006-01"), District: district, Closed: action == "close"}
	if last != nil && last.Action == action && last.Actor == user && last.Reason == reason {
		return status(http.StatusOK, out, true), nil
	}
	switch {
	case action == "close" && district != "":
		err = l.CloseDistrictPeriod(ctx, month, district, user, reason)
	case action == "close":
		err = l.ClosePeriod(ctx, month, user, reason)
	case district != "":
		err = l.ReopenDistrictPeriod(ctx, month, district, user, reason)
	default:
		err = l.ReopenPeriod(ctx, month, user, reason)
	}
	switch {
	case err != nil && strings.Contains(err.Error(), "already closed"):
		p := conflict(err)
		p.key = "v.already_closed"
		return nil, p
	case err != nil && strings.Contains(err.Error(), "is not closed"):
		p := conflict(err)
		p.key = "v.not_closed"
		return nil, p
	case err != nil:
		return nil, err
	}
	return status(http.StatusOK, out, false), nil
}
