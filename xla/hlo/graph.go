package hlo

import (
	"fmt"
	"math"

	"github.com/gomlx/gopjrt/dtypes"
)

// The losses are written once, against the small set of tensor operations
// below (emitter). One implementation prints StableHLO (stablehlo.go); the
// tests add one that evaluates eagerly in Go, which checks the blocking, the
// masking and the ring against a float64 reference without any PJRT plugin.

// val is a tensor of the program under construction (its type belongs to the
// emitter).
type val = any

type unaryOp int

const (
	opExp unaryOp = iota
	opLog
	opLog1p
	opAbs
	opNeg
)

type binaryOp int

const (
	opAdd binaryOp = iota
	opSub
	opMul
	opDiv
	opMax
	opAnd // bool
)

type reduceOp int

const (
	redSum reduceOp = iota
	redMax
)

type cmpDir int

const (
	cmpEQ cmpDir = iota
	cmpLT
	cmpGE
)

// emitter is the tensor algebra the losses are written in. Binary operations
// take operands of identical shapes (broadcasts are explicit, as in
// StableHLO). Errors are raised with panic(buildError{...}) and turned into
// errors by build.
type emitter interface {
	input(name string, dt dtypes.DType, dims ...int) val
	constant(dt dtypes.DType, x float64) val // a scalar
	iota(dt dtypes.DType, dims []int, axis int) val
	unary(op unaryOp, x val) val
	binary(op binaryOp, x, y val) val
	compare(dir cmpDir, x, y val) val // bool result
	selectOp(pred, onTrue, onFalse val) val
	convert(x val, dt dtypes.DType) val
	// broadcast is BroadcastInDim: axis i of x becomes axis axes[i] of dims.
	broadcast(x val, dims []int, axes []int) val
	// dot contracts axis xc of the rank-2 x with axis yc of the rank-2 y:
	// the result is [x's other axis, y's other axis].
	dot(x val, xc int, y val, yc int) val
	reduce(op reduceOp, x val, axes ...int) val
	slice(x val, starts, limits []int) val
	// pad appends hi[i] elements equal to the scalar fill after axis i.
	pad(x, fill val, hi []int) val
	concat(axis int, xs ...val) val
	reshape(x val, dims ...int) val
	// permute is collective_permute over the replicas.
	permute(x val, pairs [][2]int) val
	// allReduceSum sums each x over the replicas of groups.
	allReduceSum(groups [][]int, xs ...val) []val
	output(xs ...val)
	dims(x val) []int
}

// buildError carries an error out of the graph code through panic.
type buildError struct{ err error }

// build writes the loss program of a normalised spec with e.
func build(e emitter, s Spec) (err error) {
	defer func() {
		if r := recover(); r != nil {
			be, ok := r.(buildError)
			if !ok {
				panic(r)
			}
			err = be.err
		}
	}()
	g := newGraph(e, s)
	switch s.Kind {
	case Sigmoid:
		g.sigmoid()
	case Softmax:
		g.softmax()
	default:
		return fmt.Errorf("%w: unknown loss kind %d", ErrSpec, int(s.Kind))
	}
	return nil
}

// posMode says where the positives of a block of texts are.
type posMode int

const (
	posNone   posMode = iota // every pair is a negative (a ring step > 0 on the diagonal)
	posDiag                  // local image i and local text j are positive iff i == j
	posLabels                // labels equal
)

type graph struct {
	e    emitter
	s    Spec
	n, m int // images and texts per device
	d    int
	k    int // devices
	blk  int // texts per block
	nb   int // blocks per device
	sc   dtypes.DType

	// inputs
	x, y, tPrime, bias, imgLabels, txtLabels val
}

func newGraph(e emitter, s Spec) *graph {
	n, m := s.Shard()
	g := &graph{e: e, s: s, n: n, m: m, d: s.D, k: s.Shards, blk: s.Block, sc: s.ScalarDType()}
	g.nb = (m + g.blk - 1) / g.blk
	g.x = e.input(InImg, dtypes.Float32, n, s.D)
	g.y = e.input(InTxt, dtypes.Float32, m, s.D)
	g.tPrime = e.input(InTPrime, dtypes.Float32)
	g.bias = e.input(InBias, dtypes.Float32)
	if s.Labels {
		g.imgLabels = e.input(InImgLabels, dtypes.Int64, n)
		g.txtLabels = e.input(InTxtLabels, dtypes.Int64, m)
	}
	return g
}

// --- small helpers ---

func (g *graph) f32(x float64) val { return g.e.constant(dtypes.Float32, x) }

