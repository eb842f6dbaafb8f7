package checkpoint

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/siglip-go/siglip/checkpoint/safetensors"
)

// pattern fills n float32s deterministically from step, so the contents of a
// checkpoint identify the step that wrote them.
func pattern(step int64, n int, salt float32) []float32 {
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(step)*0.5 + float32(i%1000)*1e-3 + salt
	}
	return v
}

func makeCheckpoint(step int64, n int) *Checkpoint {
	meta, _ := json.Marshal(map[string]any{
		"step": step, "config": map[string]any{"preset": "s16"},
		"rng": []uint64{uint64(step) * 7, math.MaxUint64}, "data_position": step * 64,
	})
	return &Checkpoint{
		Step: step,
		Tensors: []safetensors.Tensor{
			safetensors.F32("vision_model.embeddings.patch_embedding.weight", []int{n}, pattern(step, n, 0)),
			safetensors.F32("logit_scale", []int{1}, []float32{float32(math.Log(10))}),
			safetensors.F32("logit_bias", []int{1}, []float32{-10}),
		},
		State: []safetensors.Tensor{
			safetensors.F32("adamw.m.vision_model.embeddings.patch_embedding.weight", []int{n}, pattern(step, n, 1)),
			safetensors.F32("adamw.v.vision_model.embeddings.patch_embedding.weight", []int{n}, pattern(step, n, 2)),
			safetensors.I64("adamw.step", nil, []int64{step}),
		},
		Meta: meta,
	}
}

// sameTensors compares tensors field by field (cmp on multi-megabyte byte
// slices is slow).
func sameTensors(t *testing.T, what string, want, got []safetensors.Tensor) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("%s: %d tensors, want %d", what, len(got), len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Name != g.Name || w.DType != g.DType || !cmp.Equal(w.Shape, g.Shape) || !bytes.Equal(w.Data, g.Data) {
			t.Fatalf("%s: tensor %d is %s %s %v (%d bytes), want %s %s %v (%d bytes), data equal: %v",
				what, i, g.Name, g.DType, g.Shape, len(g.Data), w.Name, w.DType, w.Shape, len(w.Data), bytes.Equal(w.Data, g.Data))
		}
	}
}

// checkContents verifies that c is exactly what makeCheckpoint(c.Step, n)
// wrote.
func checkContents(t *testing.T, c *Checkpoint, n int) {
	t.Helper()
	want := makeCheckpoint(c.Step, n)
	sameTensors(t, fmt.Sprintf("step %d model", c.Step), want.Tensors, c.Tensors)
	sameTensors(t, fmt.Sprintf("step %d state", c.Step), want.State, c.State)
	if string(want.Meta) != string(c.Meta) {
		t.Fatalf("step %d: meta %s, want %s", c.Step, c.Meta, want.Meta)
	}
}

