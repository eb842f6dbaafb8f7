package hlo

import (
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/gomlx/gopjrt/dtypes"
)

// An eager emitter: it evaluates the loss graph in Go as it is written, so the
// tests can check the programs' arithmetic (blocking, masking, the ring)
// without a PJRT plugin. Every value is held as float64; float32 results are
// rounded to float32 after each operation, integers and booleans are exact.
// It is a slow reference (plain loops, one goroutine per simulated device),
// never a production path.

// EvalInput is the global input of Eval: row-major N x D images and M x D
// texts, the parameters and, with Spec.Labels, the labels.
type EvalInput struct {
	Img, Txt             []float32
	TPrime, Bias         float32
	ImgLabels, TxtLabels []int64
}

// EvalOutput is the result of Eval, gathered over the devices.
type EvalOutput struct {
	Loss, DTPrime, DBias float64
	DImg, DTxt           []float32 // N x D, M x D
}

// Eval runs the program of spec eagerly in Go, on spec.Shards simulated
// devices (goroutines exchanging the collective_permute and all_reduce
// operands), with the same operations, in the same order, as the StableHLO
// program that Build prints. It is slow (plain loops) and meant for tests:
// it checks the programs' arithmetic where no PJRT plugin exists.
func Eval(spec Spec, in EvalInput) (*EvalOutput, error) {
	s, err := spec.Normalize()
	if err != nil {
		return nil, err
	}
	if len(in.Img) != s.N*s.D || len(in.Txt) != s.M*s.D {
		return nil, fmt.Errorf("%w: %d and %d values for %d x %d images and %d x %d texts",
			ErrSpec, len(in.Img), len(in.Txt), s.N, s.D, s.M, s.D)
	}
	if s.Labels != (in.ImgLabels != nil) || (s.Labels && (len(in.ImgLabels) != s.N || len(in.TxtLabels) != s.M)) {
		return nil, fmt.Errorf("%w: labels do not match the spec (Labels=%v, %d and %d labels)",
			ErrSpec, s.Labels, len(in.ImgLabels), len(in.TxtLabels))
	}
	r, err := evaluate(s, evalInputs{n: s.N, m: s.M, d: s.D, img: in.Img, txt: in.Txt, tPrime: in.TPrime,
		bias: in.Bias, imgLabels: in.ImgLabels, txtLabels: in.TxtLabels})
	if err != nil {
		return nil, err
	}
	out := &EvalOutput{Loss: r.loss, DTPrime: r.dTPrime, DBias: r.dBias,
		DImg: make([]float32, len(r.dImg)), DTxt: make([]float32, len(r.dTxt))}
	for i, v := range r.dImg {
		out.DImg[i] = float32(v)
	}
	for i, v := range r.dTxt {
		out.DTxt[i] = float32(v)
	}
	return out, nil
}

type tensor struct {
	dt   dtypes.DType
	dims []int
	v    []float64
}

func (t *tensor) size() int { return sizeOf(t.dims) }

func sizeOf(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func stridesOf(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for i := len(dims) - 1; i >= 0; i-- {
		s[i] = acc
		acc *= dims[i]
	}
	return s
}

// unravel writes the multi-index of flat index f into idx.
func unravel(f int, dims []int, idx []int) {
	for i := len(dims) - 1; i >= 0; i-- {
		idx[i] = f % dims[i]
		f /= dims[i]
	}
}

func round(dt dtypes.DType, x float64) float64 {
	switch dt {
	case dtypes.Float32:
		return float64(float32(x))
	case dtypes.Bool:
		if x != 0 {
			return 1
		}
		return 0
	case dtypes.Int32:
		return float64(int32(x))
	case dtypes.Int64:
		return float64(int64(x))
	}
	return x
}

func newTensor(dt dtypes.DType, dims []int) *tensor {
	return &tensor{dt: dt, dims: slices.Clone(dims), v: make([]float64, sizeOf(dims))}
}

func (t *tensor) clone() *tensor {
	return &tensor{dt: t.dt, dims: slices.Clone(t.dims), v: slices.Clone(t.v)}
}

// world synchronises the replicas of an eager ring: every collective is a
// barrier where each replica deposits its operand.
type world struct {
	k       int
	mu      sync.Mutex
	cond    *sync.Cond
	slots   []any
	count   int
	gen     int
	aborted bool
}

// abort wakes every replica waiting in a collective: one of them failed.
func (w *world) abort() {
	w.mu.Lock()
	w.aborted = true
	w.cond.Broadcast()
	w.mu.Unlock()
}

func newWorld(k int) *world {
	w := &world{k: k, slots: make([]any, k)}
	w.cond = sync.NewCond(&w.mu)
	return w
}

// barrier blocks until all k replicas arrived.
func (w *world) barrier() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.aborted {
		panic(buildError{fmt.Errorf("another replica failed")})
	}
	gen := w.gen
	w.count++
	if w.count == w.k {
		w.count = 0
		w.gen++
		w.cond.Broadcast()
		return
	}
	for gen == w.gen && !w.aborted {
		w.cond.Wait()
	}
	if w.aborted {
		panic(buildError{fmt.Errorf("another replica failed")})
	}
}

