// Package siglip is SigLIP for Go: the sigmoid loss of "Sigmoid Loss for
// Language Image Pre-Training" (Zhai, Mustafa, Kolesnikov, Beyer, 2023) as
// fused C++ kernels behind thin cgo wrappers.
//
// The sigmoid loss treats every image-text pair of a batch as an independent
// binary problem, so its value and all of its gradients come out of one pass
// over tiles of the logit matrix, which is never stored. See Loss.
//
// The two towers that produce the embeddings, a ViT image tower and a
// transformer text tower, are a Model: hand-written C++ kernels for the
// forward and backward of every op (GEMMs on OpenBLAS, fused epilogues in
// SIMD) and an AdamW optimiser, with Hugging Face SiglipModel parameter
// names. See NewModel, ModelPreset and Model.TrainStep:
//
//	cfg, _ := siglip.ModelPreset("s16")
//	m, _ := siglip.NewModel(cfg, 1, siglip.WithThreads(2), siglip.WithBatch(64, 64))
//	defer m.Close()
//	img, txt, _ := m.Forward(pixels, tokens)          // unit-norm embeddings
//	loss, g, _ := siglip.Loss(img, txt, m.LossParams(), siglip.LossOptions{})
//	_ = m.Backward(g)                                 // gradients of every parameter
//	_, _ = m.Step(siglip.DefaultAdamW())              // one AdamW update
//
// Train runs a whole training run configured by one plain struct,
// TrainConfig (big_vision style): data, tokenizer, model, the loop (towers,
// loss, backward, the gradient all-reduce over ranks when TrainConfig.Comm
// is set, AdamW), metrics, evaluation and exactly resumable checkpoints.
// Evaluate measures zero-shot accuracy and retrieval recall; LoadTrained
// reopens a checkpoint:
//
//	c := siglip.DefaultTrainConfig()
//	c.Data, c.Out = "shapes", "/tmp/run"
//	res, _ := siglip.Train(ctx, c)                    // res.Eval.ZeroShotTop1
//	tr, _ := siglip.LoadTrained("/tmp/run", 0)        // model, tokenizer, meta
package siglip