func newManager(t *testing.T, root string, keep int) (*Manager, *[]string) {
	t.Helper()
	m, err := NewManager(root, keep)
	if err != nil {
		t.Fatal(err)
	}
	var warnings []string
	m.Logf = func(format string, args ...any) { warnings = append(warnings, fmt.Sprintf(format, args...)) }
	return m, &warnings
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestSaveLoadRoundTrip(t *testing.T) {
	root := filepath.Join(t.TempDir(), "ckpt", "nested")
	m, warnings := newManager(t, root, 0)
	if m.Keep() != DefaultKeep {
		t.Errorf("Keep() = %d, want %d", m.Keep(), DefaultKeep)
	}
	c := makeCheckpoint(123, 1000)
	c.Files = map[string][]byte{"config.json": []byte(`{"model_type":"siglip"}`), "tokenizer.txt": nil}
	dir, err := m.Save(c)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(root, "step-00000123"); dir != want || c.Dir != want {
		t.Errorf("Save returned %q (c.Dir %q), want %q", dir, c.Dir, want)
	}
	wantFiles := []string{"checksums.json", "config.json", "meta.json", "model.safetensors", "state.safetensors", "tokenizer.txt"}
	if diff := cmp.Diff(wantFiles, dirNames(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"step-00000123"}, dirNames(t, root)); diff != "" {
		t.Errorf("root (-want +got):\n%s", diff)
	}
	// model.safetensors is a plain safetensors file with format=pt, as
	// transformers' from_pretrained requires.
	f, err := safetensors.ReadFile(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	if f.Metadata["format"] != "pt" {
		t.Errorf("model metadata %v lacks format=pt", f.Metadata)
	}
	for _, load := range []func() (*Checkpoint, error){
		func() (*Checkpoint, error) { return Load(dir) },
		m.Latest,
		func() (*Checkpoint, error) { return m.Load(123) },
	} {
		got, err := load()
		if err != nil {
			t.Fatal(err)
		}
		checkContents(t, got, 1000)
		if got.Step != 123 || got.Dir != dir {
			t.Errorf("Step %d Dir %q", got.Step, got.Dir)
		}
		if diff := cmp.Diff(map[string][]byte{"config.json": []byte(`{"model_type":"siglip"}`), "tokenizer.txt": {}}, got.Files); diff != "" {
			t.Errorf("Files (-want +got):\n%s", diff)
		}
	}
	if steps, err := m.List(); err != nil || !cmp.Equal(steps, []int64{123}) {
		t.Errorf("List = %v, %v", steps, err)
	}
	if len(*warnings) != 0 {
		t.Errorf("warnings: %q", *warnings)
	}

	// Minimal checkpoint: no state, no meta, no extra files.
	dir, err = m.Save(&Checkpoint{Step: 0, Tensors: []safetensors.Tensor{safetensors.F32("w", nil, []float32{2})}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got.Meta != nil || got.Files != nil || len(got.State) != 0 || got.Step != 0 || len(got.Tensors) != 1 {
		t.Errorf("minimal checkpoint loaded as %+v", got)
	}
	if diff := cmp.Diff([]string{"checksums.json", "model.safetensors", "state.safetensors"}, dirNames(t, dir)); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	// Latest is by step, not by time of saving.
	if c, err := m.Latest(); err != nil || c.Step != 123 {
		t.Errorf("Latest = %v, %v; want step 123", c, err)
	}
}

func TestKeepLastN(t *testing.T) {
	tests := []struct {
		name  string
		keep  int
		saves []int64
		want  []int64
	}{
		{"keep 2", 2, []int64{1, 2, 3, 4, 5}, []int64{4, 5}},
		{"default keep", 0, []int64{10, 20, 30, 40, 50}, []int64{30, 40, 50}},
		{"keep 1", 1, []int64{1, 2, 3}, []int64{3}},
		{"fewer than keep", 5, []int64{1, 2}, []int64{1, 2}},
		{"older step saved after newer is kept", 2, []int64{10, 20, 15}, []int64{15, 20}},
		{"keep 1 keeps the one just saved", 1, []int64{20, 15}, []int64{15}},
		{"resave same step", 2, []int64{1, 2, 2, 2}, []int64{1, 2}},
		{"steps beyond 8 digits", 2, []int64{99999999, 100000000, 100000001}, []int64{100000000, 100000001}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			m, warnings := newManager(t, root, tc.keep)
			for _, s := range tc.saves {
				if _, err := m.Save(makeCheckpoint(s, 16)); err != nil {
					t.Fatal(err)
				}
			}
			steps, err := m.List()
			if err != nil || !cmp.Equal(steps, tc.want) {
				t.Errorf("List = %v, %v; want %v", steps, err, tc.want)
			}
			// Nothing but the kept step directories remains.
			var want []string
			for _, s := range tc.want {
				want = append(want, StepDirName(s))
			}
			sort.Strings(want)
			if diff := cmp.Diff(want, dirNames(t, root)); diff != "" {
				t.Errorf("root (-want +got):\n%s", diff)
			}
			c, err := m.Latest()
			if err != nil {
				t.Fatal(err)
			}
			if c.Step != tc.want[len(tc.want)-1] {
				t.Errorf("Latest step %d", c.Step)
			}
			checkContents(t, c, 16)
			if len(*warnings) != 0 {
				t.Errorf("warnings: %q", *warnings)
			}
		})
	}
}

func TestLatestSkipsCorrupt(t *testing.T) {
	flip := func(name string, off func(size int) int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[off(len(b))] ^= 0x10
			if err := os.WriteFile(p, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	truncate := func(name string, size func(int) int) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			p := filepath.Join(dir, name)
			st, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(p, int64(size(int(st.Size())))); err != nil {
				t.Fatal(err)
			}
		}
	}
	write := func(name, content string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	remove := func(name string) func(t *testing.T, dir string) {
		return func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name    string
		corrupt func(t *testing.T, dir string)
		want    string
	}{
		{"flip byte in model data", flip(ModelFile, func(n int) int { return n - 100 }),
			"model.safetensors: checksum mismatch: checksums.json says sha256 "},
		{"flip byte in model header", flip(ModelFile, func(int) int { return 20 }),
			"model.safetensors: "},
		{"flip byte in state", flip(StateFile, func(n int) int { return n / 2 }),
			"state.safetensors: checksum mismatch"},
		{"flip byte in meta", flip(MetaFile, func(int) int { return 3 }), "meta.json: checksum mismatch"},
		{"flip byte in extra file", flip("config.json", func(int) int { return 0 }), "config.json: checksum mismatch"},
		{"truncate model data", truncate(ModelFile, func(n int) int { return n - 1000 }),
			"model.safetensors: truncated: header says 16008 bytes of data, file has 15008"},
		{"truncate model in header", truncate(ModelFile, func(int) int { return 50 }),
			"model.safetensors: truncated: header length says"},
		{"model empty", truncate(ModelFile, func(int) int { return 0 }),
			"model.safetensors: truncated: file is 0 bytes"},
		{"truncate state", truncate(StateFile, func(n int) int { return n - 8 }),
			"state.safetensors: truncated"},
		{"truncate meta", truncate(MetaFile, func(n int) int { return n - 1 }),
			"meta.json: truncated: checksums.json says"},
		{"append to model", func(t *testing.T, dir string) {
			f, _ := os.OpenFile(filepath.Join(dir, ModelFile), os.O_APPEND|os.O_WRONLY, 0)
			f.Write([]byte{1, 2, 3, 4})
			f.Close()
		}, "model.safetensors: 4 trailing bytes"},
		{"missing model", remove(ModelFile), "model.safetensors: missing (listed in checksums.json)"},
		{"missing meta", remove(MetaFile), "meta.json: missing"},
		{"missing manifest", remove(ManifestFile), "checksums.json missing: incomplete checkpoint"},
		{"truncated manifest", truncate(ManifestFile, func(n int) int { return n / 2 }), "checksums.json: invalid:"},
		{"garbage manifest", write(ManifestFile, "\x00\x01garbage"), "checksums.json: invalid:"},
		{"manifest of another step", func(t *testing.T, dir string) {
			b, _ := os.ReadFile(filepath.Join(dir, ManifestFile))
			b = []byte(strings.Replace(string(b), `"step": `, `"step": 99`, 1))
			os.WriteFile(filepath.Join(dir, ManifestFile), b, 0o644)
		}, "checksums.json says step 99"},
		{"manifest without model", write(ManifestFile, `{"format":"siglip-checkpoint","version":1,"step":2,"files":[]}`),
			"checksums.json does not list model.safetensors"},
		{"manifest from the future", write(ManifestFile, `{"format":"siglip-checkpoint","version":9,"step":2,"files":[]}`),
			"checksums.json: version 9, this program reads version 1"},
		{"manifest path escape", write(ManifestFile, `{"format":"siglip-checkpoint","version":1,"step":2,"files":[{"name":"../x","size":0,"sha256":""}]}`),
			`checksums.json: bad entry "../x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			m, warnings := newManager(t, root, 3)
			for step := int64(1); step <= 2; step++ {
				c := makeCheckpoint(step, 4000)
				c.Files = map[string][]byte{"config.json": []byte(`{"step":` + fmt.Sprint(step) + `}`)}
				if _, err := m.Save(c); err != nil {
					t.Fatal(err)
				}
			}
			tc.corrupt(t, m.StepDir(2))

			_, err := Load(m.StepDir(2))
			if err == nil {
				t.Fatal("Load of the corrupted checkpoint succeeded")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load error %q\ndoes not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "checkpoint "+m.StepDir(2)+": ") {
				t.Errorf("Load error %q does not name the directory", err)
			}
			if !errors.Is(err, ErrCorrupt) {
				t.Errorf("Load error %q is not ErrCorrupt", err)
			}

			c, err := m.Latest()
			if err != nil {
				t.Fatalf("Latest: %v", err)
			}
			if c.Step != 1 {
				t.Fatalf("Latest step %d, want 1", c.Step)
			}
			checkContents(t, c, 4000)
			if len(*warnings) != 1 || !strings.Contains((*warnings)[0], "skipping step 2") || !strings.Contains((*warnings)[0], tc.want) {
				t.Errorf("warnings %q, want one about step 2 with %q", *warnings, tc.want)
			}

			// With the only other checkpoint corrupt too: ErrNoCheckpoint,
			// naming both problems.
			tc.corrupt(t, m.StepDir(1))
			_, err = m.Latest()
			if !errors.Is(err, ErrNoCheckpoint) {
				t.Fatalf("Latest err = %v, want ErrNoCheckpoint", err)
			}
			if !strings.Contains(err.Error(), "2 failed verification") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Latest err %q lacks the reasons", err)
			}

			// A new save still works and becomes the latest.
			if _, err := m.Save(makeCheckpoint(3, 4000)); err != nil {
				t.Fatal(err)
			}
			if c, err := m.Latest(); err != nil || c.Step != 3 {
				t.Fatalf("Latest after new save = %v, %v", c, err)
			}
		})
	}
}

func TestNoCheckpoint(t *testing.T) {
	m, _ := newManager(t, t.TempDir(), 2)
	_, err := m.Latest()
	if !errors.Is(err, ErrNoCheckpoint) {
		t.Fatalf("err = %v, want ErrNoCheckpoint", err)
	}
	if steps, err := m.List(); err != nil || len(steps) != 0 {
		t.Errorf("List = %v, %v", steps, err)
	}
	if _, err := Load(filepath.Join(m.Root(), "step-00000001")); err == nil || errors.Is(err, ErrCorrupt) {
		t.Errorf("Load of a missing dir: %v (want a not-exist error, not ErrCorrupt)", err)
	}
	if _, err := NewManager("", 1); err == nil {
		t.Error("NewManager(\"\") succeeded")
	}
}

func TestLeftoversCleaned(t *testing.T) {
	root := t.TempDir()
	m, _ := newManager(t, root, 3)
	if _, err := m.Save(makeCheckpoint(5, 16)); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Save(makeCheckpoint(6, 16)); err != nil {
		t.Fatal(err)
	}
	// Simulate crashes: a half-written save, a half-done prune, a step
	// moved aside by the two-rename replace (step 6 exists, so the aside
	// copy is stale), and one whose step is missing (so it is restored).
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, ".tmp-step-00000007-123", "sub"), 0o755))
	must(os.WriteFile(filepath.Join(root, ".tmp-step-00000007-123", ModelFile), []byte("partial"), 0o644))
	must(os.MkdirAll(filepath.Join(root, ".tmp-step-00000001-del-abcd"), 0o755))
	must(os.MkdirAll(filepath.Join(root, ".old-step-00000006-ffff"), 0o755))
	must(os.Rename(m.StepDir(5), filepath.Join(root, ".old-step-00000005-eeee")))
	// Not ours: left alone.
	must(os.WriteFile(filepath.Join(root, "notes.txt"), []byte("hi"), 0o644))
	must(os.MkdirAll(filepath.Join(root, "step-7"), 0o755))
	must(os.MkdirAll(filepath.Join(root, ".tmpfoo"), 0o755))

	m2, _ := newManager(t, root, 3)
	want := []string{".tmpfoo", "notes.txt", "step-00000005", "step-00000006", "step-7"}
	if diff := cmp.Diff(want, dirNames(t, root)); diff != "" {
		t.Errorf("after NewManager (-want +got):\n%s", diff)
	}
	if c, err := m2.Load(5); err != nil {
		t.Errorf("restored step 5: %v", err)
	} else {
		checkContents(t, c, 16)
	}
	if steps, _ := m2.List(); !cmp.Equal(steps, []int64{5, 6}) {
		t.Errorf("List = %v", steps)
	}
	// Save cleans up too.
	must(os.MkdirAll(filepath.Join(root, ".tmp-step-00000009-xyz"), 0o755))
	if _, err := m2.Save(makeCheckpoint(8, 16)); err != nil {
		t.Fatal(err)
	}
	want = []string{".tmpfoo", "notes.txt", "step-00000005", "step-00000006", "step-00000008", "step-7"}
	if diff := cmp.Diff(want, dirNames(t, root)); diff != "" {
		t.Errorf("after Save (-want +got):\n%s", diff)
	}
}

func TestSaveReplacesStep(t *testing.T) {
	for _, fallback := range []bool{false, true} {
		t.Run(fmt.Sprintf("fallback=%v", fallback), func(t *testing.T) {
			if fallback {
				exchangeDirs = func(a, b string) error { return errExchangeUnsupported }
				defer func() { exchangeDirs = exchange }()
			}
			root := t.TempDir()
			m, warnings := newManager(t, root, 3)
			if _, err := m.Save(makeCheckpoint(4, 16)); err != nil {
				t.Fatal(err)
			}
			first := makeCheckpoint(5, 16)
			if _, err := m.Save(first); err != nil {
				t.Fatal(err)
			}
			second := makeCheckpoint(5, 16)
			second.Tensors[0] = safetensors.F32(second.Tensors[0].Name, []int{3}, []float32{9, 9, 9})
			second.Meta = json.RawMessage(`{"second":true}`)
			if _, err := m.Save(second); err != nil {
				t.Fatal(err)
			}
			c, err := m.Latest()
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := c.Tensors[0].Float32s(); !cmp.Equal(v, []float32{9, 9, 9}) || string(c.Meta) != `{"second":true}` {
				t.Errorf("step 5 not replaced: %v %s", v, c.Meta)
			}
			if diff := cmp.Diff([]string{"step-00000004", "step-00000005"}, dirNames(t, root)); diff != "" {
				t.Errorf("root (-want +got):\n%s", diff)
			}
			if len(*warnings) != 0 {
				t.Errorf("warnings: %q", *warnings)
			}
		})
	}
}

func TestSaveRejectsInvalid(t *testing.T) {
	ok := makeCheckpoint(1, 4)
	tests := []struct {
		name string
		c    *Checkpoint
		want string
	}{
		{"nil", nil, "Save(nil)"},
		{"negative step", &Checkpoint{Step: -1}, "negative step -1"},
		{"bad meta", &Checkpoint{Step: 1, Tensors: ok.Tensors, Meta: json.RawMessage(`{"a":`)}, "Meta is not valid JSON"},
		{"bad tensor", &Checkpoint{Step: 1, Tensors: []safetensors.Tensor{{Name: "w", DType: "F32", Shape: []int{2}, Data: make([]byte, 4)}}},
			`model.safetensors: tensor "w": F32 shape [2] needs 2 elements (8 bytes), data has 4 bytes`},
		{"duplicate state", &Checkpoint{Step: 1, State: []safetensors.Tensor{ok.State[2], ok.State[2]}}, `state.safetensors: duplicate tensor name "adamw.step"`},
		{"reserved file", &Checkpoint{Step: 1, Files: map[string][]byte{"meta.json": nil}}, `"meta.json" is a reserved name`},
		{"path in file name", &Checkpoint{Step: 1, Files: map[string][]byte{"../evil": nil}}, "path separator"},
		{"hidden file", &Checkpoint{Step: 1, Files: map[string][]byte{".x": nil}}, "must not start with a dot"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			m, _ := newManager(t, root, 3)
			_, err := m.Save(tc.c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if names := dirNames(t, root); len(names) != 0 {
				t.Errorf("root holds %v after a failed save", names)
			}
		})
	}
}

func TestParseStepDir(t *testing.T) {
	for name, want := range map[string]int64{"step-00000000": 0, "step-00000123": 123, "step-123456789": 123456789} {
		if got, ok := parseStepDir(name); !ok || got != want {
			t.Errorf("parseStepDir(%q) = %d, %v", name, got, ok)
		}
	}
	for _, name := range []string{"step-123", "step-", "step-0000012a", "step--0000001", "step-+0000001", "xstep-00000001", "step-99999999999999999999"} {
		if _, ok := parseStepDir(name); ok {
			t.Errorf("parseStepDir(%q) accepted", name)
		}
	}
}
