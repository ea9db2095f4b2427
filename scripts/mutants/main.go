// Command mutants plants each mutation listed in scripts/mutants/*.txt,
// one at a time, in a temporary copy of the tree, runs the package tests
// that cover it and reports which mutants the tests killed. The working
// tree is never changed. Run it with `make mutants` (see the README).
//
// A list file holds blocks separated by blank lines:
//
//	# comments
//	id:    ledger/closed-period-first-month
//	file:  migrations/00007_ledger_bulk_speed.sql
//	old:   period = ANY (months) AND closed) THEN
//	new:   period = months[1] AND closed) THEN
//	test:  ./ledger/ -run TestRawSQL|TestBatchAcross
//	note:  why a survivor survives (optional)
//
// old must occur exactly once in the file; "\n" and "\t" in old and new are
// a newline and a tab. test is a package and go test flags (-run, -skip;
// no spaces inside a pattern). A mutant is killed when the tests fail on it.
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type mutant struct {
	id, file, old, new, pkg, note string
	args                          []string // go test flags after the package
	from                          string   // list file and line
}

func main() {
	only := flag.String("only", "", "run only the mutants whose id contains one of these texts (comma-separated)")
	timeout := flag.Duration("timeout", 5*time.Minute, "time limit of one mutant's tests")
	min := flag.Float64("min", 90, "fail below this score (percent killed)")
	baseline := flag.Bool("baseline", true, "first run each test command on the unchanged tree (it must pass)")
	keep := flag.Bool("keep", false, "keep the temporary copy")
	check := flag.Bool("check", false, "only check that every mutant applies (its old text is found once)")
	flag.Parse()
	lists := flag.Args()
	if len(lists) == 0 {
		lists, _ = filepath.Glob("scripts/mutants/*.txt")
	}
	var ms []mutant
	for _, l := range lists {
		got, err := parse(l)
		if err != nil {
			fail(err)
		}
		ms = append(ms, got...)
	}
	if *only != "" {
		ms = filter(ms, func(m mutant) bool {
			for _, o := range strings.Split(*only, ",") {
				if o != "" && strings.Contains(m.id, o) {
					return true
				}
			}
			return false
		})
	}
	if len(ms) == 0 {
		fail(errors.New("no mutants"))
	}
	if *check {
		bad := 0
		for _, m := range ms {
			b, err := os.ReadFile(m.file)
			if err != nil {
				fail(fmt.Errorf("%s: %w", m.from, err))
			}
			if c := strings.Count(string(b), m.old); c != 1 {
				fmt.Printf("%s: %s: old text found %d times in %s\n", m.from, m.id, c, m.file)
				bad++
			}
		}
		fmt.Printf("%d mutants, %d do not apply\n", len(ms), bad)
		if bad > 0 {
			os.Exit(1)
		}
		return
	}
	tmp, err := os.MkdirTemp("", "fundledger-mutants-")
	if err != nil {
		fail(err)
	}
	if !*keep {
		defer os.RemoveAll(tmp)
	}
	if err := copyTree(tmp); err != nil {
		fail(err)
	}
	fmt.Printf("%d mutants, copy of the tree in %s\n", len(ms), tmp)
	if *baseline {
		seen := map[string]bool{}
		for _, m := range ms {
			k := m.pkg + " " + strings.Join(m.args, " ")
			if seen[k] {
				continue
			}
			seen[k] = true
			if out, err := goTest(tmp, m, *timeout); err != nil {
				fmt.Print(out)
				fail(fmt.Errorf("baseline: go test %s %s fails on the unchanged tree", m.pkg, strings.Join(m.args, " ")))
			}
		}
		fmt.Printf("baseline: %d test commands pass on the unchanged tree\n", len(seen))
	}
	var killed, survived, broken []mutant
	for i, m := range ms {
		start := time.Now()
		path := filepath.Join(tmp, m.file)
		orig, err := os.ReadFile(path)
		if err != nil {
			fail(fmt.Errorf("%s: %w", m.from, err))
		}
		if c := strings.Count(string(orig), m.old); c != 1 {
			fail(fmt.Errorf("%s: %s: old text found %d times in %s, want once", m.from, m.id, c, m.file))
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(orig), m.old, m.new, 1)), 0o644); err != nil {
			fail(err)
		}
		out, err := goTest(tmp, m, *timeout)
		if werr := os.WriteFile(path, orig, 0o644); werr != nil {
			fail(werr)
		}
		verdict := "killed"
		switch {
		case err == nil:
			verdict = "SURVIVED"
			survived = append(survived, m)
		case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
			verdict = "broken (does not compile)"
			broken = append(broken, m)
		default:
			killed = append(killed, m)
		}
		fmt.Printf("%3d/%d %-8s %-50s %5.1fs\n", i+1, len(ms), verdict, m.id, time.Since(start).Seconds())
		if err == nil && m.note != "" {
			fmt.Printf("          note: %s\n", m.note)
		}
	}
	for _, m := range broken {
		fmt.Printf("broken (not counted): %s (%s)\n", m.id, m.from)
	}
	for _, m := range survived {
		fmt.Printf("survived: %s (%s)\n", m.id, m.from)
	}
	n := len(killed) + len(survived)
	score := 100 * float64(len(killed)) / float64(max(n, 1))
	fmt.Printf("mutation score: %d of %d killed (%.1f%%), %d survived, %d broken\n", len(killed), n, score, len(survived), len(broken))
	if score < *min {
		os.Exit(1)
	}
}

