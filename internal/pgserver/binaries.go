package pgserver

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// ErrNoBinaries is returned when no PostgreSQL server installation
// (pg_ctl, initdb and postgres side by side) can be found.
var ErrNoBinaries = errors.New("pgserver: PostgreSQL server binaries (pg_ctl, initdb, postgres) not found " +
	"in PATH or under /usr/lib/postgresql/<version>/bin; install the server: apt-get install -y postgresql")

// systemRoot is where Debian/Ubuntu install versioned server binaries.
// A variable so that tests could point it elsewhere.
var systemRoot = "/usr/lib/postgresql"

// Binaries are the absolute paths of the server programs this package runs.
type Binaries struct {
	Dir      string // directory holding all three
	PgCtl    string
	Initdb   string
	Postgres string
}

// FindBinaries locates pg_ctl, initdb and postgres. The directory of the
// pg_ctl found in PATH wins (symlinks are resolved, so a /usr/local/bin
// symlink farm leads to the real installation); otherwise the highest
// version under /usr/lib/postgresql/<v>/bin is used. It returns
// ErrNoBinaries if neither has all three programs.
func FindBinaries() (Binaries, error) {
	if p, err := exec.LookPath("pg_ctl"); err == nil {
		if abs, err := filepath.Abs(p); err == nil {
			p = abs
		}
		candidates := []string{}
		if real, err := filepath.EvalSymlinks(p); err == nil {
			candidates = append(candidates, filepath.Dir(real))
		}
		candidates = append(candidates, filepath.Dir(p))
		for _, dir := range candidates {
			if b, ok := binariesIn(dir); ok {
				return b, nil
			}
		}
	}

	entries, err := os.ReadDir(systemRoot)
	if err != nil {
		return Binaries{}, ErrNoBinaries
	}
	var versions []string
	for _, e := range entries {
		if _, ok := parseVersion(e.Name()); ok {
			versions = append(versions, e.Name())
		}
	}
	// Highest version first.
	sort.Slice(versions, func(i, j int) bool {
		a, _ := parseVersion(versions[i])
		b, _ := parseVersion(versions[j])
		return compareVersions(a, b) > 0
	})
	for _, v := range versions {
		if b, ok := binariesIn(filepath.Join(systemRoot, v, "bin")); ok {
			return b, nil
		}
	}
	return Binaries{}, ErrNoBinaries
}

func binariesIn(dir string) (Binaries, bool) {
	b := Binaries{
		Dir:      dir,
		PgCtl:    filepath.Join(dir, "pg_ctl"),
		Initdb:   filepath.Join(dir, "initdb"),
		Postgres: filepath.Join(dir, "postgres"),
	}
	for _, p := range []string{b.PgCtl, b.Initdb, b.Postgres} {
		if !isExecutable(p) {
			return Binaries{}, false
		}
	}
	return b, true
}

func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// parseVersion parses directory names such as "15" or "9.6".
func parseVersion(s string) ([]int, bool) {
	parts := strings.Split(s, ".")
	out := make([]int, 0, len(parts))
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

func compareVersions(a, b []int) int {
	for i := 0; i < len(a) || i < len(b); i++ {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
