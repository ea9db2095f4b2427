package main

import (
	"strings"
	"testing"
)

// TestAmountFlagsRefuseWhatIsNotAPlainDecimal: the reproductions
// (1e3 was stored as 1,000.00). Every money flag is read by package amount
// before the database is opened, so the refusal needs no server.
func TestAmountFlagsRefuseWhatIsNotAPlainDecimal(t *testing.T) {
	t.Parallel()
	commands := [][]string{
		{"receipt", "--project", "P", "--source", "central", "--date", "2021-01-01", "--key", "k", "--amount"},
		{"pay", "--project", "P", "--source", "central", "--category", "basic", "--date", "2021-01-01", "--key", "k", "--amount"},
		{"elevator", "contribute", "E1", "--date", "2021-01-01", "--amount"},
		{"bond", "revenue", "--date", "2021-01-01", "--amount"},
		{"bond", "allocate", "B1", "--date", "2021-01-01", "--amount"},
		{"allocate", "--year", "2022", "--pool"},
	}
	for _, bad := range []struct{ in, why string }{
		{"1e3", "exponent"}, {"1E+3", "exponent"}, {"+100", "'+'"}, {"100.", "after the point"}, {".5", "before the point"},
		{"1.005", "two decimals"}, {"1,000", "only digits"},
	} {
		for _, c := range commands {
			args := append(append([]string{}, c...), bad.in)
			out, err := run(t, "postgres://nowhere.invalid/none", "", args...)
			if err == nil || !strings.Contains(err.Error(), bad.why) || !strings.Contains(err.Error(), `"`+bad.in+`"`) {
				t.Errorf("%s: err %v (output %q), want a refusal quoting %q and saying %q", strings.Join(args, " "), err, out, bad.in, bad.why)
			}
		}
	}
}
