package backup

import (
	"errors"
	"testing"
	"time"
)

// TestChoose: the latest base backup that finished at or before the target.
func TestChoose(t *testing.T) {
	at := func(h, m int) time.Time { return time.Date(2026, 12, 2, h, m, 0, 0, time.UTC) }
	bases := []Base{{Name: "a", Finished: at(1, 0)}, {Name: "b", Finished: at(3, 0)}, {Name: "c", Finished: at(5, 0)}}
	for _, tc := range []struct {
		target  *time.Time
		want    string
		wantErr error
	}{
		{nil, "c", nil},
		{ptr(at(6, 0)), "c", nil},
		{ptr(at(5, 0)), "c", nil},
		{ptr(at(4, 59)), "b", nil},
		{ptr(at(1, 0)), "a", nil},
		{ptr(at(0, 59)), "", ErrNoBackup},
	} {
		got, err := choose(bases, tc.target)
		if !errors.Is(err, tc.wantErr) || got.Name != tc.want {
			t.Errorf("choose(%v) = %q, %v; want %q, %v", tc.target, got.Name, err, tc.want, tc.wantErr)
		}
	}
	if _, err := choose(nil, nil); !errors.Is(err, ErrNoBackup) {
		t.Errorf("no backups: %v", err)
	}
}

func ptr(t time.Time) *time.Time { return &t }

// TestCheckDir: only paths that go into archive_command unquoted.
func TestCheckDir(t *testing.T) {
	for _, tc := range []struct {
		dir string
		ok  bool
	}{
		{"/var/lib/fundledger-backup", true},
		{"/mnt/backup/fl_2026.v1+x", true},
		{"/mnt/my backup", true},
		{"/mnt/备份", true},
		{"/mnt/a;rm -rf /", true}, // single-quoted: harmless
		{"/mnt/$(id)", true},
		{"/mnt/it's", false},
		{"/mnt/100%", false},
		{`/mnt/a\b`, false},
		{"/mnt/a\nb", false},
	} {
		_, err := checkDir(tc.dir)
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrUnsafePath)) {
			t.Errorf("checkDir(%q) = %v, want ok=%v", tc.dir, err, tc.ok)
		}
	}
}
