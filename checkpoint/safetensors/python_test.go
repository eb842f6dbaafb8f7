package safetensors

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const pyScript = `
import json, sys
import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file
mode, path = sys.argv[1], sys.argv[2]
if mode == "read":
    out = {}
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
        for k in f.keys():
            a = f.get_tensor(k)
            out[k] = {"dtype": str(a.dtype), "shape": list(a.shape), "values": a.ravel().tolist()}
    print(json.dumps({"metadata": meta, "tensors": out}))
else:
    save_file({
        "f32": (np.arange(6, dtype=np.float32) * 0.5 - 1).reshape(2, 3),
        "i64": np.array([[-1, 2**40]], dtype=np.int64),
        "i32": np.array([7, -8, 9], dtype=np.int32),
        "scalar": np.array(3.25, dtype=np.float64),
        "empty": np.zeros((0, 4), dtype=np.float32),
    }, path, metadata={"format": "pt"})
`

// python returns a python3 that has the safetensors library, or skips.
func python(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import numpy, safetensors.numpy").Run() == nil {
			return path
		}
	}
	t.Skip("python3 with the safetensors and numpy packages not available")
	return ""
}

// Files we write load with the reference Python library, and files it
// writes load here.
func TestPythonCrossCheck(t *testing.T) {
	py := python(t)
	dir := t.TempDir()

	t.Run("python reads Go", func(t *testing.T) {
		path := filepath.Join(dir, "go.safetensors")
		err := WriteFile(path, []Tensor{
			F32("text_model.embeddings.token_embedding.weight", []int{2, 3}, []float32{0.5, -1.25, 3, 1e-3, -0, 7}),
			F64("logit_scale", nil, []float64{2.302585092994046}),
			I64("position_ids", []int{1, 3}, []int64{0, 1, 1 << 50}),
			I32("labels", []int{2}, []int32{-5, 6}),
			F32("empty", []int{0, 4}, nil),
		}, map[string]string{"format": "pt", "step": "12"})
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", pyScript, "read", path).Output()
		if err != nil {
			t.Fatalf("python: %v", err)
		}
		type pyTensor struct {
			DType  string    `json:"dtype"`
			Shape  []int     `json:"shape"`
			Values []float64 `json:"values"`
		}
		var got struct {
			Metadata map[string]string   `json:"metadata"`
			Tensors  map[string]pyTensor `json:"tensors"`
		}
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("python output %q: %v", out, err)
		}
		want := map[string]pyTensor{
			"text_model.embeddings.token_embedding.weight": {"float32", []int{2, 3}, []float64{0.5, -1.25, 3, float64(float32(1e-3)), 0, 7}},
			"logit_scale":  {"float64", []int{}, []float64{2.302585092994046}},
			"position_ids": {"int64", []int{1, 3}, []float64{0, 1, 1 << 50}},
			"labels":       {"int32", []int{2}, []float64{-5, 6}},
			"empty":        {"float32", []int{0, 4}, []float64{}},
		}
		if diff := cmp.Diff(want, got.Tensors); diff != "" {
			t.Errorf("python sees (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]string{"format": "pt", "step": "12"}, got.Metadata); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
	})

	t.Run("Go reads python", func(t *testing.T) {
		path := filepath.Join(dir, "py.safetensors")
		if out, err := exec.Command(py, "-c", pyScript, "write", path).CombinedOutput(); err != nil {
			t.Fatalf("python: %v\n%s", err, out)
		}
		f, err := ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(map[string]string{"format": "pt"}, f.Metadata); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		get := func(name string) Tensor {
			x, ok := f.Get(name)
			if !ok {
				t.Fatalf("no tensor %q in %v", name, f.Names())
			}
			return x
		}
		if v, err := get("f32").Float32s(); err != nil || !cmp.Equal(v, []float32{-1, -0.5, 0, 0.5, 1, 1.5}) {
			t.Errorf("f32 = %v, %v", v, err)
		}
		if v, err := get("i64").Int64s(); err != nil || !cmp.Equal(v, []int64{-1, 1 << 40}) {
			t.Errorf("i64 = %v, %v", v, err)
		}
		if v, err := get("i32").Int32s(); err != nil || !cmp.Equal(v, []int32{7, -8, 9}) {
			t.Errorf("i32 = %v, %v", v, err)
		}
		if s := get("scalar"); len(s.Shape) != 0 {
			t.Errorf("scalar shape %v", s.Shape)
		} else if v, err := s.Float64s(); err != nil || !cmp.Equal(v, []float64{3.25}) {
			t.Errorf("scalar = %v, %v", v, err)
		}
		if e := get("empty"); !cmp.Equal(e.Shape, []int{0, 4}) || len(e.Data) != 0 {
			t.Errorf("empty = %+v", e)
		}
	})
}