// exchange deposits x for replica r and returns everybody's deposits.
func (w *world) exchange(r int, x any) []any {
	w.mu.Lock()
	w.slots[r] = x
	w.mu.Unlock()
	w.barrier()
	w.mu.Lock()
	all := slices.Clone(w.slots)
	w.mu.Unlock()
	w.barrier()
	return all
}

type evalEmitter struct {
	inputs  map[string]*tensor
	outputs []*tensor
	replica int
	world   *world // nil on one device
	ops     map[string]int
}

func ev(x val) *tensor { return x.(*tensor) }

func fail(format string, args ...any) { panic(buildError{fmt.Errorf(format, args...)}) }

func (e *evalEmitter) count(op string) {
	if e.ops == nil {
		e.ops = map[string]int{}
	}
	e.ops[op]++
}

func (e *evalEmitter) input(name string, dt dtypes.DType, dims ...int) val {
	t, ok := e.inputs[name]
	if !ok {
		fail("no input %q", name)
	}
	if t.dt != dt || !slices.Equal(t.dims, dims) {
		fail("input %q is %s%v, program wants %s%v", name, t.dt, t.dims, dt, dims)
	}
	return t
}

func (e *evalEmitter) constant(dt dtypes.DType, x float64) val {
	return &tensor{dt: dt, v: []float64{round(dt, x)}}
}

func (e *evalEmitter) iota(dt dtypes.DType, dims []int, axis int) val {
	t := newTensor(dt, dims)
	idx := make([]int, len(dims))
	for f := range t.v {
		unravel(f, dims, idx)
		t.v[f] = float64(idx[axis])
	}
	return t
}

func (e *evalEmitter) unary(op unaryOp, x val) val {
	e.count(fmt.Sprint("unary", op))
	a := ev(x)
	r := newTensor(a.dt, a.dims)
	for i, v := range a.v {
		switch op {
		case opExp:
			v = math.Exp(v)
		case opLog:
			v = math.Log(v)
		case opLog1p:
			v = math.Log1p(v)
		case opAbs:
			v = math.Abs(v)
		case opNeg:
			v = -v
		}
		r.v[i] = round(a.dt, v)
	}
	return r
}

func sameShape(a, b *tensor) {
	if a.dt != b.dt || !slices.Equal(a.dims, b.dims) {
		fail("operands differ: %s%v and %s%v", a.dt, a.dims, b.dt, b.dims)
	}
}

func (e *evalEmitter) binary(op binaryOp, x, y val) val {
	a, b := ev(x), ev(y)
	sameShape(a, b)
	r := newTensor(a.dt, a.dims)
	for i := range a.v {
		u, w := a.v[i], b.v[i]
		var v float64
		switch op {
		case opAdd:
			v = u + w
		case opSub:
			v = u - w
		case opMul:
			v = u * w
		case opDiv:
			v = u / w
		case opMax:
			v = math.Max(u, w)
		case opAnd:
			if u != 0 && w != 0 {
				v = 1
			}
		}
		r.v[i] = round(a.dt, v)
	}
	return r
}

func (e *evalEmitter) compare(dir cmpDir, x, y val) val {
	a, b := ev(x), ev(y)
	sameShape(a, b)
	r := newTensor(dtypes.Bool, a.dims)
	for i := range a.v {
		var c bool
		switch dir {
		case cmpEQ:
			c = a.v[i] == b.v[i]
		case cmpLT:
			c = a.v[i] < b.v[i]
		case cmpGE:
			c = a.v[i] >= b.v[i]
		}
		if c {
			r.v[i] = 1
		}
	}
	return r
}

func (e *evalEmitter) selectOp(pred, onTrue, onFalse val) val {
	p, a, b := ev(pred), ev(onTrue), ev(onFalse)
	sameShape(a, b)
	if p.dt != dtypes.Bool || !slices.Equal(p.dims, a.dims) {
		fail("select predicate %s%v for %v", p.dt, p.dims, a.dims)
	}
	r := newTensor(a.dt, a.dims)
	for i := range r.v {
		if p.v[i] != 0 {
			r.v[i] = a.v[i]
		} else {
			r.v[i] = b.v[i]
		}
	}
	return r
}

func (e *evalEmitter) convert(x val, dt dtypes.DType) val {
	a := ev(x)
	r := newTensor(dt, a.dims)
	for i, v := range a.v {
		r.v[i] = round(dt, v)
	}
	return r
}