func goTest(dir string, m mutant, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout+30*time.Second)
	defer cancel()
	args := append([]string{"test", "-count=1", "-failfast", "-timeout", timeout.String(), m.pkg}, m.args...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func parse(path string) ([]mutant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var ms []mutant
	var cur mutant
	flush := func() error {
		if cur.id == "" && cur.file == "" {
			return nil
		}
		if cur.id == "" || cur.file == "" || cur.old == "" || cur.pkg == "" {
			return fmt.Errorf("%s: mutant needs id, file, old, new and test", cur.from)
		}
		ms = append(ms, cur)
		cur = mutant{}
		return nil
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	unescape := strings.NewReplacer(`\n`, "\n", `\t`, "\t").Replace
	for sc.Scan() {
		line++
		t := sc.Text()
		if strings.HasPrefix(t, "#") {
			continue
		}
		if strings.TrimSpace(t) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want key: value", path, line)
		}
		if cur.from == "" {
			cur.from = fmt.Sprintf("%s:%d", path, line)
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "id":
			cur.id = v
		case "file":
			cur.file = v
		case "old":
			cur.old = unescape(v)
		case "new":
			cur.new = unescape(v)
		case "test":
			f := strings.Fields(v)
			if len(f) > 0 {
				cur.pkg, cur.args = f[0], f[1:]
			}
		case "note":
			cur.note = v
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", path, line, k)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, m := range ms {
		if ids[m.id] {
			return nil, fmt.Errorf("%s: id %s used twice", m.from, m.id)
		}
		ids[m.id] = true
	}
	return ms, nil
}

// copyTree copies the files git knows or would add (tracked and untracked,
// not ignored) of the working tree into dir.
func copyTree(dir string) error {
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	files := strings.Split(strings.TrimRight(string(out), "\x00"), "\x00")
	sort.Strings(files)
	for _, f := range files {
		fi, err := os.Lstat(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted in the working tree
		}
		if err != nil || !fi.Mode().IsRegular() {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, b, fi.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

func filter(ms []mutant, keep func(mutant) bool) []mutant {
	var out []mutant
	for _, m := range ms {
		if keep(m) {
			out = append(out, m)
		}
	}
	return out
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "mutants:", err)
	os.Exit(2)
}
