/* siglip_model.h: the C ABI of the SigLIP towers (ViT image tower and
 * transformer text tower), forward and backward, and their AdamW optimiser.
 *
 * Conventions are those of siglip.h: opaque handles, plain structs, pointers
 * with explicit sizes, an int status (SIGLIP_OK on success) and a
 * NUL-terminated message in a caller-owned buffer on failure; no C++
 * exception, abort() or signal crosses this header; the core keeps no pointer
 * to caller memory after a call returns.
 *
 * A model owns its parameters, their gradients, the AdamW moments and one
 * activation arena per tower, all in the dtype chosen at creation (float32 for
 * production, float64 for the tests that hold the kernels against finite
 * differences). The arena of a tower is sized for a batch (see
 * siglip_model_reserve): a step of that batch size or smaller allocates
 * nothing. A model is not safe for concurrent calls: callers serialise.
 *
 * Data layouts (row-major, no padding):
 *   pixels   n x channels x image_size x image_size (NCHW, as Hugging Face's
 *            pixel_values), model dtype;
 *   tokens   n x text_len int32 ids in [0, vocab_size);
 *   embeddings n x embed_dim, model dtype, L2-normalised rows.
 */
#ifndef SIGLIP_MODEL_H_
#define SIGLIP_MODEL_H_

#include <stddef.h>
#include <stdint.h>

#include "siglip.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How the image tower turns its tokens into one vector. */
typedef enum {
  SIGLIP_POOLING_MAP = 0, /* multihead attention pooling head (SigLIP's) */
  SIGLIP_POOLING_MEAN = 1 /* the mean of the final tokens */
} siglip_pooling;

/* The shapes of both towers. The image embedding is the pooled image token
 * (as in SigLIP), so embed_dim must equal vision_width; the text tower ends
 * in a linear head from text_width to embed_dim. */
typedef struct {
  /* image tower (ViT) */
  int64_t image_size;    /* pixels per side of a square image */
  int64_t patch_size;    /* pixels per side of a patch; divides image_size */
  int64_t channels;      /* 3 for RGB */
  int64_t vision_width;  /* token width */
  int64_t vision_layers; /* transformer blocks */
  int64_t vision_heads;  /* attention heads; divides vision_width */
  int64_t vision_mlp;    /* hidden width of the MLPs */
  int64_t pooling;       /* siglip_pooling */
  /* text tower */
  int64_t vocab_size;
  int64_t text_len; /* tokens per text (fixed; pad to it) */
  int64_t text_width;
  int64_t text_layers;
  int64_t text_heads;
  int64_t text_mlp;
  int64_t pad_id; /* tokens equal to pad_id are masked as attention keys;
                     -1 masks nothing */
  /* both */
  int64_t embed_dim;     /* width of the embeddings; == vision_width */
  double layer_norm_eps; /* 1e-6 in SigLIP */
} siglip_model_config;

/* Fills *cfg with a preset: "tiny" (tests), "s16" (ViT-S/16 at 224 px,
 * text width 384, 12 layers, 16 tokens), "b16" (SigLIP B/16 shapes). */
int siglip_model_config_preset(const char* name, siglip_model_config* cfg,
                               char* err, size_t err_len);

/* Checks a configuration; SIGLIP_EINVAL with the reason when it is bad. */
int siglip_model_config_check(const siglip_model_config* cfg, char* err,
                              size_t err_len);

/* Model FLOPs of the forward pass of both towers on n_img images and n_txt
 * texts: 2 M N K for every matrix product, attention products included
 * (masked keys counted: the figure depends on the config only). A training
 * step is counted as 3x this. */
double siglip_model_forward_flops(const siglip_model_config* cfg,
                                  int64_t n_img, int64_t n_txt);

typedef struct siglip_model siglip_model;

/* Creates a model with parameters initialised from seed (the same seed gives
 * the same parameters in float32 and float64, up to rounding), running on a
 * pool of `threads` threads (<= 0: all online cores). */
int siglip_model_create(const siglip_model_config* cfg, siglip_dtype dtype,
                        int threads, uint64_t seed, siglip_model** out,
                        char* err, size_t err_len);
void siglip_model_destroy(siglip_model* model);

/* Sizes the activation arenas for batches of up to n_img images and n_txt
 * texts (0 leaves a tower's arena as it is). Forward calls grow the arenas
 * themselves when needed; reserving up front keeps every step free of
 * allocation. */
int siglip_model_reserve(siglip_model* model, int64_t n_img, int64_t n_txt,
                         char* err, size_t err_len);

/* Bytes held by the model: parameters, gradients, moments and arenas. */
int64_t siglip_model_bytes(const siglip_model* model);

/* Image tower forward: n images -> n x embed_dim unit vectors in out.
 * With train != 0 the activations are kept for siglip_model_backward (the
 * arena grows to n if needed); with train == 0 the images are processed in
 * chunks of at most the reserved batch (or 16) and the activations of an
 * earlier training forward are invalidated. */
int siglip_model_embed_images(siglip_model* model, int64_t n,
                              const void* pixels, void* out, int train,
                              char* err, size_t err_len);

/* Image tower forward from 8-bit pixels: n images of bytes in the layout of
 * siglip_model_embed_images, byte b standing for values[b] (256 finite
 * floats, e.g. the normalisation of b/255), looked up as the patches are
 * cut. A data loader hands over a quarter of the bytes of float pixels;
 * the results are those of siglip_model_embed_images of the looked-up
 * values. Same train semantics. */