func (e *evalEmitter) broadcast(x val, dims []int, axes []int) val {
	a := ev(x)
	if len(axes) != len(a.dims) {
		fail("broadcast of rank %d with %d axes", len(a.dims), len(axes))
	}
	for i, ax := range axes {
		if a.dims[i] != dims[ax] {
			fail("broadcast %v to %v along %v", a.dims, dims, axes)
		}
	}
	r := newTensor(a.dt, dims)
	idx := make([]int, len(dims))
	as := stridesOf(a.dims)
	for f := range r.v {
		unravel(f, dims, idx)
		src := 0
		for i, ax := range axes {
			src += idx[ax] * as[i]
		}
		r.v[f] = a.v[src]
	}
	return r
}

func (e *evalEmitter) dot(x val, xc int, y val, yc int) val {
	e.count("dot")
	a, b := ev(x), ev(y)
	if len(a.dims) != 2 || len(b.dims) != 2 || a.dims[xc] != b.dims[yc] {
		fail("dot of %v (axis %d) and %v (axis %d)", a.dims, xc, b.dims, yc)
	}
	p, q, k := a.dims[1-xc], b.dims[1-yc], a.dims[xc]
	at := func(t *tensor, c, free, contr int) float64 {
		if c == 1 {
			return t.v[free*t.dims[1]+contr]
		}
		return t.v[contr*t.dims[1]+free]
	}
	r := newTensor(a.dt, []int{p, q})
	for i := 0; i < p; i++ {
		for j := 0; j < q; j++ {
			s := 0.0
			for c := 0; c < k; c++ {
				s += at(a, xc, i, c) * at(b, yc, j, c)
			}
			r.v[i*q+j] = round(a.dt, s)
		}
	}
	return r
}

func (e *evalEmitter) reduce(op reduceOp, x val, axes ...int) val {
	a := ev(x)
	var keep []int
	for i := range a.dims {
		if !slices.Contains(axes, i) {
			keep = append(keep, i)
		}
	}
	od := make([]int, len(keep))
	for i, ax := range keep {
		od[i] = a.dims[ax]
	}
	r := newTensor(a.dt, od)
	if op == redMax {
		for i := range r.v {
			r.v[i] = math.Inf(-1)
		}
	}
	os := stridesOf(od)
	idx := make([]int, len(a.dims))
	for f, v := range a.v {
		unravel(f, a.dims, idx)
		dst := 0
		for i, ax := range keep {
			dst += idx[ax] * os[i]
		}
		if op == redMax {
			r.v[dst] = math.Max(r.v[dst], v)
		} else {
			r.v[dst] += v
		}
	}
	for i := range r.v {
		r.v[i] = round(a.dt, r.v[i])
	}
	return r
}

func (e *evalEmitter) slice(x val, starts, limits []int) val {
	a := ev(x)
	od := make([]int, len(a.dims))
	for i := range od {
		if starts[i] < 0 || limits[i] > a.dims[i] || starts[i] > limits[i] {
			fail("slice %v:%v of %v", starts, limits, a.dims)
		}
		od[i] = limits[i] - starts[i]
	}
	r := newTensor(a.dt, od)
	as := stridesOf(a.dims)
	idx := make([]int, len(od))
	for f := range r.v {
		unravel(f, od, idx)
		src := 0
		for i := range idx {
			src += (idx[i] + starts[i]) * as[i]
		}
		r.v[f] = a.v[src]
	}
	return r
}

func (e *evalEmitter) pad(x, fill val, hi []int) val {
	a, fv := ev(x), ev(fill)
	od := make([]int, len(a.dims))
	for i := range od {
		od[i] = a.dims[i] + hi[i]
	}
	r := newTensor(a.dt, od)
	idx := make([]int, len(od))
	as := stridesOf(a.dims)
	for f := range r.v {
		unravel(f, od, idx)
		src, in := 0, true
		for i := range idx {
			if idx[i] >= a.dims[i] {
				in = false
				break
			}
			src += idx[i] * as[i]
		}
		if in {
			r.v[f] = a.v[src]
		} else {
			r.v[f] = fv.v[0]
		}
	}
	return r
}

func (e *evalEmitter) concat(axis int, xs ...val) val {
	first := ev(xs[0])
	od := slices.Clone(first.dims)
	od[axis] = 0
	for _, x := range xs {
		od[axis] += ev(x).dims[axis]
	}
	r := newTensor(first.dt, od)
	rs := stridesOf(od)
	off := 0
	for _, x := range xs {
		a := ev(x)
		idx := make([]int, len(a.dims))
		for f, v := range a.v {
			unravel(f, a.dims, idx)
			dst := 0
			for i := range idx {
				j := idx[i]
				if i == axis {
					j += off
				}
				dst += j * rs[i]
			}
			r.v[dst] = v
		}
		off += a.dims[axis]
	}
	return r
}

