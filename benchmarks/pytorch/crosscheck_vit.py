"""Cross-checks clip-engine's transformer against OpenAI's architecture in PyTorch (clip_vit_torch.py).

On a tiny transformer CLIP (16x16 RGB images in 8x8 patches, widths of 16, 2 layers a side,
heads of 8, a text context of 10, embed 8) and a small TSV of random RGB PNGs written here:

1. clip-engine makes a new model and saves it after one step at a learning rate of 1e-30 (the
   weights as initialised): the starting point of both sides;
2. the features of the first batch: `clip-engine embed` of its images and captions against
   PyTorch's normalised embeddings from the same file;
3. clip-engine trains N steps (--no-shuffle --schedule constant, weight decay 0.1) and PyTorch,
   in float64, repeats them from the same file on the same batches (rows k*4 .. k*4+3 for step k,
   wrapping around): the losses step by step and the weights afterwards must agree.

The data has what the tokenizer and the reader must get right: upper case and punctuation, a
caption longer than the context, words the model's vocabulary lacks (the initial model is made on
the first rows only, so later rows hold unknown words, id 0) and a grey image (repeated into the
three channels). Prints the largest relative differences and exits with status 1 past the
tolerance. Needs numpy, torch and PIL (Debian: python3-torch python3-pil), and clip-engine.

    python3 crosscheck_vit.py [--optimizer adamw|sgd] [--gelu quick|erf] [--steps N] [--backend NAME]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
from clip_vit_torch import CLIP, optimizer, pixel_values, read_rgb, read_safetensors, train_step  # noqa: E402

WORDS = ["big", "table", "small", "chair", "red", "apple", "blue", "cup"]
LATER_WORDS = ["green", "lamp"]     # only in rows the initial model is not made on: unknown, id 0
ROWS, INIT_ROWS, BATCH, IMAGE = 16, 12, 4, 16
LR = {"adamw": 0.01, "sgd": 0.005}
WEIGHT_DECAY = 0.1


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clip-engine", default=shlex.quote(os.path.join(ROOT, "clip-engine")),
                   help="command that runs clip-engine (default: the repository's launcher)")
    p.add_argument("--optimizer", choices=("adamw", "sgd"), default="adamw")
    p.add_argument("--gelu", choices=("quick", "erf"), default="quick",
                   help="QuickGELU (OpenAI's weights) or GELU with erf")
    p.add_argument("--steps", type=int, default=6)
    p.add_argument("--lr", type=float, help="learning rate (default: adamw %g, sgd %g)" % (LR["adamw"], LR["sgd"]))
    p.add_argument("--backend", help="clip-engine's backend (default: its own)")
    p.add_argument("--tolerance", type=float, default=1e-4)
    p.add_argument("--work", help="folder for data and models (default: work/crosscheck-vit/OPTIMIZER-GELU here)")
    a = p.parse_args()
    a.lr = a.lr if a.lr is not None else LR[a.optimizer]
    a.work = a.work or os.path.join(HERE, "work", "crosscheck-vit", f"{a.optimizer}-{a.gelu}")
    return a


args = parse_args()


def clip_engine(*options, log):
    command = shlex.split(args.clip_engine) + list(map(str, options))
    with open(log, "w") as out:
        out.write("$ " + shlex.join(command) + "\n")
        out.flush()
        status = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    if status != 0:
        with open(log) as f:
            sys.stderr.write(f.read())
        sys.exit(f"clip-engine failed with status {status} (its output above, and in {log})")


def write_data(folder):
    """ROWS random 16x16 PNGs (one grey) and captions; pairs.tsv (every row), init.tsv (the first
    INIT_ROWS) and batch0.tsv (the first batch). Returns the rows as (uint8 [3, H, W], caption)."""
    data = os.path.join(folder, "data")
    os.makedirs(data, exist_ok=True)
    rng = np.random.default_rng(0)
    rows = []
    for i in range(ROWS):
        name = f"img{i:02d}.png"
        if i == 5:
            Image.fromarray(rng.integers(0, 256, size=(IMAGE, IMAGE), dtype=np.uint8), mode="L").save(
                os.path.join(data, name))
        else:
            Image.fromarray(rng.integers(0, 256, size=(IMAGE, IMAGE, 3), dtype=np.uint8), mode="RGB").save(
                os.path.join(data, name))
        words = list(rng.choice(WORDS + (LATER_WORDS if i >= INIT_ROWS else []), size=1 + i % 5))
        if i >= INIT_ROWS:
            words[0] = LATER_WORDS[i % 2]
        caption = " ".join(words)
        if i == 1:
            caption = "A Big, RED chair -- on the table!"     # upper case and punctuation; "a", "on", "the" are words too
        if i == 2:
            caption = " ".join(rng.choice(WORDS, size=12))   # longer than the context's 8 words
        rows.append((name, caption))
    for tsv, n in (("pairs.tsv", ROWS), ("init.tsv", INIT_ROWS), ("batch0.tsv", BATCH)):
        with open(os.path.join(data, tsv), "w") as f:
            f.write("filepath\ttitle\n")
            for name, caption in rows[:n]:
                f.write(f"{name}\t{caption}\n")
    return [(read_rgb(os.path.join(data, name), IMAGE), caption) for name, caption in rows]


def relative(a, b):
    """Largest |a - b| relative to the largest |b|."""
    return (a - b).abs().max().item() / max(b.abs().max().item(), 1e-30)


def main():
    os.makedirs(args.work, exist_ok=True)
    w = lambda *p: os.path.join(args.work, *p)   # noqa: E731
    rows = write_data(args.work)
    config = {"family": "transformer", "embed_dim": 8, "quick_gelu": args.gelu == "quick",
              "vision_cfg": {"image_size": IMAGE, "patch_size": 8, "width": 16, "layers": 2, "head_width": 8},
              "text_cfg": {"context_length": 10, "width": 16, "heads": 2, "layers": 2}}
    with open(w("config.json"), "w") as f:
        json.dump(config, f, indent=1)
    backend = ["--backend", args.backend] if args.backend else []
    init = w("init.safetensors")
    # a new model saved after one step at a negligible rate: the starting point of both sides
    clip_engine("train", "--model", w("config.json"), "--data", w("data", "init.tsv"), "--steps", 1,
                "--batch-size", BATCH, "--lr", "1e-30", "--schedule", "constant", "--no-shuffle", "--out", init,
                "--no-pictures", "--quiet", *backend, log=w("init.log"))
    clip_engine("embed", "--checkpoint", init, "--tsv", w("data", "batch0.tsv"), "--out", w("batch0.safetensors"),
                *backend, log=w("embed.log"))
    metrics = w("metrics.jsonl")
    if os.path.exists(metrics):
        os.remove(metrics)
    extra = ["--momentum", "0.9"] if args.optimizer == "sgd" else []
    clip_engine("train", "--init", init, "--data", w("data", "pairs.tsv"), "--steps", args.steps,
                "--batch-size", BATCH, "--no-shuffle", "--schedule", "constant", "--lr", args.lr,
                "--optimizer", args.optimizer, "--weight-decay", WEIGHT_DECAY, *extra, "--metrics", metrics,
                "--log-every", 1, "--out", w("java.safetensors"), "--no-pictures", "--quiet", *backend,
                log=w("train.log"))
    with open(metrics) as f:
        java_losses = [m["loss"] for m in sorted((json.loads(x) for x in f if x.strip()), key=lambda m: m["step"])]
    java, _ = read_safetensors(w("java.safetensors"))
    java_embeddings, _ = read_safetensors(w("batch0.safetensors"))

    torch.set_num_threads(2)
    d = torch.float64
    model = CLIP.from_checkpoint(init, d)
    start = {k: p.detach().clone() for k, p in model.named_parameters()}
    c = model.config
    pixels = pixel_values(np.stack([px for px, _ in rows]), c["preprocess"], d)
    ids = model.tokenizer([caption for _, caption in rows])

    failures = []

    def check(what, value):
        ok = value <= args.tolerance
        if not ok:
            failures.append(f"{what}: {value:.2e} > {args.tolerance:g}")
        return "" if ok else "  FAILED"

    # 2. the first batch's features before training
    with torch.no_grad():
        v, t = model.embeddings(pixels[:BATCH], ids[:BATCH])
    fi = relative(java_embeddings["image_embeddings"].to(d), v)
    ft = relative(java_embeddings["text_embeddings"].to(d), t)
    print(f"transformer cross-check: {args.optimizer} (lr {args.lr:g}, weight decay {WEIGHT_DECAY:g}"
          + (", momentum 0.9" if extra else "") + f"), {'QuickGELU' if config['quick_gelu'] else 'GELU'}, "
          f"{args.steps} steps of batch {BATCH} on {ROWS} pairs, PyTorch {torch.__version__} in float64")
    print(f"  first batch's embeddings before training, largest difference: images {fi:.2e}, captions {ft:.2e}"
          + check("first batch's image embeddings", fi) + check("first batch's caption embeddings", ft))

    # 3. the same steps
    opt = optimizer(model, args.optimizer, lr=args.lr, weight_decay=WEIGHT_DECAY,
                    momentum=0.9 if args.optimizer == "sgd" else 0.0)
    batches = ROWS // BATCH
    torch_losses = []
    for s in range(args.steps):
        b = slice((s % batches) * BATCH, (s % batches + 1) * BATCH)
        torch_losses.append(train_step(model, opt, pixels[b], ids[b]).item())
    if len(java_losses) != args.steps:
        sys.exit(f"clip-engine's metrics hold {len(java_losses)} losses, expected {args.steps}")
    diffs = [abs(j - p) / abs(p) for j, p in zip(java_losses, torch_losses)]
    print("  step  clip-engine loss  PyTorch loss   rel. diff")
    for s, (j, p, r) in enumerate(zip(java_losses, torch_losses, diffs)):
        print(f"  {s + 1:4d}  {j:16.9f}  {p:12.9f}  {r:10.2e}")
    print(f"  losses: largest relative difference {max(diffs):.2e}" + check("losses", max(diffs)))

    params = dict(model.named_parameters())
    if set(params) != set(java):
        sys.exit(f"clip-engine's file and the model differ in tensors: {sorted(set(params) ^ set(java))}")
    final = {k: java[k].to(d).reshape(p.shape) for k, p in params.items()}
    ours = {k: p.detach() for k, p in params.items()}
    # The key third of every in_proj_bias adds q.b_k to all of a query's scores alike, which the
    # softmax ignores: its gradient is 0 in exact arithmetic, and what either side computes is
    # rounding noise, which Adam's g / (sqrt(v) + eps) scales up to a step of up to lr. Those biases
    # are checked apart: they must stay far from a real gradient's steps, not equal across sides.
    key_bias = {}
    for k in params:
        if k.endswith("attn.in_proj_bias"):
            n = params[k].shape[0] // 3
            key_bias[k] = (final[k][n:2 * n] - start[k][n:2 * n], ours[k][n:2 * n] - start[k][n:2 * n])
            for x in (final, ours, start):
                x[k] = torch.cat([x[k][:n], x[k][2 * n:]])
    weights = sorted(((relative(final[k], ours[k]), k) for k in params), reverse=True)
    moved = max((ours[k] - start[k]).abs().max().item() for k in params)
    updates = sorted(((relative(final[k] - start[k], ours[k] - start[k]), k) for k in params
                      if (ours[k] - start[k]).abs().max() > 0), reverse=True)
    print(f"  weights after {args.steps} steps (the largest change from the start: {moved:.3g}); largest "
          "differences relative to each tensor's largest value:")
    for err, k in weights[:3]:
        print(f"    {err:.2e}  {k}")
    print(f"  weights: largest relative difference {weights[0][0]:.2e}" + check("weights", weights[0][0])
          + f"; of the updates (final - initial), relative to each tensor's largest update: {updates[0][0]:.2e} "
          f"({updates[0][1]})")
    if key_bias:
        java_key = max(j.abs().max().item() for j, _ in key_bias.values())
        torch_key = max(p.abs().max().item() for _, p in key_bias.values())
        bound = 0.1 * args.lr * args.steps
        print(f"  attention key biases (no gradient in exact arithmetic, left out above): largest change "
              f"{java_key:.2e} on clip-engine, {torch_key:.2e} on PyTorch (float64); must stay below "
              f"{bound:.2e}, a tenth of {args.steps} steps of lr" + ("" if java_key <= bound else "  FAILED"))
        if java_key > bound:
            failures.append(f"key biases moved {java_key:.2e} > {bound:.2e}: their gradient is not near 0")
    if failures:
        for f in failures:
            print("FAILED: " + f)
        sys.exit(1)
    print("  agreed within", args.tolerance)


if __name__ == "__main__":
    main()
