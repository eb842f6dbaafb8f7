// Package xla is the XLA backend of siglip: the sigmoid loss (and the CLIP
// softmax baseline) forward and backward as StableHLO programs (built by
// package xla/hlo), compiled and run through gopjrt on any PJRT plugin: CPU,
// CUDA, TPU. It takes and returns the same types as siglip.Loss.
//
// The programs are blocked over the texts, so no n x m intermediate exists,
// and with Options.Shards = K > 1 they run the paper's ring (section 3.3,
// Figure 1) over K devices of the plugin: each device holds n/K images and
// m/K texts, the texts move one hop per step with collective_permute, and the
// scalars are summed with all_reduce.
//
// A plugin is found through Options.PluginPath or PJRT_PLUGIN_LIBRARY_PATH
// (see FindPlugin); without one every call fails with an error wrapping
// ErrNoPlugin that says how to install one.
package xla

import (
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/gomlx/gopjrt/dtypes"
	"github.com/gomlx/gopjrt/pjrt"

	"github.com/siglip-go/siglip"
	"github.com/siglip-go/siglip/xla/hlo"
)

// Options configure the XLA backend.
type Options struct {
	// PluginPath is the PJRT plugin: a path to its shared library, a
	// directory holding one, or a name gopjrt resolves ("cpu", "cuda").
	// Empty: PJRT_PLUGIN_LIBRARY_PATH, then gopjrt's default directories
	// (see FindPlugin).
	PluginPath string
	// Shards is the number of devices of the ring; 0 or 1 runs on one device.
	// The numbers of images and texts must be multiples of it, and the plugin
	// must have that many devices (for the CPU plugin:
	// XLA_FLAGS=--xla_force_host_platform_device_count=K).
	Shards int
	// BlockSize is the number of texts per block; 0 chooses it so that the
	// (images per device) x BlockSize intermediates stay near 64 MiB.
	BlockSize int
	// FastDot allows the device's default matmul precision (TF32 on recent
	// NVIDIA GPUs, bf16 passes on TPUs). The default asks for full float32.
	FastDot bool
	// Float32Scalars sums the loss and the parameter gradients in float32,
	// for devices without float64 (TPUs).
	Float32Scalars bool
}

// Backend is a loaded PJRT plugin with a client and a cache of compiled
// loss programs. Its methods are safe for concurrent use.
type Backend struct {
	opts   Options
	plugin *pjrt.Plugin
	client *pjrt.Client

	mu    sync.Mutex
	execs map[hlo.Spec]*pjrt.LoadedExecutable
}

// maxCachedPrograms bounds the compiled programs a Backend keeps.
const maxCachedPrograms = 16

// Open loads the plugin of opts and creates a client on it.
func Open(opts Options) (*Backend, error) {
	if opts.Shards < 0 || opts.BlockSize < 0 {
		return nil, fmt.Errorf("xla: %w: shards = %d and block size = %d must be >= 0",
			siglip.ErrInvalidInput, opts.Shards, opts.BlockSize)
	}
	where, err := FindPlugin(opts.PluginPath)
	if err != nil {
		return nil, err
	}
	plugin, err := pjrt.GetPlugin(where)
	if err != nil {
		if !isPath(where) {
			return nil, fmt.Errorf("%w: no plugin named %q (%v); %s", ErrNoPlugin, where, err, InstallHint)
		}
		return nil, fmt.Errorf("xla: loading the PJRT plugin %s: %w", where, err)
	}
	client, err := plugin.NewClient(nil)
	if err != nil {
		return nil, fmt.Errorf("xla: creating a client of %s: %w", plugin, err)
	}
	return &Backend{opts: opts, plugin: plugin, client: client, execs: map[hlo.Spec]*pjrt.LoadedExecutable{}}, nil
}

// Close releases the compiled programs and the client. The plugin stays
// loaded (gopjrt keeps plugins for the life of the process).
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	var errs []error
	for k, e := range b.execs {
		errs = append(errs, e.Destroy())
		delete(b.execs, k)
	}
	if b.client != nil {
		errs = append(errs, b.client.Destroy())
		b.client = nil
	}
	return errors.Join(errs...)
}

