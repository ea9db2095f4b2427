package main

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fundledger/internal/pgtest"
)

// TestREADMEWalkthrough runs every console block of the README's section
// "A month's work, by role", in order, on a fresh database: each `$
// fundledger …` line is run as the CLI; `> FILE` writes its output to a
// file the later commands read; a sample line under a command must appear
// in what it printed, and one starting with "fundledger: " means the
// command must fail with that message. Lines starting with "…" are not
// checked. So the walk-through cannot drift from the program.
func TestREADMEWalkthrough(t *testing.T) {
	t.Parallel()
	steps := readmeSteps(t, "../../README.md", "## A month's work, by role")
	if len(steps) < 30 {
		t.Fatalf("%d commands in the walk-through", len(steps))
	}
	url := pgtest.URL(t)
	dir := t.TempDir()
	for _, s := range steps {
		args, redirect := readmeArgs(t, s.command, dir)
		out, err := run(t, url, "", args...)
		if redirect != "" {
			if err := os.WriteFile(redirect, []byte(out), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		wantErr := ""
		for _, w := range s.output {
			if msg, ok := strings.CutPrefix(w, "fundledger: "); ok {
				wantErr = msg
			}
		}
		switch {
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr)):
			t.Fatalf("README line %d: %s\nwant the refusal %q, got %v\n%s", s.line, s.command, wantErr, err, out)
		case wantErr == "" && err != nil:
			t.Fatalf("README line %d: %s\n%v\n%s", s.line, s.command, err, out)
		}
		for _, w := range s.output {
			if strings.HasPrefix(w, "fundledger: ") {
				continue
			}
			// Columns are aligned by the output's widths: compare words.
			if !strings.Contains(strings.Join(strings.Fields(out), " "), strings.Join(strings.Fields(w), " ")) {
				t.Errorf("README line %d: %s\nits output lacks %q:\n%s", s.line, s.command, strings.TrimSpace(w), out)
			}
		}
	}
}

type readmeStep struct {
	line    int
	command string   // after "$ fundledger "
	output  []string // the sample lines shown under it
}

// readmeSteps are the commands of the console blocks of one section.
func readmeSteps(t *testing.T, path, section string) []readmeStep {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var steps []readmeStep
	in, block := false, false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "## "):
			in = l == section
		case !in:
		case strings.HasPrefix(l, "```console"):
			block = true
		case strings.HasPrefix(l, "```"):
			block = false
		case !block:
		case strings.HasPrefix(l, "$ fundledger "):
			steps = append(steps, readmeStep{line: n, command: strings.TrimPrefix(l, "$ fundledger ")})
		case strings.HasPrefix(l, "$ "):
			t.Fatalf("README line %d: only fundledger commands run in the walk-through: %s", n, l)
		case strings.TrimSpace(l) == "" || strings.HasPrefix(l, "…"):
		case len(steps) > 0:
			steps[len(steps)-1].output = append(steps[len(steps)-1].output, l)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// readmeArgs splits a command line as a shell would for these commands
// (words, "double quoted" words, one trailing "> FILE"); a word naming a
// file of the repository (rules/…, docs/…) or one a command wrote becomes
// its path.
func readmeArgs(t *testing.T, command, dir string) (args []string, redirect string) {
	t.Helper()
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range command {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case r == ' ' && !quoted:
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		t.Fatalf("unbalanced quote in %q", command)
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == ">" && i == len(words)-2:
			redirect = filepath.Join(dir, words[i+1])
			i++
			continue
		case strings.HasPrefix(w, "rules/") || strings.HasPrefix(w, "docs/"):
			w = filepath.Join("../..", w)
		case !strings.HasPrefix(w, "-") && strings.Contains(w, ".") && fileExists(filepath.Join(dir, w)):
			w = filepath.Join(dir, w)
		case strings.HasSuffix(w, ".journal"):
			w = filepath.Join(dir, w)
		}
		args = append(args, w)
	}
	return args, redirect
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