// full broadcasts the scalar s to dims.
func (g *graph) full(s val, dims ...int) val { return g.e.broadcast(s, dims, nil) }

// rows broadcasts the vector v [dims[0]] along the rows of dims; cols
// broadcasts v [dims[1]] along the columns.
func (g *graph) rows(v val, dims []int) val { return g.e.broadcast(v, dims, []int{0}) }
func (g *graph) cols(v val, dims []int) val { return g.e.broadcast(v, dims, []int{1}) }

func (g *graph) add(x, y val) val { return g.e.binary(opAdd, x, y) }
func (g *graph) sub(x, y val) val { return g.e.binary(opSub, x, y) }
func (g *graph) mul(x, y val) val { return g.e.binary(opMul, x, y) }
func (g *graph) div(x, y val) val { return g.e.binary(opDiv, x, y) }

// addOpt adds y to the accumulator acc, which may be nil (no terms yet).
func (g *graph) addOpt(acc, y val) val {
	if acc == nil {
		return y
	}
	return g.add(acc, y)
}

// sum2 sums a 2-D float32 tensor into a scalar of the scalar dtype: each row
// in float32 (at most Block terms), then the row sums in the scalar dtype.
func (g *graph) sum2(x val) val {
	return g.sumVec(g.e.reduce(redSum, x, 1))
}

// sumVec sums a float32 vector into a scalar of the scalar dtype.
func (g *graph) sumVec(v val) val {
	if g.sc != dtypes.Float32 {
		v = g.e.convert(v, g.sc)
	}
	return g.e.reduce(redSum, v, 0)
}

// scale multiplies a scalar of the scalar dtype by the constant c.
func (g *graph) scale(x val, c float64) val {
	return g.mul(x, g.e.constant(g.sc, c))
}

// block is one block of the texts a device holds.
type block struct {
	start, width int // texts [start, start+width) of the held shard
	y            val // f32[blk, d], padded with zero rows
	labels       val // i64[blk] or nil
	valid        val // bool[n, blk] (column < width), nil when not padded
}

// blockOf cuts block j out of the held texts y [m, d] and their labels.
func (g *graph) blockOf(y, labels val, j int) block {
	e := g.e
	b := block{start: j * g.blk}
	b.width = min(g.blk, g.m-b.start)
	if g.nb == 1 {
		b.y, b.labels = y, labels
		return b
	}
	b.y = e.slice(y, []int{b.start, 0}, []int{b.start + b.width, g.d})
	if labels != nil {
		b.labels = e.slice(labels, []int{b.start}, []int{b.start + b.width})
	}
	if padRows := g.blk - b.width; padRows > 0 {
		b.y = e.pad(b.y, g.f32(0), []int{padRows, 0})
		if labels != nil {
			b.labels = e.pad(b.labels, e.constant(dtypes.Int64, 0), []int{padRows})
		}
		nm := []int{g.n, g.blk}
		b.valid = e.compare(cmpLT, e.iota(dtypes.Int32, nm, 1), g.full(e.constant(dtypes.Int32, float64(b.width)), nm...))
	}
	return b
}

// positives returns the bool[n, blk] positives of a block (never in its
// padding), or nil if it has none.
func (g *graph) positives(mode posMode, b block) val {
	e := g.e
	nm := []int{g.n, g.blk}
	var pos val
	switch mode {
	case posLabels:
		pos = e.compare(cmpEQ, g.rows(g.imgLabels, nm), g.cols(b.labels, nm))
	case posDiag:
		col := e.iota(dtypes.Int32, nm, 1)
		if b.start != 0 {
			col = g.add(col, g.full(e.constant(dtypes.Int32, float64(b.start)), nm...))
		}
		pos = e.compare(cmpEQ, e.iota(dtypes.Int32, nm, 0), col)
	default:
		return nil
	}
	if b.valid != nil && mode == posLabels {
		// A padded text's label (0) may match; a padded column index never
		// equals an image index, so the diagonal needs no mask.
		pos = e.binary(opAnd, pos, b.valid)
	}
	return pos
}

// stepMode is the positives mode of ring step s.
func (g *graph) stepMode(s int) posMode {
	switch {
	case g.s.Labels:
		return posLabels
	case s == 0:
		return posDiag
	}
	// Device k holds the texts of device k-s: with N == M and s > 0 none of
	// its texts matches one of k's images.
	return posNone
}

// logits returns t <x_i, y_j> for a block: f32[n, blk].
func (g *graph) logits(b block, t val) val {
	s := g.e.dot(g.x, 1, b.y, 1)
	return g.mul(s, g.full(t, g.n, g.blk))
}

