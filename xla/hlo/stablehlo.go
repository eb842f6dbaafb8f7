package hlo

import (
	"fmt"

	"github.com/gomlx/gopjrt/dtypes"
	"github.com/gomlx/stablehlo"
	"github.com/gomlx/stablehlo/types"
	"github.com/gomlx/stablehlo/types/shapes"
)

// Build checks spec and returns its StableHLO program.
func Build(spec Spec) (*Program, error) {
	s, err := spec.Normalize()
	if err != nil {
		return nil, err
	}
	name := fmt.Sprintf("siglip_%s_loss", s.Kind)
	if s.Shards > 1 {
		name += "_ring"
	}
	b := stablehlo.New(name)
	if s.Shards > 1 {
		b.WithNumReplicas(s.Shards)
	}
	e := &shloEmitter{fn: b.Main(), reducers: map[reducerKey]*stablehlo.Function{}}
	e.precision = types.DotGeneralPrecisionHighest
	if s.FastDot {
		e.precision = types.DotGeneralPrecisionDefault
	}
	if err := build(e, s); err != nil {
		return nil, fmt.Errorf("hlo: building the %s loss program: %w", s.Kind, err)
	}
	text, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("hlo: printing the %s loss program: %w", s.Kind, err)
	}
	in, out := args(s)
	return &Program{Spec: s, Text: text, Inputs: in, Outputs: out}, nil
}

// shloEmitter prints the graph as StableHLO with github.com/gomlx/stablehlo.
type shloEmitter struct {
	fn        *stablehlo.Function
	precision types.DotGeneralPrecisionType
	reducers  map[reducerKey]*stablehlo.Function
}

type reducerKey struct {
	op reduceOp
	dt dtypes.DType
}

func must(v *stablehlo.Value, err error) *stablehlo.Value {
	if err != nil {
		panic(buildError{err})
	}
	return v
}

func sv(x val) *stablehlo.Value { return x.(*stablehlo.Value) }

func (e *shloEmitter) input(name string, dt dtypes.DType, dims ...int) val {
	return must(e.fn.NamedInput(name, shapes.Make(dt, dims...)))
}

func (e *shloEmitter) constant(dt dtypes.DType, x float64) val {
	var v any
	switch dt {
	case dtypes.Float32:
		v = float32(x)
	case dtypes.Float64:
		v = x
	case dtypes.Int32:
		v = int32(x)
	case dtypes.Int64:
		v = int64(x)
	case dtypes.Bool:
		v = x != 0
	default:
		panic(buildError{fmt.Errorf("constant of dtype %s", dt)})
	}
	return must(e.fn.ConstantFromScalar(v))
}

func (e *shloEmitter) iota(dt dtypes.DType, dims []int, axis int) val {
	return must(e.fn.Iota(shapes.Make(dt, dims...), axis))
}

func (e *shloEmitter) unary(op unaryOp, x val) val {
	f := map[unaryOp]func(*stablehlo.Value) (*stablehlo.Value, error){
		opExp: stablehlo.Exponential, opLog: stablehlo.Log, opLog1p: stablehlo.LogPlusOne,
		opAbs: stablehlo.Abs, opNeg: stablehlo.Negate,
	}[op]
	return must(f(sv(x)))
}

func (e *shloEmitter) binary(op binaryOp, x, y val) val {
	f := map[binaryOp]func(_, _ *stablehlo.Value) (*stablehlo.Value, error){
		opAdd: stablehlo.Add, opSub: stablehlo.Subtract, opMul: stablehlo.Multiply,
		opDiv: stablehlo.Divide, opMax: stablehlo.Maximum, opAnd: stablehlo.And,
	}[op]
	return must(f(sv(x), sv(y)))
}

func (e *shloEmitter) compare(dir cmpDir, x, y val) val {
	d := map[cmpDir]types.ComparisonDirection{cmpEQ: types.CompareEQ, cmpLT: types.CompareLT, cmpGE: types.CompareGE}[dir]
	ct := types.CompareFloat
	switch dt := sv(x).Shape().DType; {
	case dt == dtypes.Bool:
		ct = types.CompareUnsigned
	case dt.IsInt():
		ct = types.CompareSigned
	}
	return must(stablehlo.Compare(sv(x), sv(y), d, ct))
}

