package checkpoint

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/siglip-go/siglip/checkpoint/safetensors"
)

// File names inside a checkpoint directory.
const (
	ModelFile    = "model.safetensors"
	StateFile    = "state.safetensors"
	MetaFile     = "meta.json"
	ManifestFile = "checksums.json"
)

// DefaultKeep is the number of checkpoints kept when NewManager is given
// keep <= 0.
const DefaultKeep = 3

const (
	manifestFormat  = "siglip-checkpoint"
	manifestVersion = 1
	stepPrefix      = "step-"
	tmpPrefix       = ".tmp-" // everything under ROOT starting with this is ours to delete
	oldPrefix       = ".old-" // a replaced step, only on systems without RENAME_EXCHANGE
)

// ErrNoCheckpoint is wrapped by Latest's error when no checkpoint verifies.
var ErrNoCheckpoint = errors.New("no valid checkpoint")

// ErrCorrupt is wrapped by Load's error when a checkpoint is incomplete,
// truncated or does not match its checksums.
var ErrCorrupt = errors.New("corrupt checkpoint")

type corruptError struct{ msg string }

func (e *corruptError) Error() string        { return e.msg }
func (e *corruptError) Is(target error) bool { return target == ErrCorrupt }

func corruptf(format string, args ...any) error {
	return &corruptError{msg: fmt.Sprintf(format, args...)}
}

// Checkpoint is one saved training state.
type Checkpoint struct {
	// Dir is the directory the checkpoint was loaded from or saved to
	// (set by Load, Latest and Save; ignored as input to Save).
	Dir  string
	Step int64
	// Tensors are the model weights (model.safetensors), in file order.
	Tensors []safetensors.Tensor
	// State holds optimiser moments and other trainer tensors
	// (state.safetensors).
	State []safetensors.Tensor
	// Meta is trainer-defined JSON (meta.json): config, RNG state, data
	// position, tokenizer, ... Nil when the checkpoint has none.
	Meta json.RawMessage
	// Files are extra files stored verbatim and checksummed (for example a
	// Hugging Face config.json next to model.safetensors). Names are plain
	// file names; nil when there are none.
	Files map[string][]byte
}

type manifest struct {
	Format  string         `json:"format"`
	Version int            `json:"version"`
	Step    int64          `json:"step"`
	Files   []manifestFile `json:"files"`
}

type manifestFile struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// StepDirName returns the directory name of step: step-00000123.
func StepDirName(step int64) string { return fmt.Sprintf("%s%08d", stepPrefix, step) }

// parseStepDir returns the step of a directory name made by StepDirName.
func parseStepDir(name string) (int64, bool) {
	if !strings.HasPrefix(name, stepPrefix) {
		return 0, false
	}
	digits := name[len(stepPrefix):]
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || StepDirName(n) != name {
		return 0, false
	}
	return n, true
}