// hop moves every non-nil tensor one step around the ring.
func (g *graph) hop(xs ...val) []val {
	out := make([]val, len(xs))
	pairs := RingPairs(g.k)
	for i, x := range xs {
		if x != nil {
			out[i] = g.e.permute(x, pairs)
		}
	}
	return out
}

// concatBlocks joins per-block results along axis 0 and drops the padding:
// the result has g.m rows.
func (g *graph) concatBlocks(parts []val) val {
	if len(parts) == 1 {
		return parts[0]
	}
	c := g.e.concat(0, parts...)
	if g.nb*g.blk == g.m {
		return c
	}
	dims := g.e.dims(c)
	starts := make([]int, len(dims))
	limits := append([]int(nil), dims...)
	limits[0] = g.m
	return g.e.slice(c, starts, limits)
}

// --- the sigmoid loss ---

// sigmoid writes the sigmoid loss: l = t <x, y> + b, L = (1/N) sum
// softplus(-z l), G = (sigmoid(l) - [pos]) / N, dX = t G Y, dY = t G^T X,
// db = sum G, dt' = sum G (l - b).
func (g *graph) sigmoid() {
	e := g.e
	t := e.unary(opExp, g.tPrime)
	tOverN := g.mul(t, g.f32(1/float64(g.s.N)))

	var dX, lossSum, dtSum, dbSum val
	y, labels := g.y, g.txtLabels
	var dY val // the gradient of the held texts, travelling with them
	for s := 0; s < g.k; s++ {
		if s > 0 {
			h := g.hop(y, labels, dY)
			y, labels, dY = h[0], h[1], h[2]
		}
		var dYParts []val
		for j := 0; j < g.nb; j++ {
			b := g.blockOf(y, labels, j)
			dXb, dYb, ls, dts, dbs := g.sigmoidBlock(b, g.positives(g.stepMode(s), b), t, tOverN)
			dX = g.addOpt(dX, dXb)
			dYParts = append(dYParts, dYb)
			lossSum, dtSum, dbSum = g.addOpt(lossSum, ls), g.addOpt(dtSum, dts), g.addOpt(dbSum, dbs)
		}
		dY = g.addOpt(dY, g.concatBlocks(dYParts))
	}
	invN := 1 / float64(g.s.N)
	loss, dt, db := g.scale(lossSum, invN), g.scale(dtSum, invN), g.scale(dbSum, invN)
	if g.k > 1 {
		dY = g.hop(dY)[0] // the last hop home
		r := e.allReduceSum(ReplicaGroups(g.k), loss, dt, db)
		loss, dt, db = r[0], r[1], r[2]
	}
	e.output(loss, dX, dY, dt, db)
}

// sigmoidBlock computes one block: the images' gradient part dXb [n, d], the
// block's texts' gradient dYb [blk, d] and the unnormalised sums of the loss
// terms, of G (l - b) and of G.
func (g *graph) sigmoidBlock(b block, pos val, t, tOverN val) (dXb, dYb, lossSum, dtSum, dbSum val) {
	e := g.e
	nm := []int{g.n, g.blk}
	zero := g.full(g.f32(0), nm...)
	one := g.full(g.f32(1), nm...)

	tS := g.logits(b, t)                                    // t <x, y> = l - b
	l := g.add(tS, g.full(g.bias, nm...))                   // logits
	en := e.unary(opExp, e.unary(opNeg, e.unary(opAbs, l))) // exp(-|l|), in (0, 1]
	// softplus(u) = max(u, 0) + log1p(exp(-|u|)) with u = -z l; |u| = |l|.
	u := l
	if pos != nil {
		u = e.selectOp(pos, e.unary(opNeg, l), l)
	}
	terms := g.add(e.binary(opMax, u, zero), e.unary(opLog1p, en))
	// sigmoid(l) from the same exp(-|l|): 1/(1+e) for l >= 0, e/(1+e) below.
	r := g.div(one, g.add(one, en))
	sig := e.selectOp(e.compare(cmpGE, l, zero), r, g.mul(en, r))
	gRaw := sig // N G: sigmoid(l) - [pos]
	if pos != nil {
		gRaw = g.sub(sig, e.convert(pos, dtypes.Float32))
	}
	if b.valid != nil {
		terms = e.selectOp(b.valid, terms, zero)
		gRaw = e.selectOp(b.valid, gRaw, zero)
	}
	gt := g.mul(gRaw, g.full(tOverN, nm...)) // t G
	dXb = e.dot(gt, 1, b.y, 0)               // t G Y: [n, d]
	dYb = e.dot(gt, 0, g.x, 0)               // t G^T X: [blk, d]
	return dXb, dYb, g.sum2(terms), g.sum2(g.mul(gRaw, tS)), g.sum2(gRaw)
}

