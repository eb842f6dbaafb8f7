package siglip

// #include "model/siglip_model.h"
import "C"

import (
	"fmt"
	"math"
)

// AdamW holds the hyperparameters of the model's optimiser: AdamW with
// decoupled weight decay (the decay is multiplied by the learning rate, as
// in PyTorch and optax), per-group learning-rate multipliers, a weight-decay
// mask (ParamInfo.Decay) and clipping by the global gradient norm. One step:
//
//	g <- g * min(1, ClipNorm / ||g||)        (||g|| over groups with LRMult != 0)
//	m <- Beta1 m + (1 - Beta1) g;  v <- Beta2 v + (1 - Beta2) g^2
//	p <- p - LR*LRMult[group] * ( m/(1-Beta1^t) / (sqrt(v/(1-Beta2^t)) + Eps)
//	                              + WeightDecay * Decay * p )
//
// fused into one pass over the parameters. Start from DefaultAdamW: a zero
// LRMult freezes its group (a locked tower, whose moments stay untouched).
type AdamW struct {
	LR          float64
	Beta1       float64
	Beta2       float64 // 0.95, the paper's (more stable than 0.999)
	Eps         float64
	WeightDecay float64
	ClipNorm    float64 // <= 0: no clipping
	// LRMult multiplies LR per group: LRMult[GroupImage], LRMult[GroupText],
	// LRMult[GroupLogit].
	LRMult [NumParamGroups]float64
}

// DefaultAdamW returns the paper's settings: LR 1e-3, Beta1 0.9, Beta2 0.95,
// Eps 1e-8, WeightDecay 1e-4, ClipNorm 1, every multiplier 1.
func DefaultAdamW() AdamW {
	var c C.siglip_adamw_options
	C.siglip_adamw_defaults(&c)
	o := AdamW{
		LR: float64(c.lr), Beta1: float64(c.beta1), Beta2: float64(c.beta2), Eps: float64(c.eps),
		WeightDecay: float64(c.weight_decay), ClipNorm: float64(c.clip_norm),
	}
	for k := range o.LRMult {
		o.LRMult[k] = float64(c.lr_mult[k])
	}
	return o
}

// Validate reports the first bad hyperparameter; the error wraps
// ErrInvalidInput.
func (o AdamW) Validate() error {
	bad := func(f string, a ...any) error {
		return fmt.Errorf("siglip: adamw: %w: %s", ErrInvalidInput, fmt.Sprintf(f, a...))
	}
	switch {
	case !(o.LR >= 0) || math.IsInf(o.LR, 0):
		return bad("LR = %v, want finite and >= 0", o.LR)
	case !(o.Beta1 >= 0 && o.Beta1 < 1):
		return bad("Beta1 = %v, want [0, 1)", o.Beta1)
	case !(o.Beta2 >= 0 && o.Beta2 < 1):
		return bad("Beta2 = %v, want [0, 1)", o.Beta2)
	case !(o.Eps > 0) || math.IsInf(o.Eps, 0):
		return bad("Eps = %v, want finite and > 0", o.Eps)
	case !(o.WeightDecay >= 0) || math.IsInf(o.WeightDecay, 0):
		return bad("WeightDecay = %v, want finite and >= 0", o.WeightDecay)
	case math.IsNaN(o.ClipNorm):
		return bad("ClipNorm is NaN")
	}
	any := false
	for k, v := range o.LRMult {
		if !(v >= 0) || math.IsInf(v, 0) {
			return bad("LRMult[%d] = %v, want finite and >= 0", k, v)
		}
		any = any || v != 0
	}
	if !any {
		return bad("every LRMult is 0: nothing would be trained (start from DefaultAdamW)")
	}
	return nil
}

// Step applies one AdamW update with the current gradients and returns the
// global gradient norm before clipping. A non-finite norm is an error and
// leaves the parameters unchanged.
func (m *Model) Step(o AdamW) (gradNorm float64, err error) {
	if err := o.Validate(); err != nil {
		return 0, err
	}
	c := C.siglip_adamw_options{
		lr: C.double(o.LR), beta1: C.double(o.Beta1), beta2: C.double(o.Beta2), eps: C.double(o.Eps),
		weight_decay: C.double(o.WeightDecay), clip_norm: C.double(o.ClipNorm),
	}
	for k, v := range o.LRMult {
		c.lr_mult[k] = C.double(v)
	}
	var norm C.double
	err = m.call("adamw step", func(e *C.char) C.int { return C.siglip_model_adamw_step(m.c, &c, &norm, e, errBufLen) })
	return float64(norm), err
}

// WarmupCosine is the learning rate at step (0-based) of a linear warmup
// from 0 to peak over warmup steps followed by a cosine decay to final at
// step total; the paper's schedule. Steps past total give final.
func WarmupCosine(step, warmup, total int, peak, final float64) float64 {
	switch {
	case step < 0:
		return 0
	case step < warmup:
		return peak * float64(step+1) / float64(warmup)
	case step >= total || total <= warmup:
		return final
	}
	p := float64(step-warmup) / float64(total-warmup)
	return final + (peak-final)*0.5*(1+math.Cos(math.Pi*p))
}
