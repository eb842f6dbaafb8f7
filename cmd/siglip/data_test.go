package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDataShow(t *testing.T) {
	r := siglipRun(t, "data", "show", "shapes", "--n", "3", "--split", "test")
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[0], "shapes/test: 1000 examples, 20 classes") || len(lines) != 1+20+3 {
		t.Errorf("output:\n%s", r.stdout)
	}
	if f := strings.Split(lines[len(lines)-1], "\t"); len(f) != 4 || f[0] != "2" || f[3] == "" {
		t.Errorf("last line %q, want index, key, class, caption", lines[len(lines)-1])
	}

	dir := t.TempDir()
	r = siglipRun(t, "data", "show", "shapes", "--n", "2", "--start", "10", "--no-classes", "--png", dir)
	if r.code != 0 || strings.Count(r.stdout, "\n") != 3 {
		t.Errorf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	for _, f := range []string{"000010.png", "000011.png"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("--png: %s: %v", f, err)
		}
	}
	for _, args := range [][]string{{"data", "--help"}, {"data"}, {"data", "show", "--help"}, {"data", "fetch", "--help"}} {
		if r := siglipRun(t, args...); r.code != 0 || r.stdout == "" {
			t.Errorf("siglip %v: exit %d, stderr %q", args, r.code, r.stderr)
		}
	}
}

func TestDataErrors(t *testing.T) {
	cache := t.TempDir()
	folder := t.TempDir()
	os.WriteFile(filepath.Join(folder, "captions.tsv"), []byte("a.png\ta caption\n"), 0o644)
	for _, tc := range []struct {
		args  []string
		wants []string
	}{
		{[]string{"data", "show", "imagenet"}, []string{`unknown data set "imagenet"`, "shapes, mnist"}},
		{[]string{"data", "show", "shapes", "--split", "val"}, []string{`unknown split "val"`}},
		{[]string{"data", "show", "shapes", "--n", "-1"}, []string{"--n -1"}},
		{[]string{"data", "show", "emoji-google", "--cache", cache}, []string{"siglip data fetch emoji-google"}},
		{[]string{"data", "show", folder}, []string{"captions.tsv:1", "a.png", "missing file"}},
		{[]string{"data", "show"}, []string{"accepts 1 arg"}},
		{[]string{"data", "fetch", "emoji-apple", "--cache", cache}, []string{`"emoji-apple"`, "emoji-google"}},
		{[]string{"data", "nosuch"}, []string{`unknown command "nosuch"`}},
	} {
		checkOneErrorLine(t, siglipRun(t, tc.args...), tc.wants...)
	}
	// No npm: a failure of the machine (exit 1), not of the input.
	t.Setenv("PATH", "")
	r := siglipRun(t, "data", "fetch", "emoji-twitter", "--cache", cache)
	if r.code != 1 || !strings.Contains(r.stderr, "npm not found") {
		t.Errorf("fetch without npm: exit %d, stderr %q", r.code, r.stderr)
	}
}