// --- the softmax loss ---

// softmax writes the CLIP loss with logits l = t <x, y>:
//
//	L = 1/2 [ (1/N) sum_i (LSE_j l_ij - sum_j q_ij l_ij) + (1/M) sum_j (LSE_i l_ij - sum_i p_ij l_ij) ]
//	G = 1/2 [ (softmax_row(l) - q) / N + (softmax_col(l) - p) / M ]
//
// where q_ij = [pos_ij] / (positives of row i) and p_ij = [pos_ij] /
// (positives of column j) (the identity on the diagonal). It takes two passes
// over the texts: the first gathers the row and column log-sum-exps and the
// positive counts, the second forms G. On the ring the column statistics of
// a text shard travel with it in both passes and hop home after the first.
func (g *graph) softmax() {
	e := g.e
	t := e.unary(opExp, g.tPrime)
	mp := g.nb * g.blk // padded texts per device
	negInf := g.f32(math.Inf(-1))

	// Pass 1. Row statistics of this device's images (local): running max
	// and sum of exp, positive counts and sum of [pos] l. Column statistics
	// of the held texts (travelling, padded to mp): the same four.
	var rMax, rSum, rCnt, rPL val
	y, labels := g.y, g.txtLabels
	var colStats val // f32[4, mp]: max, sum of exp, count, sum of [pos] l
	for s := 0; s < g.k; s++ {
		if s > 0 {
			h := g.hop(y, labels, colStats)
			y, labels, colStats = h[0], h[1], h[2]
		}
		var cMaxP, cSumP, cCntP, cPLP []val
		for j := 0; j < g.nb; j++ {
			b := g.blockOf(y, labels, j)
			nm := []int{g.n, g.blk}
			l := g.logits(b, t)
			pos := g.positives(g.stepMode(s), b)
			lr := l // logits with the padded columns at -inf, for the rows
			if b.valid != nil {
				lr = e.selectOp(b.valid, l, g.full(negInf, nm...))
			}
			bMax := e.reduce(redMax, lr, 1)
			if rMax == nil {
				rMax = bMax
				rSum = e.reduce(redSum, e.unary(opExp, g.sub(lr, g.rows(rMax, nm))), 1)
			} else {
				newMax := e.binary(opMax, rMax, bMax)
				rSum = g.add(g.mul(rSum, e.unary(opExp, g.sub(rMax, newMax))),
					e.reduce(redSum, e.unary(opExp, g.sub(lr, g.rows(newMax, nm))), 1))
				rMax = newMax
			}
			cMax := e.reduce(redMax, l, 0)
			cSum := e.reduce(redSum, e.unary(opExp, g.sub(l, g.cols(cMax, nm))), 0)
			var cCnt, cPL val
			if pos != nil {
				pf := e.convert(pos, dtypes.Float32)
				pl := g.mul(pf, l)
				rCnt = g.addOpt(rCnt, e.reduce(redSum, pf, 1))
				rPL = g.addOpt(rPL, e.reduce(redSum, pl, 1))
				cCnt, cPL = e.reduce(redSum, pf, 0), e.reduce(redSum, pl, 0)
			} else {
				z := g.full(g.f32(0), g.blk)
				cCnt, cPL = z, z
			}
			cMaxP, cSumP, cCntP, cPLP = append(cMaxP, cMax), append(cSumP, cSum), append(cCntP, cCnt), append(cPLP, cPL)
		}
		stats := g.packStats(mp, cMaxP, cSumP, cCntP, cPLP)
		if colStats == nil {
			colStats = stats
		} else {
			colStats = g.mergeColStats(colStats, stats, mp)
		}
	}
	if g.k > 1 {
		colStats = g.hop(colStats)[0] // home: this device's texts over all images
	}
	rowLSE := g.add(rMax, e.unary(opLog, rSum))
	cMax, cSum, cCnt, cPL := g.unpackStats(colStats, mp)
	colLSE := g.add(cMax, e.unary(opLog, cSum))

	// The loss: the rows' half here, the columns' half for this device's
	// texts (without the padding).
	rowTerms := g.sub(rowLSE, g.div(rPL, rCnt))
	colTerms := g.sub(colLSE, g.div(cPL, cCnt))
	if mp != g.m {
		colTerms = e.slice(colTerms, []int{0}, []int{g.m})
	}
	loss := g.add(g.scale(g.sumVec(rowTerms), 0.5/float64(g.s.N)), g.scale(g.sumVec(colTerms), 0.5/float64(g.s.M)))

	// Pass 2: G block by block; the column LSEs and counts travel with the
	// texts again, and so does their gradient.
	invRCnt := g.div(g.full(g.f32(1), g.n), rCnt)
	invCCnt := g.div(g.full(g.f32(1), mp), cCnt)
	colInfo := e.concat(0, e.reshape(colLSE, 1, mp), e.reshape(invCCnt, 1, mp)) // f32[2, mp]
	y, labels = g.y, g.txtLabels
	var dX, dY, dtSum val
	for s := 0; s < g.k; s++ {
		if s > 0 {
			h := g.hop(y, labels, colInfo, dY)
			y, labels, colInfo, dY = h[0], h[1], h[2], h[3]
		}
		var dYParts []val
		for j := 0; j < g.nb; j++ {
			b := g.blockOf(y, labels, j)
			nm := []int{g.n, g.blk}
			l := g.logits(b, t)
			pos := g.positives(g.stepMode(s), b)
			bLSE := g.statRow(colInfo, 0, j)
			pRow := e.unary(opExp, g.sub(l, g.rows(rowLSE, nm)))
			pCol := e.unary(opExp, g.sub(l, g.cols(bLSE, nm)))
			if pos != nil {
				pf := e.convert(pos, dtypes.Float32)
				pRow = g.sub(pRow, g.mul(pf, g.rows(invRCnt, nm)))
				pCol = g.sub(pCol, g.mul(pf, g.cols(g.statRow(colInfo, 1, j), nm)))
			}
			gm := g.add(g.mul(pRow, g.full(g.f32(0.5/float64(g.s.N)), nm...)),
				g.mul(pCol, g.full(g.f32(0.5/float64(g.s.M)), nm...)))
			if b.valid != nil {
				gm = e.selectOp(b.valid, gm, g.full(g.f32(0), nm...))
			}
			dtSum = g.addOpt(dtSum, g.sum2(g.mul(gm, l)))
			gt := g.mul(gm, g.full(t, nm...))
			dX = g.addOpt(dX, e.dot(gt, 1, b.y, 0))
			dYParts = append(dYParts, e.dot(gt, 0, g.x, 0))
		}
		dY = g.addOpt(dY, g.concatBlocks(dYParts))
	}
	dt := dtSum
	db := e.constant(g.sc, 0)
	if g.k > 1 {
		dY = g.hop(dY)[0]
		r := e.allReduceSum(ReplicaGroups(g.k), loss, dt)
		loss, dt = r[0], r[1]
	}
	e.output(loss, dX, dY, dt, db)
}

