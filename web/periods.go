package web

// Month close and reopen (the finance bureau's), and the periods' state
// and history. Idempotent by state: closing a month the same user already
// closed last (with the same reason) answers 200 with
// Idempotent-Replayed: true and records nothing.

import (
	"context"
	"net/http"
	"strings"
	"time"

	"fundledger/ledger"
)

func (s *Server) registerPeriods() {
	const tag = "periods"
	register(s, op{method: http.MethodGet, path: "/api/periods", kind: opRead, tag: tag,
		summary: "The months and their close/reopen history"}, s.listPeriods)
	register(s, op{method: http.MethodPost, path: "/api/periods/{month}/close", kind: opBureau, what: "close periods", tag: tag,
		summary: "Close a month (ledger.ClosePeriod)"}, s.closePeriod)
	register(s, op{method: http.MethodPost, path: "/api/periods/{month}/reopen", kind: opBureau, what: "reopen periods", tag: tag,
		summary: "Reopen a closed month with a reason (ledger.ReopenPeriod)"}, s.reopenPeriod)
}

type periodJSON struct {
	Period string `json:"period"`
	Closed bool   `json:"closed"`
}

type periodEventJSON struct {
	Period string `json:"period"`
	Action string `json:"action"`
	Actor  string `json:"actor"`
	Reason string `json:"reason,omitempty"`
	At     string `json:"at"`
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
		out.History = append(out.History, periodEventJSON{Period: h.Period.Format("2006-01"), Action: h.Action, Actor: h.Actor,
			Reason: h.Reason, At: h.At.UTC().Format(time.RFC3339)})
	}
	return ok(out), nil
}

// reasonBody is a body of one reason.
type reasonBody struct {
	Reason string `json:"reason,omitempty"`
}

type periodIn struct {
	KeyHeader
	Month string      `path:"month" doc:"YYYY-MM"`
	Body  *reasonBody `doc:"optional; reopening needs a reason"`
}

func (s *Server) closePeriod(ctx context.Context, in *periodIn) (*writeOut[periodJSON], error) {
	return s.periodAction(ctx, in, "close")
}

func (s *Server) reopenPeriod(ctx context.Context, in *periodIn) (*writeOut[periodJSON], error) {
	return s.periodAction(ctx, in, "reopen")
}

func (s *Server) periodAction(ctx context.Context, in *periodIn, action string) (*writeOut[periodJSON], error) {
	var reason string
	if in.Body != nil {
		reason = in.Body.Reason
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
		if hist[i].Period.Format("2006-01") == month.Format("2006-01") {
			last = &hist[i]
		}
	}
	out := periodJSON{Period: month.Format("2006-01"), Closed: action == "close"}
	if last != nil && last.Action == action && last.Actor == user && last.Reason == reason {
		return status(http.StatusOK, out, true), nil
	}
	if action == "close" {
		err = l.ClosePeriod(ctx, month, user, reason)
	} else {
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
