// Package siglip is SigLIP for Go: the sigmoid loss of "Sigmoid Loss for
// Language Image Pre-Training" (Zhai, Mustafa, Kolesnikov, Beyer, 2023) as
// fused C++ kernels behind thin cgo wrappers.
//
// The sigmoid loss treats every image-text pair of a batch as an independent
// binary problem, so its value and all of its gradients come out of one pass
// over tiles of the logit matrix, which is never stored. See Loss.
package siglip