// packStats stacks four lists of per-block column vectors into f32[4, mp].
func (g *graph) packStats(mp int, lists ...[]val) val {
	rows := make([]val, len(lists))
	for i, parts := range lists {
		v := parts[0]
		if len(parts) > 1 {
			v = g.e.concat(0, parts...)
		}
		rows[i] = g.e.reshape(v, 1, mp)
	}
	return g.e.concat(0, rows...)
}

// unpackStats splits f32[4, mp] into its four rows.
func (g *graph) unpackStats(st val, mp int) (a, b, c, d val) {
	r := make([]val, 4)
	for i := range r {
		r[i] = g.e.reshape(g.e.slice(st, []int{i, 0}, []int{i + 1, mp}), mp)
	}
	return r[0], r[1], r[2], r[3]
}

// statRow returns row i of a stats tensor [*, mp] for block j: f32[blk].
func (g *graph) statRow(st val, i, j int) val {
	s := g.e.slice(st, []int{i, j * g.blk}, []int{i + 1, (j + 1) * g.blk})
	return g.e.reshape(s, g.blk)
}

// mergeColStats combines the column statistics of the same texts over two
// disjoint sets of images: the log-sum-exps by their maxima, counts and sums
// by addition.
func (g *graph) mergeColStats(a, b val, mp int) val {
	e := g.e
	aMax, aSum, aCnt, aPL := g.unpackStats(a, mp)
	bMax, bSum, bCnt, bPL := g.unpackStats(b, mp)
	m := e.binary(opMax, aMax, bMax)
	sum := g.add(g.mul(aSum, e.unary(opExp, g.sub(aMax, m))), g.mul(bSum, e.unary(opExp, g.sub(bMax, m))))
	return g.packStats(mp, []val{m}, []val{sum}, []val{g.add(aCnt, bCnt)}, []val{g.add(aPL, bPL)})
}

var negInfinity = math.Inf(-1)
