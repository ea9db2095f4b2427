package web

// Reconciliation (package recon, as `fundledger recon`): statement import,
// matcher runs, the matches and manual match/unmatch. A bank account's
// district decides who may read and change its statements and matches.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"fundledger/recon"
	"fundledger/requests"
)

func (s *Server) registerRecon() {
	const tag = apiTag("reconciliation")
	register(s, tag.create("/api/bank-accounts/{code}/statements", "Import a bank statement, CSV (UTF-8 or GBK), XLSX or .xls, sent as the body (recon.Import)"), s.postStatement)
	register(s, tag.create("/api/bank-accounts/{code}/recon-runs", "Run the matcher on a bank account for a period (recon.Run)"), s.postReconRun)
	register(s, tag.read("/api/bank-accounts/{code}/matches", "A bank account's matches, by id"), s.listMatches)
	register(s, tag.create("/api/bank-accounts/{code}/matches", "Match statement lines and ledger postings by hand (recon.Match)"), s.postMatch)
	register(s, tag.write("/api/matches/{id}/unmatch", "Revoke a match, recorded and never deleted (recon.Unmatch)"), s.postUnmatch)
}

type statementUploadIn struct {
	KeyHeader
	CodePath
	Profile string `query:"profile" doc:"the bank's statement layout; generic when absent"`
	Name    string `query:"name" doc:"the file's name; statement when absent"`
	RawBody []byte `contentType:"application/octet-stream"`
}

// postStatement imports a statement file; idempotent by content: lines
// already stored are not added again (200, Idempotent-Replayed: true).
func (s *Server) postStatement(ctx context.Context, in *statementUploadIn) (*writeOut[recon.ImportResult], error) {
	prof := in.Profile
	if prof == "" {
		prof = recon.DefaultProfile
	}
	profile, err := recon.LookupProfile(prof)
	if err != nil {
		return nil, badParam("profile", "v.param", "profile")
	}
	name := in.Name
	if name == "" {
		name = "statement"
	}
	if !ruleFileRE.MatchString(name) {
		return nil, badParam("name", "v.filename")
	}
	if err := s.checkBankAccount(ctx, in.Code, true); err != nil {
		return nil, err
	}
	res, err := recon.New(s.db).Import(ctx, in.Code, profile, name, in.RawBody, principalOf(ctx).User)
	if err != nil {
		return nil, err
	}
	return written(res, res.AlreadyImported), nil
}

// postReconRun runs the matcher; matches already made are never changed,
// so a second run matches nothing new.
func (s *Server) postReconRun(ctx context.Context, in *codeWriteIn[requests.ReconRun]) (*bodyOut[recon.RunResult], error) {
	period, err := recon.ParsePeriod(in.Body.Period)
	if err != nil {
		return nil, invalid("period", "v.period")
	}
	window := recon.DefaultWindowDays
	if in.Body.WindowDays != nil {
		window = *in.Body.WindowDays
	}
	if window < 0 || window > recon.MaxWindowDays {
		return nil, invalid("window_days", "v.window", recon.MaxWindowDays)
	}
	if err := s.checkBankAccount(ctx, in.Code, true); err != nil {
		return nil, err
	}
	res, err := recon.New(s.db).Run(ctx, recon.RunRequest{BankAccount: in.Code, Period: period, WindowDays: window,
		Actor: principalOf(ctx).User, DryRun: in.Body.DryRun})
	if err != nil {
		return nil, err
	}
	return ok(res), nil
}

type matchesIn struct {
	CodePath
	PageQuery
	Period string `query:"period" doc:"YYYY-MM, YYYY or YYYY-MM-DD..YYYY-MM-DD"`
	All    bool   `query:"all" doc:"include revoked matches"`
}