func (e *evalEmitter) reshape(x val, dims ...int) val {
	a := ev(x)
	if sizeOf(dims) != a.size() {
		fail("reshape %v to %v", a.dims, dims)
	}
	r := a.clone()
	r.dims = slices.Clone(dims)
	return r
}

func (e *evalEmitter) permute(x val, pairs [][2]int) val {
	e.count("permute")
	all := e.world.exchange(e.replica, ev(x))
	for _, p := range pairs {
		if p[1] == e.replica {
			return all[p[0]].(*tensor).clone()
		}
	}
	a := ev(x)
	return newTensor(a.dt, a.dims) // no source: zeros
}

func (e *evalEmitter) allReduceSum(groups [][]int, xs ...val) []val {
	e.count("allreduce")
	all := e.world.exchange(e.replica, xs)
	out := make([]val, len(xs))
	for i, x := range xs {
		r := newTensor(ev(x).dt, ev(x).dims)
		for _, g := range groups {
			if !slices.Contains(g, e.replica) {
				continue
			}
			for _, src := range g {
				for f, v := range all[src].([]val)[i].(*tensor).v {
					r.v[f] += v
				}
			}
		}
		for f := range r.v {
			r.v[f] = round(r.dt, r.v[f])
		}
		out[i] = r
	}
	return out
}

func (e *evalEmitter) output(xs ...val) {
	for _, x := range xs {
		e.outputs = append(e.outputs, ev(x))
	}
}

func (e *evalEmitter) dims(x val) []int { return ev(x).dims }

// evalResult is the output of an eager run, gathered over the devices.
type evalResult struct {
	loss, dTPrime, dBias float64
	dImg, dTxt           []float64 // n x d, m x d (global, row-major)
	ops                  map[string]int
}

// evalInputs is a problem for the eager runs.
type evalInputs struct {
	n, m, d              int
	img, txt             []float32
	tPrime, bias         float32
	imgLabels, txtLabels []int64 // nil: the diagonal
}

// evaluate runs the program of spec eagerly, on spec.Shards goroutines for
// the ring, and gathers the results.
func evaluate(spec Spec, in evalInputs) (*evalResult, error) {
	s, err := spec.Normalize()
	if err != nil {
		return nil, err
	}
	k := s.Shards
	bn, bm := s.Shard()
	w := newWorld(k)
	ems := make([]*evalEmitter, k)
	errs := make([]error, k)
	var wg sync.WaitGroup
	for r := 0; r < k; r++ {
		f32 := func(data []float32, rows, off int) *tensor {
			t := newTensor(dtypes.Float32, []int{rows, in.d})
			for i := range t.v {
				t.v[i] = float64(data[off*in.d+i])
			}
			return t
		}
		i64 := func(data []int64, rows, off int) *tensor {
			t := newTensor(dtypes.Int64, []int{rows})
			for i := range t.v {
				t.v[i] = float64(data[off+i])
			}
			return t
		}
		inputs := map[string]*tensor{
			InImg:    f32(in.img, bn, r*bn),
			InTxt:    f32(in.txt, bm, r*bm),
			InTPrime: {dt: dtypes.Float32, v: []float64{float64(in.tPrime)}},
			InBias:   {dt: dtypes.Float32, v: []float64{float64(in.bias)}},
		}
		if s.Labels {
			inputs[InImgLabels] = i64(in.imgLabels, bn, r*bn)
			inputs[InTxtLabels] = i64(in.txtLabels, bm, r*bm)
		}
		ems[r] = &evalEmitter{inputs: inputs, replica: r, world: w}
		wg.Add(1)
		go func(r int) {
			defer wg.Done()
			if errs[r] = build(ems[r], s); errs[r] != nil {
				w.abort()
			}
		}(r)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	res := &evalResult{ops: ems[0].ops}
	for r, e := range ems {
		o := e.outputs
		if len(o) != 5 {
			return nil, fmt.Errorf("replica %d gave %d outputs", r, len(o))
		}
		if r == 0 {
			res.loss, res.dTPrime, res.dBias = o[0].v[0], o[3].v[0], o[4].v[0]
		} else if o[0].v[0] != res.loss || o[3].v[0] != res.dTPrime || o[4].v[0] != res.dBias {
			return nil, fmt.Errorf("replica %d's scalars differ from replica 0's", r)
		}
		if !slices.Equal(o[1].dims, []int{bn, in.d}) || !slices.Equal(o[2].dims, []int{bm, in.d}) {
			return nil, fmt.Errorf("replica %d: gradient shapes %v %v", r, o[1].dims, o[2].dims)
		}
		res.dImg = append(res.dImg, o[1].v...)
		res.dTxt = append(res.dTxt, o[2].v...)
	}
	return res, nil
}
