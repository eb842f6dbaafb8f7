#!/usr/bin/env python3
"""The same SigLIP training step in eager PyTorch, for comparison with
`siglip bench train` (not a dependency of the project; Debian's python3-torch
runs it: /usr/bin/python3 csrc/model/bench/torch_step.py --model s16 --batch 64
--threads 2).

Same shapes and work as csrc/model: ViT with Conv2d patch embedding, learned
position embedding, pre-LN blocks with GELU(tanh), post LayerNorm, MAP head;
text transformer with token + position embedding, pre-LN blocks with padding
masked as keys, final LayerNorm of the last token, linear head; L2
normalisation; the sigmoid loss with learnable t' and b; AdamW (beta2 0.95,
weight decay 1e-4) with clipping by the global norm 1.0. float32, eager mode.
Prints one JSON line.
"""
import argparse
import json
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {
    "tiny": dict(image=32, patch=8, vw=64, vl=2, vh=4, vm=128, vocab=64, tl=8, tw=64, tlayers=2, th=4, tm=128),
    "s16": dict(image=224, patch=16, vw=384, vl=12, vh=6, vm=1536, vocab=32000, tl=16, tw=384, tlayers=12, th=6, tm=1536),
    "b16": dict(image=224, patch=16, vw=768, vl=12, vh=12, vm=3072, vocab=32000, tl=64, tw=768, tlayers=12, th=12, tm=3072),
}


def gelu_tanh(x):
    return F.gelu(x, approximate="tanh")


def encoder(width, layers, heads, mlp):
    layer = nn.TransformerEncoderLayer(width, heads, mlp, dropout=0.0, activation=gelu_tanh,
                                       layer_norm_eps=1e-6, batch_first=True, norm_first=True)
    return nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)


class Vision(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["vw"]
        self.patch = nn.Conv2d(3, d, c["patch"], c["patch"])
        n = (c["image"] // c["patch"]) ** 2
        self.pos = nn.Parameter(torch.randn(1, n, d) * d ** -0.5)
        self.enc = encoder(d, c["vl"], c["vh"], c["vm"])
        self.post = nn.LayerNorm(d, eps=1e-6)
        self.probe = nn.Parameter(torch.randn(1, 1, d) * d ** -0.5)
        self.attn = nn.MultiheadAttention(d, c["vh"], batch_first=True)
        self.ln = nn.LayerNorm(d, eps=1e-6)
        self.mlp = nn.Sequential(nn.Linear(d, c["vm"]), nn.GELU(approximate="tanh"), nn.Linear(c["vm"], d))

    def forward(self, x):
        x = self.patch(x).flatten(2).transpose(1, 2) + self.pos
        x = self.post(self.enc(x))
        p = self.attn(self.probe.expand(x.shape[0], -1, -1), x, x, need_weights=False)[0]
        p = p + self.mlp(self.ln(p))
        return p[:, 0]


class Text(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["tw"]
        self.tok = nn.Embedding(c["vocab"], d)
        self.pos = nn.Parameter(torch.randn(1, c["tl"], d) * d ** -0.5)
        self.enc = encoder(d, c["tlayers"], c["th"], c["tm"])
        self.final = nn.LayerNorm(d, eps=1e-6)
        self.head = nn.Linear(d, c["vw"])

    def forward(self, ids):
        x = self.tok(ids) + self.pos
        x = self.enc(x, src_key_padding_mask=(ids == 0))
        return self.head(self.final(x[:, -1]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="s16")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    c = PRESETS[a.model]
    vis, txt = Vision(c), Text(c)
    t_prime = nn.Parameter(torch.tensor(2.302585))
    bias = nn.Parameter(torch.tensor(-10.0))
    params = list(vis.parameters()) + list(txt.parameters()) + [t_prime, bias]
    opt = torch.optim.AdamW(params, lr=1e-3, betas=(0.9, 0.95), eps=1e-8, weight_decay=1e-4)
    B = a.batch
    px = torch.rand(B, 3, c["image"], c["image"]) * 2 - 1
    ids = torch.randint(1, c["vocab"], (B, c["tl"]))
    for i in range(B):
        ids[i, 1 + i % (c["tl"] - 1):] = 0
    ids[:, -1] = torch.where(ids[:, -1] == 0, torch.ones_like(ids[:, -1]), ids[:, -1])
    labels = 2 * torch.eye(B) - 1

    def step():
        opt.zero_grad(set_to_none=True)
        x = F.normalize(vis(px), dim=-1)
        y = F.normalize(txt(ids), dim=-1)
        logits = x @ y.T * t_prime.exp() + bias
        loss = -F.logsigmoid(labels * logits).sum() / B
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        return loss.item()

    step()
    secs = []
    for _ in range(a.steps):
        t0 = time.perf_counter()
        step()
        secs.append(time.perf_counter() - t0)
    print(json.dumps(dict(framework="pytorch-eager", torch=torch.__version__, model=a.model, batch=B,
                          threads=a.threads, step_seconds=statistics.median(secs), step_seconds_all=secs,
                          images_per_s=B / statistics.median(secs))))


if __name__ == "__main__":
    main()