int siglip_model_embed_images_u8(siglip_model* model, int64_t n,
                                 const uint8_t* pixels, const float* values,
                                 void* out, int train, char* err,
                                 size_t err_len);

/* Text tower forward: n token sequences -> n x embed_dim unit vectors.
 * Same train semantics as siglip_model_embed_images. */
int siglip_model_embed_texts(siglip_model* model, int64_t n,
                             const int32_t* tokens, void* out, int train,
                             char* err, size_t err_len);

/* Gradients of a training step. */
typedef struct {
  const void* dimg;     /* n_img x embed_dim dL/d(image embeddings), or NULL
                           to skip the image tower (e.g. a locked tower) */
  const void* dtxt;     /* n_txt x embed_dim, or NULL to skip the text tower */
  int64_t n_img, n_txt; /* must match the last training forwards */
  double d_logit_scale; /* dL/dt' from the loss, for parameter logit_scale */
  double d_logit_bias;  /* dL/db, for parameter logit_bias */
  int accumulate;       /* != 0: add to the gradients (accumulation steps);
                           0: overwrite them (a skipped tower's are zeroed) */
} siglip_model_grads;

/* Backward through the towers (and the L2 normalisation of their outputs),
 * writing the parameter gradients. Needs the training forwards of the same
 * batch. */
int siglip_model_backward(siglip_model* model, const siglip_model_grads* g,
                          char* err, size_t err_len);

/* Sets every gradient to zero. */
int siglip_model_zero_grads(siglip_model* model, char* err, size_t err_len);

/* Parameter groups, for per-group learning-rate multipliers. */
#define SIGLIP_GROUP_IMAGE 0 /* vision_model.* */
#define SIGLIP_GROUP_TEXT 1  /* text_model.* */
#define SIGLIP_GROUP_LOGIT 2 /* logit_scale, logit_bias */
#define SIGLIP_GROUPS 3

/* A named parameter tensor. Names and shapes follow Hugging Face's
 * SiglipModel state dict; values lie in the flat parameter vector at
 * [offset, offset + numel). */
typedef struct {
  const char* name; /* static for the model's lifetime */
  int ndim;
  int64_t shape[4];
  int64_t numel;
  int64_t offset;
  int group; /* SIGLIP_GROUP_* */
  int decay; /* 1 if AdamW applies weight decay (matrices, embeddings of
                tokens, the probe); 0 for biases, norms, position
                embeddings and the logit scalars */
} siglip_param_info;

/* The number of named tensors and of scalars in the flat vector. */
int64_t siglip_model_param_count(const siglip_model* model);
int64_t siglip_model_param_elements(const siglip_model* model);
int siglip_model_param_info(const siglip_model* model, int64_t index,
                            siglip_param_info* info, char* err,
                            size_t err_len);
/* Index of a named tensor, or -1. */
int64_t siglip_model_param_index(const siglip_model* model, const char* name);

/* Which flat vector a copy reads or writes. */
typedef enum {
  SIGLIP_BUF_PARAMS = 0,
  SIGLIP_BUF_GRADS = 1,
  SIGLIP_BUF_ADAM_M = 2,
  SIGLIP_BUF_ADAM_V = 3
} siglip_model_buffer;

/* Copies count elements of a flat vector from offset into dst (model dtype),
 * or from src into it. */
int siglip_model_read(const siglip_model* model, siglip_model_buffer which,
                      int64_t offset, int64_t count, void* dst, char* err,
                      size_t err_len);
int siglip_model_write(siglip_model* model, siglip_model_buffer which,
                       int64_t offset, int64_t count, const void* src,
                       char* err, size_t err_len);

/* AdamW with decoupled weight decay (the decay is multiplied by the
 * learning rate, as in PyTorch and optax):
 *   g  <- clip * grad,  clip = min(1, clip_norm / ||grad||) (global norm over
 *         all groups with lr_mult != 0; clip_norm <= 0: no clipping)
 *   m  <- beta1 m + (1 - beta1) g
 *   v  <- beta2 v + (1 - beta2) g^2
 *   p  <- p - lr_mult[group] * lr * ( m / (1 - beta1^t) / (sqrt(v / (1 - beta2^t)) + eps)
 *                                    + weight_decay * decay(p) * p )
 * in one pass over the parameters. Groups with lr_mult == 0 are left
 * untouched (moments included): a locked tower. */
typedef struct {
  double lr;
  double beta1;        /* 0.9 */
  double beta2;        /* 0.95, the paper's */
  double eps;          /* 1e-8 */
  double weight_decay; /* 1e-4 in the paper */
  double clip_norm;    /* 1.0 in the paper; <= 0: off */
  double lr_mult[SIGLIP_GROUPS];
} siglip_adamw_options;

/* Fills *o with the defaults above (lr 1e-3, multipliers 1). */
void siglip_adamw_defaults(siglip_adamw_options* o);

/* One AdamW step on the current gradients. Writes the global gradient norm
 * before clipping to *grad_norm (may be NULL). The step counter t of the bias
 * correction starts at 1 and is kept in the model. */
int siglip_model_adamw_step(siglip_model* model, const siglip_adamw_options* o,
                            double* grad_norm, char* err, size_t err_len);

/* Steps taken so far (the t of the last step); settable for a resume. */
int64_t siglip_model_adamw_steps(const siglip_model* model);
int siglip_model_set_adamw_steps(siglip_model* model, int64_t t, char* err,
                                 size_t err_len);

/* The SIMD target the tower kernels dispatched to (static string). */
const char* siglip_model_simd_target(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SIGLIP_MODEL_H_ */