func checkFileName(name string) error {
	switch {
	case name == "" || name == "." || name == "..":
		return fmt.Errorf("invalid file name %q", name)
	case strings.ContainsAny(name, `/\`+"\x00"):
		return fmt.Errorf("file name %q must not contain a path separator", name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("file name %q must not start with a dot", name)
	}
	return nil
}

// Manager saves checkpoints under one root directory, keeps the newest few
// and finds the latest one that verifies.
type Manager struct {
	// Logf receives warnings: checkpoints that Latest skipped because they
	// failed verification, and leftovers that could not be cleaned up.
	// NewManager sets it to log.Printf; set it to nil to discard them.
	Logf func(format string, args ...any)

	root string
	keep int
	mu   sync.Mutex
}

// NewManager returns a Manager for root, creating the directory if needed
// and removing leftovers of crashed saves. It keeps the newest keep
// checkpoints (DefaultKeep when keep <= 0).
func NewManager(root string, keep int) (*Manager, error) {
	if root == "" {
		return nil, errors.New("checkpoint: empty root directory")
	}
	if keep <= 0 {
		keep = DefaultKeep
	}
	_, statErr := os.Stat(root)
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	if statErr != nil {
		// Make the new root itself durable.
		_ = syncDir(filepath.Dir(filepath.Clean(root)))
	}
	m := &Manager{Logf: log.Printf, root: root, keep: keep}
	m.cleanup()
	return m, nil
}

// Root returns the root directory.
func (m *Manager) Root() string { return m.root }

// Keep returns how many checkpoints are kept.
func (m *Manager) Keep() int { return m.keep }

// StepDir returns the directory of step under the root.
func (m *Manager) StepDir(step int64) string { return filepath.Join(m.root, StepDirName(step)) }

func (m *Manager) logf(format string, args ...any) {
	if m.Logf != nil {
		m.Logf(format, args...)
	}
}

// cleanup removes temporary directories of crashed saves and prunes, and
// puts back a step that a crash left renamed aside (non-Linux only).
func (m *Manager) cleanup() {
	ents, err := os.ReadDir(m.root)
	if err != nil {
		m.logf("checkpoint: cleanup of %s: %v", m.root, err)
		return
	}
	changed := false
	for _, e := range ents {
		name := e.Name()
		path := filepath.Join(m.root, name)
		switch {
		case strings.HasPrefix(name, tmpPrefix+stepPrefix):
			if err := os.RemoveAll(path); err != nil {
				m.logf("checkpoint: removing leftover %s: %v", path, err)
			}
			changed = true
		case strings.HasPrefix(name, oldPrefix+stepPrefix):
			// .old-step-NNNNNNNN-XXXX: restore if the step is missing.
			rest := strings.TrimPrefix(name, oldPrefix)
			if i := strings.LastIndexByte(rest, '-'); i > 0 {
				if step, ok := parseStepDir(rest[:i]); ok {
					if _, err := os.Stat(m.StepDir(step)); errors.Is(err, fs.ErrNotExist) {
						if err := os.Rename(path, m.StepDir(step)); err != nil {
							m.logf("checkpoint: restoring %s: %v", path, err)
						}
						changed = true
						continue
					}
				}
			}
			if err := os.RemoveAll(path); err != nil {
				m.logf("checkpoint: removing leftover %s: %v", path, err)
			}
			changed = true
		}
	}
	if changed {
		_ = syncDir(m.root)
	}
}

// List returns the steps that have a checkpoint directory, ascending. It
// does not verify them.
func (m *Manager) List() ([]int64, error) {
	ents, err := os.ReadDir(m.root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	var steps []int64
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		if s, ok := parseStepDir(e.Name()); ok {
			steps = append(steps, s)
		}
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i] < steps[j] })
	return steps, nil
}

// Latest returns the newest checkpoint that verifies. Newer ones that fail
// verification are skipped, each reported through Logf. With none valid the
// error wraps ErrNoCheckpoint and lists what was skipped.
func (m *Manager) Latest() (*Checkpoint, error) {
	steps, err := m.List()
	if err != nil {
		return nil, err
	}
	var skipped []string
	for i := len(steps) - 1; i >= 0; i-- {
		c, err := Load(m.StepDir(steps[i]))
		if err == nil {
			return c, nil
		}
		m.logf("checkpoint: skipping step %d: %v", steps[i], err)
		skipped = append(skipped, err.Error())
	}
	if len(skipped) > 0 {
		return nil, fmt.Errorf("checkpoint: %w in %s: %d failed verification: %s",
			ErrNoCheckpoint, m.root, len(skipped), strings.Join(skipped, "; "))
	}
	return nil, fmt.Errorf("checkpoint: %w in %s", ErrNoCheckpoint, m.root)
}

// Load loads and verifies the checkpoint of step under the root.
func (m *Manager) Load(step int64) (*Checkpoint, error) { return Load(m.StepDir(step)) }

// Save writes c as the checkpoint of c.Step (see the package doc for how it
// stays atomic), replacing an existing checkpoint of the same step, then
// prunes the oldest beyond Keep. It returns the checkpoint's directory and
// sets c.Dir to it. The checkpoint just saved is never pruned.
func (m *Manager) Save(c *Checkpoint) (dir string, err error) {
	if c == nil {
		return "", errors.New("checkpoint: Save(nil)")
	}
	if c.Step < 0 {
		return "", fmt.Errorf("checkpoint: negative step %d", c.Step)
	}
	if len(c.Meta) > 0 && !json.Valid(c.Meta) {
		return "", fmt.Errorf("checkpoint: step %d: Meta is not valid JSON", c.Step)
	}
	for name := range c.Files {
		if err := checkFileName(name); err != nil {
			return "", fmt.Errorf("checkpoint: Files: %w", err)
		}
		switch name {
		case ModelFile, StateFile, MetaFile, ManifestFile:
			return "", fmt.Errorf("checkpoint: Files: %q is a reserved name", name)
		}
	}
	// Validate the tensors before touching the disk.
	if _, err := safetensors.Header(c.Tensors, nil); err != nil {
		return "", fmt.Errorf("checkpoint: step %d: %s: %w", c.Step, ModelFile, err)
	}
	if _, err := safetensors.Header(c.State, nil); err != nil {
		return "", fmt.Errorf("checkpoint: step %d: %s: %w", c.Step, StateFile, err)
	}

	m.mu.Lock()
	defer m.mu.Unlock()
	if err := os.MkdirAll(m.root, 0o755); err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	m.cleanup()

	name := StepDirName(c.Step)
	tmp, err := os.MkdirTemp(m.root, tmpPrefix+name+"-*")
	if err != nil {
		return "", fmt.Errorf("checkpoint: %w", err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := writeDir(tmp, c); err != nil {
		return "", fmt.Errorf("checkpoint: step %d: %w", c.Step, err)
	}
	final := filepath.Join(m.root, name)
	if err := m.moveIntoPlace(tmp, final, c.Step); err != nil {
		return "", fmt.Errorf("checkpoint: step %d: %w", c.Step, err)
	}
	c.Dir = final
	m.prune(c.Step)
	return final, nil
}

// writeDir writes every file of c into dir, fsynced, with the manifest last,
// and fsyncs dir.
func writeDir(dir string, c *Checkpoint) error {
	man := manifest{Format: manifestFormat, Version: manifestVersion, Step: c.Step}
	add := func(name string, write func(io.Writer) error) error {
		mf, err := writeSynced(filepath.Join(dir, name), write)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		mf.Name = name
		man.Files = append(man.Files, mf)
		return nil
	}
	if err := add(ModelFile, func(w io.Writer) error {
		return safetensors.Write(w, c.Tensors, map[string]string{"format": "pt"})
	}); err != nil {
		return err
	}
	if err := add(StateFile, func(w io.Writer) error {
		return safetensors.Write(w, c.State, nil)
	}); err != nil {
		return err
	}
	if len(c.Meta) > 0 {
		if err := add(MetaFile, bytesWriter(c.Meta)); err != nil {
			return err
		}
	}
	extra := make([]string, 0, len(c.Files))
	for name := range c.Files {
		extra = append(extra, name)
	}
	sort.Strings(extra)
	for _, name := range extra {
		if err := add(name, bytesWriter(c.Files[name])); err != nil {
			return err
		}
	}
	mb, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	if _, err := writeSynced(filepath.Join(dir, ManifestFile), bytesWriter(append(mb, '\n'))); err != nil {
		return fmt.Errorf("%s: %w", ManifestFile, err)
	}
	return syncDir(dir)
}

func bytesWriter(b []byte) func(io.Writer) error {
	return func(w io.Writer) error { _, err := w.Write(b); return err }
}

type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// writeSynced creates path, writes it through write, fsyncs and closes it,
// and returns its size and SHA-256.
func writeSynced(path string, write func(io.Writer) error) (mf manifestFile, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return mf, err
	}
	defer func() {
		if f != nil {
			f.Close()
		}
	}()
	h := sha256.New()
	var cnt countWriter
	bw := bufio.NewWriterSize(io.MultiWriter(f, h, &cnt), 1<<20)
	if err := write(bw); err != nil {
		return mf, err
	}
	if err := bw.Flush(); err != nil {
		return mf, err
	}
	if err := f.Sync(); err != nil {
		return mf, err
	}
	err = f.Close()
	f = nil
	if err != nil {
		return mf, err
	}
	return manifestFile{Size: cnt.n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// exchangeDirs is exchange, replaceable by tests of the fallback path.
var exchangeDirs = exchange

func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be fsynced there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// moveIntoPlace renames the complete directory tmp to final, atomically
// replacing an existing final, and fsyncs the root.
func (m *Manager) moveIntoPlace(tmp, final string, step int64) error {
	err := os.Rename(tmp, final)
	if err != nil {
		if _, statErr := os.Stat(final); statErr != nil {
			return err
		}
		// final exists: swap the two directories in one step; tmp then
		// holds the old checkpoint.
		err = exchangeDirs(tmp, final)
		if errors.Is(err, errExchangeUnsupported) {
			// Two renames. A crash in between leaves .old-step-N-X and
			// no step-N; cleanup renames it back.
			old := filepath.Join(m.root, fmt.Sprintf("%s%s-%08x", oldPrefix, StepDirName(step), rand.Uint32()))
			if err := os.Rename(final, old); err != nil {
				return err
			}
			if err := os.Rename(tmp, final); err != nil {
				_ = os.Rename(old, final)
				return err
			}
			if err := syncDir(m.root); err != nil {
				return err
			}
			if err := os.RemoveAll(old); err != nil {
				m.logf("checkpoint: removing replaced %s: %v", old, err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := syncDir(m.root); err != nil {
			return err
		}
		if err := os.RemoveAll(tmp); err != nil {
			m.logf("checkpoint: removing replaced checkpoint %s: %v", tmp, err)
		}
		return nil
	}
	return syncDir(m.root)
}

// prune removes the oldest checkpoints so that keep remain, never the one
// just saved. Each is first renamed to a .tmp- name so it vanishes
// atomically; a crash during the removal leaves only a .tmp- leftover.
func (m *Manager) prune(saved int64) {
	steps, err := m.List()
	if err != nil {
		m.logf("checkpoint: prune: %v", err)
		return
	}
	var others []int64
	for _, s := range steps {
		if s != saved {
			others = append(others, s)
		}
	}
	// others is ascending; keep its newest keep-1.
	n := len(others) - (m.keep - 1)
	if n <= 0 {
		return
	}
	for _, s := range others[:n] {
		doomed := filepath.Join(m.root, fmt.Sprintf("%s%s-del-%08x", tmpPrefix, StepDirName(s), rand.Uint32()))
		if err := os.Rename(m.StepDir(s), doomed); err != nil {
			m.logf("checkpoint: prune step %d: %v", s, err)
			continue
		}
		if err := os.RemoveAll(doomed); err != nil {
			m.logf("checkpoint: prune step %d: %v", s, err)
		}
	}
	if err := syncDir(m.root); err != nil {
		m.logf("checkpoint: prune: %v", err)
	}
}

// Load reads one checkpoint directory and verifies it: the manifest, the
// size and SHA-256 of every file it lists, and the structure of each
// safetensors file. The tensors' data alias one buffer per file.
func Load(dir string) (*Checkpoint, error) {
	c, err := load(dir)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %s: %w", dir, err)
	}
	return c, nil
}

func load(dir string) (*Checkpoint, error) {
	mb, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if errors.Is(err, fs.ErrNotExist) {
		if _, derr := os.Stat(dir); derr != nil {
			return nil, derr
		}
		return nil, corruptf("%s missing: incomplete checkpoint", ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	var man manifest
	dec := json.NewDecoder(bytes.NewReader(mb))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&man); err != nil {
		return nil, corruptf("%s: invalid: %v", ManifestFile, err)
	}
	if man.Format != manifestFormat {
		return nil, corruptf("%s: format is %q, want %q", ManifestFile, man.Format, manifestFormat)
	}
	if man.Version != manifestVersion {
		return nil, corruptf("%s: version %d, this program reads version %d", ManifestFile, man.Version, manifestVersion)
	}
	if s, ok := parseStepDir(filepath.Base(filepath.Clean(dir))); ok && s != man.Step {
		return nil, corruptf("%s says step %d, the directory name says %d", ManifestFile, man.Step, s)
	}
	c := &Checkpoint{Dir: dir, Step: man.Step}
	seen := map[string]bool{}
	for _, mf := range man.Files {
		if err := checkFileName(mf.Name); err != nil || mf.Name == ManifestFile {
			return nil, corruptf("%s: bad entry %q", ManifestFile, mf.Name)
		}
		if seen[mf.Name] {
			return nil, corruptf("%s: %q listed twice", ManifestFile, mf.Name)
		}
		seen[mf.Name] = true
		b, err := readVerified(dir, mf)
		if err != nil {
			return nil, err
		}
		switch mf.Name {
		case ModelFile, StateFile:
			f, err := safetensors.Parse(b)
			if err != nil {
				return nil, corruptf("%s: %v", mf.Name, err)
			}
			if mf.Name == ModelFile {
				c.Tensors = f.Tensors
			} else {
				c.State = f.Tensors
			}
		case MetaFile:
			if !json.Valid(b) {
				return nil, corruptf("%s: not valid JSON", mf.Name)
			}
			c.Meta = json.RawMessage(b)
		default:
			if c.Files == nil {
				c.Files = map[string][]byte{}
			}
			c.Files[mf.Name] = b
		}
	}
	if !seen[ModelFile] {
		return nil, corruptf("%s does not list %s", ManifestFile, ModelFile)
	}
	return c, nil
}

// readVerified reads a file listed in the manifest and checks its size and
// SHA-256. For a safetensors file of the wrong size it reports the
// structural problem (e.g. where it is truncated) when there is one.
func readVerified(dir string, mf manifestFile) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, mf.Name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, corruptf("%s: missing (listed in %s)", mf.Name, ManifestFile)
	}
	if err != nil {
		return nil, err
	}
	if int64(len(b)) != mf.Size {
		if strings.HasSuffix(mf.Name, ".safetensors") {
			if _, perr := safetensors.Parse(b); perr != nil {
				return nil, corruptf("%s: %v", mf.Name, perr)
			}
		}
		what := "truncated"
		if int64(len(b)) > mf.Size {
			what = "too long"
		}
		return nil, corruptf("%s: %s: %s says %d bytes, file has %d", mf.Name, what, ManifestFile, mf.Size, len(b))
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != mf.SHA256 {
		return nil, corruptf("%s: checksum mismatch: %s says sha256 %s, file has %s", mf.Name, ManifestFile, mf.SHA256, got)
	}
	return b, nil
}
