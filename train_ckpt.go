package siglip

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/siglip-go/siglip/checkpoint"
	"github.com/siglip-go/siglip/checkpoint/safetensors"
	"github.com/siglip-go/siglip/data"
)

// What a training checkpoint holds (see checkpoint.Manager for the files
// and their atomic, verified writes):
//
//	model.safetensors  every parameter as F32 under its Hugging Face
//	                   SiglipModel name (Model.Params), so that
//	                   transformers can read the towers
//	state.safetensors  the AdamW moments, <name>.exp_avg and
//	                   <name>.exp_avg_sq (PyTorch's names), and "step"
//	                   (I64: the AdamW step count)
//	meta.json          TrainMeta

// Names of the optimiser state tensors.
const (
	stateM    = ".exp_avg"
	stateV    = ".exp_avg_sq"
	stateStep = "step"
)

// makeCheckpoint collects everything a run needs to continue after step.
func makeCheckpoint(m *Model, tok data.Tokenizer, loader *data.Loader, c TrainConfig, step, world int, src data.Source, ev *EvalResult) (*checkpoint.Checkpoint, error) {
	var params, state []safetensors.Tensor
	for _, p := range m.Params() {
		v, err := m.Param(p.Name)
		if err != nil {
			return nil, err
		}
		m1, v2, err := m.OptimizerState(p.Name)
		if err != nil {
			return nil, err
		}
		params = append(params, safetensors.F32(p.Name, p.Shape, v))
		state = append(state, safetensors.F32(p.Name+stateM, p.Shape, m1), safetensors.F32(p.Name+stateV, p.Shape, v2))
	}
	state = append(state, safetensors.I64(stateStep, nil, []int64{m.Steps()}))
	tj, err := tok.MarshalJSON()
	if err != nil {
		return nil, err
	}
	lj, err := json.Marshal(loader.State())
	if err != nil {
		return nil, err
	}
	p := m.LossParams()
	meta := TrainMeta{
		Format: trainMetaFormat, Step: int64(step), AdamSteps: m.Steps(), Config: c, Model: m.Config(),
		Tokenizer: tj, Loss: c.Loss.String(),
		TPrime: float64(p.TPrime), T: math.Exp(float64(p.TPrime)), Bias: float64(p.Bias),
		Loader: lj, RNG: TrainRNG{ParamSeed: c.Seed, DataSeed: c.Seed}, WorldSize: world,
		Eval: ev, Time: time.Now().UTC().Format(time.RFC3339),
	}
	for _, cl := range src.Classes() {
		meta.Classes = append(meta.Classes, cl.Name)
	}
	mj, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return nil, err
	}
	return &checkpoint.Checkpoint{Step: int64(step), Tensors: params, State: state, Meta: mj}, nil
}

// restoreModel loads every parameter of m from c (and, with state, the
// AdamW moments and step count).
func restoreModel(m *Model, c *checkpoint.Checkpoint, state bool) error {
	if err := restoreTensors(m, c.Dir, "model.safetensors", c.Tensors, func(p ParamInfo) bool { return true }, ""); err != nil {
		return err
	}
	if !state {
		return nil
	}
	if err := restoreTensors(m, c.Dir, "state.safetensors", c.State, func(p ParamInfo) bool { return true }, "state"); err != nil {
		return err
	}
	for _, t := range c.State {
		if t.Name == stateStep {
			if t.DType != "I64" || len(t.Data) != 8 {
				return fmt.Errorf("siglip: %w: %s/state.safetensors: %q is %s %v, want an I64 scalar", ErrInvalidInput, c.Dir, stateStep, t.DType, t.Shape)
			}
			return m.SetSteps(int64(binary.LittleEndian.Uint64(t.Data)))
		}
	}
	return fmt.Errorf("siglip: %w: %s/state.safetensors: no %q tensor", ErrInvalidInput, c.Dir, stateStep)
}

// restoreGroup loads the parameters of one group (e.g. the image tower of
// SigLiT) from c.
func restoreGroup(m *Model, c *checkpoint.Checkpoint, g ParamGroup) error {
	return restoreTensors(m, c.Dir, "model.safetensors", c.Tensors, func(p ParamInfo) bool { return p.Group == g }, "")
}

// restoreTensors sets the parameters of m selected by want (or, for kind
// "state", their moments) from tensors, checking names, dtypes and shapes.
func restoreTensors(m *Model, dir, file string, tensors []safetensors.Tensor, want func(ParamInfo) bool, kind string) error {
	byName := make(map[string]*safetensors.Tensor, len(tensors))
	for i := range tensors {
		byName[tensors[i].Name] = &tensors[i]
	}
	get := func(p ParamInfo, name string) ([]float32, error) {
		t, ok := byName[name]
		if !ok {
			return nil, fmt.Errorf("siglip: %w: %s/%s: no tensor %q (a checkpoint of another model?)", ErrInvalidInput, dir, file, name)
		}
		if t.DType != "F32" || !slices.Equal(t.Shape, p.Shape) {
			return nil, fmt.Errorf("siglip: %w: %s/%s: %q is %s %v, the model wants F32 %v", ErrInvalidInput, dir, file, name, t.DType, t.Shape, p.Shape)
		}
		v, err := t.Float32s()
		if err != nil {
			return nil, fmt.Errorf("siglip: %s/%s: %q: %w", dir, file, name, err)
		}
		return v, nil
	}
	for _, p := range m.Params() {
		if !want(p) {
			continue
		}
		if kind == "state" {
			m1, err := get(p, p.Name+stateM)
			if err != nil {
				return err
			}
			v2, err := get(p, p.Name+stateV)
			if err != nil {
				return err
			}
			if err := m.SetOptimizerState(p.Name, m1, v2); err != nil {
				return err
			}
			continue
		}
		v, err := get(p, p.Name)
		if err != nil {
			return err
		}
		if err := m.SetParam(p.Name, v); err != nil {
			return fmt.Errorf("siglip: %s/%s: %w", dir, file, err)
		}
	}
	return nil
}