// Platform names the plugin's platform ("cpu", "cuda", "tpu", ...); "" once
// closed.
func (b *Backend) Platform() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client == nil {
		return ""
	}
	return b.client.Platform()
}

// NumDevices is the number of addressable devices of the client; 0 once
// closed.
func (b *Backend) NumDevices() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client == nil {
		return 0
	}
	return len(b.client.AddressableDevices())
}

// String describes the plugin and the client.
func (b *Backend) String() string {
	return fmt.Sprintf("%s, %d device(s)", b.plugin, b.NumDevices())
}

// Loss opens a backend with opts, computes the loss and its gradients of
// siglip.Loss on it, and closes it. Programs that compute many losses should
// Open a Backend once and call its Loss method.
func Loss(opts Options, img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) (float64, siglip.Gradients, error) {
	if _, err := specFor(opts, img, txt, p, o); err != nil {
		return 0, siglip.Gradients{}, err
	}
	b, err := Open(opts)
	if err != nil {
		return 0, siglip.Gradients{}, err
	}
	loss, g, err := b.Loss(img, txt, p, o)
	if cerr := b.Close(); err == nil && cerr != nil {
		return 0, siglip.Gradients{}, fmt.Errorf("xla: closing the client: %w", cerr)
	}
	return loss, g, err
}

// Loss computes what siglip.Loss computes, with the same input checks (errors
// about the input wrap siglip.ErrInvalidInput), on the backend's devices.
// LossOptions.Threads is checked but not used: XLA sizes its own threads.
func (b *Backend) Loss(img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) (float64, siglip.Gradients, error) {
	spec, err := specFor(b.opts, img, txt, p, o)
	if err != nil {
		return 0, siglip.Gradients{}, err
	}
	exec, err := b.executable(spec)
	if err != nil {
		return 0, siglip.Gradients{}, err
	}
	return b.run(exec, spec, img, txt, p, o)
}

// specFor checks the input as siglip.Loss does and returns the program spec.
func specFor(opts Options, img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) (hlo.Spec, error) {
	if err := validate(img, txt, p, o); err != nil {
		return hlo.Spec{}, err
	}
	k := max(opts.Shards, 1)
	if opts.Shards < 0 || opts.BlockSize < 0 {
		return hlo.Spec{}, fmt.Errorf("xla: %w: shards = %d and block size = %d must be >= 0",
			siglip.ErrInvalidInput, opts.Shards, opts.BlockSize)
	}
	if img.Rows%k != 0 || txt.Rows%k != 0 {
		return hlo.Spec{}, fmt.Errorf("xla: %w: %d shards must divide the %d images and the %d texts",
			siglip.ErrInvalidInput, k, img.Rows, txt.Rows)
	}
	kind := hlo.Sigmoid
	if o.Kind == siglip.Softmax {
		kind = hlo.Softmax
	}
	s := hlo.Spec{
		Kind: kind, N: img.Rows, M: txt.Rows, D: img.Cols, Labels: o.ImageLabels != nil,
		Shards: k, Block: opts.BlockSize, FastDot: opts.FastDot, Float32Scalars: opts.Float32Scalars,
	}
	s, err := s.Normalize()
	if err != nil {
		return hlo.Spec{}, fmt.Errorf("xla: %w: %v", siglip.ErrInvalidInput, err)
	}
	return s, nil
}

