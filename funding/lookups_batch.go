package funding

import (
	"context"
)

// prefetch reads, in a few queries, the projects a batch of requests
// refers to and their latest approvals, so that looking them up one by one
// afterwards costs no round trip. A project not found is left for the
// one-by-one lookup to report.
func prefetch[T any](ctx context.Context, l *lookups, items []T, project func(T) string) error {
	seen := make(map[string]bool, len(items))
	var codes []string
	for _, it := range items {
		if c := project(it); !seen[c] {
			seen[c] = true
			codes = append(codes, c)
		}
	}
	for lo := 0; lo < len(codes); lo += MaxBatchItems {
		part := codes[lo:min(lo+MaxBatchItems, len(codes))]
		prs, err := l.p.projectsOf(ctx, part)
		if err != nil {
			return err
		}
		for c, pr := range prs {
			l.projects[c] = pr
		}
		as, err := latestApprovalsOf(ctx, l.p.db, part)
		if err != nil {
			return err
		}
		for c, a := range as {
			l.approvals[c] = a
		}
	}
	return nil
}