// listCheckpoints returns the steps of the checkpoints under root (none if
// root does not exist).
func listCheckpoints(root string) ([]int64, error) {
	if _, err := os.Stat(root); err != nil {
		return nil, nil
	}
	mgr, err := checkpoint.NewManager(root, 0)
	if err != nil {
		return nil, err
	}
	mgr.Logf = nil
	return mgr.List()
}

// latestCheckpoint opens the newest readable checkpoint under root. skipped
// describes newer checkpoints that could not be read.
func latestCheckpoint(root string) (c *checkpoint.Checkpoint, skipped string, err error) {
	if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
		return nil, "", fmt.Errorf("siglip: %w: no checkpoint to resume from: %s does not exist", ErrInvalidInput, root)
	}
	mgr, err := checkpoint.NewManager(root, 0)
	if err != nil {
		return nil, "", err
	}
	var msgs []string
	mgr.Logf = func(format string, args ...any) { msgs = append(msgs, fmt.Sprintf(format, args...)) }
	c, err = mgr.Latest()
	if errors.Is(err, checkpoint.ErrNoCheckpoint) {
		return nil, "", fmt.Errorf("siglip: %w: no readable checkpoint in %s: %v", ErrInvalidInput, root, err)
	}
	if err != nil {
		return nil, "", fmt.Errorf("siglip: %s: %w", root, err)
	}
	return c, strings.Join(msgs, "; "), nil
}

// openCheckpoint opens a checkpoint directory, or the latest readable
// checkpoint of a run directory.
func openCheckpoint(path string) (*checkpoint.Checkpoint, error) {
	fi, err := os.Stat(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("siglip: %w: checkpoint %s does not exist", ErrInvalidInput, path)
		}
		return nil, err
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("siglip: %w: checkpoint %s is not a directory", ErrInvalidInput, path)
	}
	isCkpt := false
	for _, f := range []string{checkpoint.ManifestFile, checkpoint.ModelFile, checkpoint.MetaFile} {
		if _, err := os.Stat(filepath.Join(path, f)); err == nil {
			isCkpt = true
		}
	}
	if isCkpt {
		c, err := checkpoint.Load(path)
		if err != nil {
			return nil, fmt.Errorf("siglip: %w: checkpoint %s: %v", ErrInvalidInput, path, err)
		}
		return c, nil
	}
	root := filepath.Join(path, "checkpoints")
	if fi, err := os.Stat(root); err == nil && fi.IsDir() {
		c, _, err := latestCheckpoint(root)
		return c, err
	}
	return nil, fmt.Errorf("siglip: %w: %s is neither a checkpoint (model.safetensors, meta.json) nor a run directory (checkpoints/)", ErrInvalidInput, path)
}

// Trained is a model restored from a training checkpoint, with its
// tokenizer and metadata: what evaluation and embedding need.
type Trained struct {
	Model     *Model
	Tokenizer data.Tokenizer
	Meta      TrainMeta
	Dir       string // the checkpoint directory
}

// LoadTrained opens a checkpoint written by Train: a checkpoint directory,
// or a run directory (its latest readable checkpoint). threads sizes the
// model's pool (0: all cores). A missing, corrupt or incomplete checkpoint
// gives an error that wraps ErrInvalidInput.
func LoadTrained(path string, threads int) (*Trained, error) {
	c, err := openCheckpoint(path)
	if err != nil {
		return nil, err
	}
	var meta TrainMeta
	if err := json.Unmarshal(c.Meta, &meta); err != nil {
		return nil, fmt.Errorf("siglip: %w: %s/meta.json: %v", ErrInvalidInput, c.Dir, err)
	}
	if meta.Format != trainMetaFormat {
		return nil, fmt.Errorf("siglip: %w: %s/meta.json: format %q, want %q", ErrInvalidInput, c.Dir, meta.Format, trainMetaFormat)
	}
	tok, err := data.LoadTokenizer(meta.Tokenizer)
	if err != nil {
		return nil, fmt.Errorf("siglip: %w: %s/meta.json: %v", ErrInvalidInput, c.Dir, err)
	}
	m, err := NewModel(meta.Model, 0, WithThreads(threads))
	if err != nil {
		return nil, fmt.Errorf("siglip: %s/meta.json: model: %w", c.Dir, err)
	}
	if err := restoreModel(m, c, false); err != nil {
		m.Close()
		return nil, err
	}
	return &Trained{Model: m, Tokenizer: tok, Meta: meta, Dir: c.Dir}, nil
}

// Close frees the model.
func (t *Trained) Close() { t.Model.Close() }

// writeJSONFile writes v as indented JSON to path atomically.
func writeJSONFile(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(path, append(b, '\n'))
}

// writeFileAtomic writes b to a temporary file next to path, then renames
// it.
func writeFileAtomic(path string, b []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

func float32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

func bytesFloat32(b []byte) []float32 {
	v := make([]float32, len(b)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return v
}

func int64Bytes(v []int64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], uint64(x))
	}
	return b
}

func bytesInt64(b []byte) []int64 {
	v := make([]int64, len(b)/8)
	for i := range v {
		v[i] = int64(binary.LittleEndian.Uint64(b[8*i:]))
	}
	return v
}