func (e *shloEmitter) selectOp(pred, onTrue, onFalse val) val {
	return must(stablehlo.Select(sv(pred), sv(onTrue), sv(onFalse)))
}

func (e *shloEmitter) convert(x val, dt dtypes.DType) val {
	return must(stablehlo.Convert(sv(x), dt))
}

func (e *shloEmitter) broadcast(x val, dims []int, axes []int) val {
	if axes == nil {
		axes = []int{}
	}
	return must(stablehlo.BroadcastInDim(sv(x), shapes.Make(sv(x).Shape().DType, dims...), axes))
}

func (e *shloEmitter) dot(x val, xc int, y val, yc int) val {
	return must(stablehlo.DotGeneral(sv(x), []int{xc}, nil, sv(y), []int{yc}, nil).
		Precision(e.precision, e.precision).Done())
}

// reducer returns the (shared) closure of a reduction for one dtype.
func (e *shloEmitter) reducer(op reduceOp, dt dtypes.DType) *stablehlo.Function {
	k := reducerKey{op, dt}
	if r, ok := e.reducers[k]; ok {
		return r
	}
	r := e.fn.Closure()
	lhs := must(r.NamedInput("lhs", shapes.Make(dt)))
	rhs := must(r.NamedInput("rhs", shapes.Make(dt)))
	var out *stablehlo.Value
	if op == redMax {
		out = must(stablehlo.Maximum(lhs, rhs))
	} else {
		out = must(stablehlo.Add(lhs, rhs))
	}
	if err := r.Return(out); err != nil {
		panic(buildError{err})
	}
	e.reducers[k] = r
	return r
}

func (e *shloEmitter) reduce(op reduceOp, x val, axes ...int) val {
	dt := sv(x).Shape().DType
	var init val
	if op == redMax {
		init = e.negInf(dt)
	} else {
		init = e.constant(dt, 0)
	}
	return must(stablehlo.Reduce(sv(x), sv(init), e.reducer(op, dt), axes...))
}

func (e *shloEmitter) negInf(dt dtypes.DType) val {
	switch dt {
	case dtypes.Float32, dtypes.Float64:
		return e.constant(dt, negInfinity)
	}
	panic(buildError{fmt.Errorf("max-reduction of dtype %s", dt)})
}

func (e *shloEmitter) slice(x val, starts, limits []int) val {
	return must(stablehlo.Slice(sv(x), starts, limits, nil))
}

func (e *shloEmitter) pad(x, fill val, hi []int) val {
	lo := make([]int, len(hi))
	return must(stablehlo.Pad(sv(x), sv(fill), lo, hi, make([]int, len(hi))))
}

func (e *shloEmitter) concat(axis int, xs ...val) val {
	vs := make([]*stablehlo.Value, len(xs))
	for i, x := range xs {
		vs[i] = sv(x)
	}
	return must(stablehlo.Concatenate(axis, vs...))
}

func (e *shloEmitter) reshape(x val, dims ...int) val {
	return must(stablehlo.Reshape(sv(x), shapes.Make(sv(x).Shape().DType, dims...)))
}

func (e *shloEmitter) permute(x val, pairs [][2]int) val {
	return must(stablehlo.CollectivePermute(sv(x), pairs))
}

func (e *shloEmitter) allReduceSum(groups [][]int, xs ...val) []val {
	vs := make([]*stablehlo.Value, len(xs))
	for i, x := range xs {
		vs[i] = sv(x)
	}
	r := e.fn.Closure()
	dt := vs[0].Shape().DType
	lhs := must(r.NamedInput("lhs", shapes.Make(dt)))
	rhs := must(r.NamedInput("rhs", shapes.Make(dt)))
	if err := r.Return(must(stablehlo.Add(lhs, rhs))); err != nil {
		panic(buildError{err})
	}
	out, err := stablehlo.AllReduce(vs, groups, r)
	if err != nil {
		panic(buildError{err})
	}
	res := make([]val, len(out))
	for i, o := range out {
		res[i] = o
	}
	return res
}

func (e *shloEmitter) output(xs ...val) {
	vs := make([]*stablehlo.Value, len(xs))
	for i, x := range xs {
		vs[i] = sv(x)
	}
	if err := e.fn.Return(vs...); err != nil {
		panic(buildError{err})
	}
}

func (e *shloEmitter) dims(x val) []int { return sv(x).Shape().Dimensions }