// validate repeats the checks of siglip.Loss.
func validate(img, txt siglip.Matrix, p siglip.Params, o siglip.LossOptions) error {
	if err := img.Validate(); err != nil {
		return fmt.Errorf("image embeddings: %w", err)
	}
	if err := txt.Validate(); err != nil {
		return fmt.Errorf("text embeddings: %w", err)
	}
	if img.Cols != txt.Cols {
		return fmt.Errorf("%w: embedding widths differ: images have %d columns, texts %d",
			siglip.ErrInvalidInput, img.Cols, txt.Cols)
	}
	if img.Rows > math.MaxInt32 || txt.Rows > math.MaxInt32 || img.Cols > math.MaxInt32 {
		return fmt.Errorf("%w: sizes too large for XLA: %d x %d and %d x %d",
			siglip.ErrInvalidInput, img.Rows, img.Cols, txt.Rows, txt.Cols)
	}
	if err := p.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if o.Kind != siglip.Sigmoid && o.Kind != siglip.Softmax {
		return fmt.Errorf("%w: unknown loss kind %d", siglip.ErrInvalidInput, int(o.Kind))
	}
	if o.Threads < 0 {
		return fmt.Errorf("%w: threads = %d, want >= 0 (0: all cores)", siglip.ErrInvalidInput, o.Threads)
	}
	n, m := img.Rows, txt.Rows
	switch {
	case o.ImageLabels == nil && o.TextLabels == nil:
		if n != m {
			return fmt.Errorf("%w: %d images but %d texts without labels: the diagonal positives need n == m (give image and text labels)",
				siglip.ErrInvalidInput, n, m)
		}
	case o.ImageLabels == nil || o.TextLabels == nil:
		return fmt.Errorf("%w: labels: give both image and text labels or neither", siglip.ErrInvalidInput)
	case len(o.ImageLabels) != n:
		return fmt.Errorf("%w: labels: %d image labels for %d images", siglip.ErrInvalidInput, len(o.ImageLabels), n)
	case len(o.TextLabels) != m:
		return fmt.Errorf("%w: labels: %d text labels for %d texts", siglip.ErrInvalidInput, len(o.TextLabels), m)
	case o.Kind == siglip.Softmax:
		return everyRowHasAPositive(o.ImageLabels, o.TextLabels)
	}
	return nil
}

// everyRowHasAPositive checks the softmax loss's need for a positive in every
// row and column.
func everyRowHasAPositive(imgLabels, txtLabels []int64) error {
	inTxt := make(map[int64]struct{}, len(txtLabels))
	for _, l := range txtLabels {
		inTxt[l] = struct{}{}
	}
	inImg := make(map[int64]struct{}, len(imgLabels))
	for i, l := range imgLabels {
		if _, ok := inTxt[l]; !ok {
			return fmt.Errorf("%w: labels: softmax loss: image %d (label %d) has no matching text", siglip.ErrInvalidInput, i, l)
		}
		inImg[l] = struct{}{}
	}
	for j, l := range txtLabels {
		if _, ok := inImg[l]; !ok {
			return fmt.Errorf("%w: labels: softmax loss: text %d (label %d) has no matching image", siglip.ErrInvalidInput, j, l)
		}
	}
	return nil
}

// executable returns the compiled program of spec, compiling it on first use.
func (b *Backend) executable(spec hlo.Spec) (*pjrt.LoadedExecutable, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client == nil {
		return nil, errors.New("xla: the backend is closed")
	}
	if e, ok := b.execs[spec]; ok {
		return e, nil
	}
	if devs := len(b.client.AddressableDevices()); spec.Shards > devs {
		return nil, fmt.Errorf("xla: the ring over %d devices needs %d devices, %s has %d "+
			"(for the CPU plugin set XLA_FLAGS=--xla_force_host_platform_device_count=%d)",
			spec.Shards, spec.Shards, b.plugin, devs, spec.Shards)
	}
	prog, err := hlo.Build(spec)
	if err != nil {
		return nil, err
	}
	cc := b.client.Compile().WithStableHLO(prog.Text)
	if spec.Shards > 1 {
		cc = cc.WithSPMD(spec.Shards)
	}
	exec, err := cc.Done()
	if err != nil {
		hint := ""
		if spec.Shards > 1 {
			hint = " (the ring needs collective_permute and all_reduce, which some CPU plugins lack: try a GPU or TPU plugin, or one device)"
		}
		return nil, fmt.Errorf("xla: compiling the %s loss program on %s%s: %w", spec.Kind, b.plugin, hint, err)
	}
	if len(b.execs) >= maxCachedPrograms {
		for k, e := range b.execs {
			_ = e.Destroy()
			delete(b.execs, k)
			break
		}
	}
	b.execs[spec] = exec
	return exec, nil
}