func (s *Server) listMatches(ctx context.Context, in *matchesIn) (*bodyOut[page[recon.Match]], error) {
	f := recon.MatchFilter{BankAccount: in.Code, IncludeRevoked: in.All}
	var err error
	if in.Period != "" {
		if f.Period, err = recon.ParsePeriod(in.Period); err != nil {
			return nil, badParam("period", "v.period")
		}
	}
	var after int64
	if in.After != "" {
		if after, err = strconv.ParseInt(in.After, 10, 64); err != nil {
			return nil, badParam("after", "v.param", "after")
		}
	}
	if err := s.checkBankAccount(ctx, f.BankAccount, false); err != nil {
		return nil, err
	}
	ms, err := recon.New(s.db).Matches(ctx, f)
	if err != nil {
		return nil, err
	}
	out := page[recon.Match]{Items: []recon.Match{}}
	for _, m := range ms {
		if m.ID <= after {
			continue
		}
		if len(out.Items) == in.Limit {
			out.Next = strconv.FormatInt(out.Items[in.Limit-1].ID, 10)
			break
		}
		out.Items = append(out.Items, m)
	}
	return ok(out), nil
}

// postMatch records a person's match. Sent again by the same user (the
// same lines, reason), it answers the match already made.
func (s *Server) postMatch(ctx context.Context, in *codeWriteIn[requests.Match]) (*writeOut[recon.Match], error) {
	req := recon.MatchRequest{BankAccount: in.Code, Lines: in.Body.Lines, Reason: in.Body.Reason, Actor: principalOf(ctx).User}
	for i, p := range in.Body.Postings {
		ref, err := recon.ParsePostingRef(p)
		if err != nil {
			p := invalid(fmt.Sprintf("postings[%d]", i), "err.recon.ErrInvalid")
			p.cause = err
			return nil, p
		}
		req.Postings = append(req.Postings, ref)
	}
	if err := s.checkBankAccount(ctx, in.Code, true); err != nil {
		return nil, err
	}
	rc := recon.New(s.db)
	id, err := rc.Match(ctx, req)
	if errors.Is(err, recon.ErrAlreadyMatched) {
		if m, found := sameMatch(ctx, rc, req); found {
			return written(m, true), nil
		}
	}
	if err != nil {
		return nil, err
	}
	ms, err := rc.Matches(ctx, recon.MatchFilter{BankAccount: in.Code})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.ID == id {
			return written(m, false), nil
		}
	}
	return written(recon.Match{ID: id, BankAccount: in.Code, Actor: req.Actor, Reason: req.Reason, Lines: req.Lines, Postings: req.Postings}, false), nil
}

// sameMatch finds the caller's active manual match of exactly these lines
// and reason.
func sameMatch(ctx context.Context, rc *recon.Recon, req recon.MatchRequest) (recon.Match, bool) {
	ms, err := rc.Matches(ctx, recon.MatchFilter{BankAccount: req.BankAccount})
	if err != nil {
		return recon.Match{}, false
	}
	want := slices.Clone(req.Lines)
	slices.Sort(want)
	for _, m := range ms {
		got := slices.Clone(m.Lines)
		slices.Sort(got)
		if !m.Revoked && m.Pass == 0 && m.Actor == req.Actor && m.Reason == req.Reason && slices.Equal(got, want) {
			return m, true
		}
	}
	return recon.Match{}, false
}

type unmatchIn struct {
	KeyHeader
	IDPath
	Body requests.Unmatch
}

// postUnmatch revokes a match. Revoking again with the same reason answers
// 200 with Idempotent-Replayed: true.
func (s *Server) postUnmatch(ctx context.Context, in *unmatchIn) (*writeOut[recon.Match], error) {
	id, err := strconv.ParseInt(in.ID, 10, 64)
	if err != nil {
		return nil, notFound("match " + in.ID)
	}
	var account string
	err = s.db.GetContext(ctx, &account, `SELECT bank_account FROM recon_matches WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("match " + in.ID)
	}
	if err != nil {
		return nil, err
	}
	if err := s.checkBankAccount(ctx, account, true); err != nil {
		return nil, err
	}
	rc := recon.New(s.db)
	err = rc.Unmatch(ctx, id, in.Body.Reason, principalOf(ctx).User)
	again := false
	if errors.Is(err, recon.ErrRevoked) {
		again = true
	} else if err != nil {
		return nil, err
	}
	ms, err := rc.Matches(ctx, recon.MatchFilter{BankAccount: account, IncludeRevoked: true})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.ID != id {
			continue
		}
		if again && (m.RevokedBy != principalOf(ctx).User || m.RevokedWhy != in.Body.Reason) {
			return nil, fmt.Errorf("match %d: %w", id, recon.ErrRevoked)
		}
		return status(http.StatusOK, m, again), nil
	}
	return nil, notFound("match " + in.ID)
}
