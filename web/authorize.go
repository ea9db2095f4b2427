package web

// The checks of a resource's district, shared by the operations: 404 when
// the resource does not exist, 403 when it is in a district the caller may
// not read (or change).

import (
	"context"
	"errors"
	"slices"
	"strings"

	"fundledger/funding"
)

// readableProject loads a project the caller may read.
func (s *Server) readableProject(ctx context.Context, code string) (funding.Project, error) {
	pr, err := s.prog.Project(ctx, code)
	if err != nil {
		return funding.Project{}, err
	}
	return pr, principalOf(ctx).CheckRead(pr.District)
}

// writableProject loads a project the caller may change.
func (s *Server) writableProject(ctx context.Context, code string) (funding.Project, error) {
	pr, err := s.prog.Project(ctx, code)
	if err != nil {
		return funding.Project{}, err
	}
	return pr, principalOf(ctx).CheckWrite(pr.District)
}

// districtParam resolves a ?district= (code or Chinese name) the caller may
// read; "" when absent.
func (s *Server) districtParam(ctx context.Context, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", nil
	}
	d, err := funding.LookupDistrict(ctx, s.db, v)
	if err != nil {
		return "", err
	}
	return d.Code, principalOf(ctx).CheckRead(d.Code)
}

// checkBankAccount: a bank account with a district is read by whoever
// reads the district and changed by whoever changes it; one without a
// district (the city's) is read by every role that reads all districts
// and changed by the finance bureau.
func (s *Server) checkBankAccount(ctx context.Context, code string, write bool) error {
	b, err := funding.LookupBankAccount(ctx, s.db, code)
	if errors.Is(err, funding.ErrNotFound) {
		return notFound(code)
	}
	if err != nil {
		return err
	}
	if write {
		return principalOf(ctx).CheckWrite(b.District)
	}
	return principalOf(ctx).CheckRead(b.District)
}

// readScope is the district codes the caller reads, for the read functions'
// district filters: nil for the roles that read every district, else the
// granted districts (empty when none is granted).
func readScope(ctx context.Context) []string {
	p := principalOf(ctx)
	if p.AllDistricts() {
		return nil
	}
	out := make([]string, 0, len(p.Districts))
	for d, granted := range p.Districts {
		if granted {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}