// run transfers the inputs (device r gets images and texts
// [r n/K, (r+1) n/K)), executes and gathers the outputs.
func (b *Backend) run(exec *pjrt.LoadedExecutable, spec hlo.Spec, img, txt siglip.Matrix, p siglip.Params,
	o siglip.LossOptions) (loss float64, g siglip.Gradients, err error) {
	k := spec.Shards
	bn, bm := spec.Shard()
	d := spec.D
	devices := []int{0}
	if k > 1 {
		_, _, devices, err = exec.GetDeviceAssignment()
		if err != nil {
			return 0, g, fmt.Errorf("xla: device assignment: %w", err)
		}
		if len(devices) != k {
			return 0, g, fmt.Errorf("xla: device assignment has %d devices for %d shards", len(devices), k)
		}
	}

	var inputs, outputs []*pjrt.Buffer
	defer func() {
		for _, buf := range append(inputs, outputs...) {
			if buf != nil {
				_ = buf.Destroy()
			}
		}
	}()
	for r := 0; r < k; r++ {
		dev := devices[r]
		put := func(flat any, dims ...int) error {
			buf, err := b.client.BufferFromHost().FromFlatDataWithDimensions(flat, dims).ToDeviceNum(dev).Done()
			if err != nil {
				return fmt.Errorf("xla: transferring the input to device %d: %w", dev, err)
			}
			inputs = append(inputs, buf)
			return nil
		}
		if err := put(img.Data[r*bn*d:(r+1)*bn*d], bn, d); err != nil {
			return 0, g, err
		}
		if err := put(txt.Data[r*bm*d:(r+1)*bm*d], bm, d); err != nil {
			return 0, g, err
		}
		if err := put([]float32{p.TPrime}); err != nil {
			return 0, g, err
		}
		if err := put([]float32{p.Bias}); err != nil {
			return 0, g, err
		}
		if spec.Labels {
			if err := put(o.ImageLabels[r*bn:(r+1)*bn], bn); err != nil {
				return 0, g, err
			}
			if err := put(o.TextLabels[r*bm:(r+1)*bm], bm); err != nil {
				return 0, g, err
			}
		}
	}
	outputs, err = exec.Execute(inputs...).Done()
	if err != nil {
		return 0, g, fmt.Errorf("xla: executing the %s loss program: %w", spec.Kind, err)
	}
	const perDevice = 5 // loss, d_img, d_txt, d_t_prime, d_bias
	if len(outputs) != perDevice*k {
		return 0, g, fmt.Errorf("xla: the program gave %d outputs, want %d", len(outputs), perDevice*k)
	}
	g.Image = siglip.NewMatrix(img.Rows, d)
	g.Text = siglip.NewMatrix(txt.Rows, d)
	for r := 0; r < k; r++ {
		out := outputs[r*perDevice : (r+1)*perDevice]
		if err := fetchInto(out[1], g.Image.Data[r*bn*d:(r+1)*bn*d]); err != nil {
			return 0, g, err
		}
		if err := fetchInto(out[2], g.Text.Data[r*bm*d:(r+1)*bm*d]); err != nil {
			return 0, g, err
		}
	}
	// The scalars are all-reduced: device 0 has the sums.
	out := outputs[:perDevice]
	for i, dst := range []*float64{&loss, nil, nil, &g.TPrime, &g.Bias} {
		if dst == nil {
			continue
		}
		if *dst, err = fetchScalar(out[i], spec.ScalarDType()); err != nil {
			return 0, siglip.Gradients{}, err
		}
	}
	return loss, g, nil
}

// fetchInto copies a float32 output buffer to dst, checking its size.
func fetchInto(buf *pjrt.Buffer, dst []float32) error {
	flat, _, err := pjrt.BufferToArray[float32](buf)
	if err != nil {
		return fmt.Errorf("xla: reading an output: %w", err)
	}
	if len(flat) != len(dst) {
		return fmt.Errorf("xla: an output has %d values, want %d", len(flat), len(dst))
	}
	copy(dst, flat)
	return nil
}

// fetchScalar reads a scalar output of the given dtype.
func fetchScalar(buf *pjrt.Buffer, dt dtypes.DType) (float64, error) {
	var v float64
	var err error
	if dt == dtypes.Float32 {
		var f float32
		f, err = pjrt.BufferToScalar[float32](buf)
		v = float64(f)
	} else {
		v, err = pjrt.BufferToScalar[float64](buf)
	}
	if err != nil {
		return 0, fmt.Errorf("xla: reading a scalar output: %w", err)
	}
	return v, nil
}
