"""clip-engine against PyTorch: the same model, the same training step, the same batches.

For each model (benchmark, seed: the MLP family; vit-bench: a transformer, OpenAI's CLIP ViT
architecture) it writes random image-caption pairs as a TSV of PNGs, has clip-engine make an
initial model, trains it with clip-engine on each backend and with PyTorch (float32, CPU) from the
same weights on the same batches in the same order, checks that the per-step losses agree, and
prints the training speed of both in pairs per second and GFLOPS.

Both sides are timed the same way: the median time of one training step (forward, backward,
optimizer update, logit_scale clamp) after the same warm-up steps, with the data already in
memory. clip-engine writes each step's time to its --metrics file; PyTorch's are taken here.
GFLOPS are the FLOPs of the step's matrix products as clip-engine's StepFlops counts them, over
that median.

Started by run.sh, which installs PyTorch and OpenBLAS first; see README.md.
"""
import argparse
import ctypes
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

MODELS = ("benchmark", "seed", "vit-bench")
TRANSFORMERS = ("vit-bench",)
BACKENDS = ("vector", "blas")
# the project's targets: clip-engine's pairs/s at least this many times PyTorch's (none for vit-bench)
TARGETS = {"benchmark": 2.0, "seed": 5.0}
# image size of each model (grey for the MLPs, RGB for the transformer); default step counts of
# each side, and the steps each side leaves out of its median
SIZES = {"benchmark": 28, "seed": 4, "vit-bench": 32}
JAVA_STEPS = {"benchmark": 2000, "seed": 20000, "vit-bench": 40}
TORCH_STEPS = {"benchmark": 200, "seed": 3000, "vit-bench": 20}
WARMUP = {"benchmark": 10, "seed": 10, "vit-bench": 5}
WORDS = ("red", "green", "blue", "yellow", "black", "white", "big", "small", "round", "square", "dark", "light",
         "cat", "dog", "bird", "fish", "car", "boat", "tree", "house", "on", "under", "near", "the")
CAPTION_WORDS = 6
FIRST_STEP_TOLERANCE = 1e-4


def per_model(text, defaults, name):
    """'1500' (every model) or 'benchmark=1500,vit-bench=40' -> {model: int}."""
    values = dict(defaults)
    if text is None:
        return values
    for part in text.split(","):
        key, _, value = part.rpartition("=")
        for model in ([key] if key else MODELS):
            if model not in values:
                sys.exit(f"{name}: unknown model '{model}'")
            values[model] = int(value)
    return values


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--clip-engine", default=shlex.quote(os.path.join(ROOT, "clip-engine")),
                   help="command that runs clip-engine (default: the repository's launcher)")
    p.add_argument("--work", default=os.path.join(HERE, "work"), help="folder for data, models and logs")
    p.add_argument("--models", default=",".join(MODELS))
    p.add_argument("--backends", default=",".join(BACKENDS))
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=256)
    p.add_argument("--pairs", type=int, default=2048, help="image-caption pairs written per model")
    p.add_argument("--steps", help="clip-engine steps, N or benchmark=N,seed=M,... (default: %s)" % JAVA_STEPS)
    p.add_argument("--torch-steps", help="PyTorch steps, N or benchmark=N,seed=M,... (default: %s)" % TORCH_STEPS)
    p.add_argument("--warmup", "--torch-warmup", dest="warmup",
                   help="first steps left out of each side's median, N or benchmark=N,... (default: %s)" % WARMUP)
    p.add_argument("--compare", type=int, default=10, help="first steps whose losses are compared")
    p.add_argument("--blas", help="BLAS library (libblas.so.3) to load into PyTorch before it starts")
    p.add_argument("--no-foreach", dest="foreach", action="store_false",
                   help="PyTorch's per-tensor AdamW (its default in 1.13) instead of the faster multi-tensor one")
    a = p.parse_args()
    a.models = [m for m in a.models.split(",") if m]
    a.backends = [b for b in a.backends.split(",") if b]
    for m in a.models:
        if m not in MODELS:
            sys.exit(f"--models: {m} is not one of {', '.join(MODELS)}")
    a.steps = per_model(a.steps, JAVA_STEPS, "--steps")
    a.torch_steps = per_model(a.torch_steps, TORCH_STEPS, "--torch-steps")
    a.warmup = per_model(a.warmup, WARMUP, "--warmup")
    for m in a.models:
        for option, steps in (("--steps", a.steps), ("--torch-steps", a.torch_steps)):
            if steps[m] <= a.warmup[m]:
                sys.exit(f"{option} for {m} must exceed --warmup ({a.warmup[m]})")
    return a


args = parse_args()
if args.blas:
    # loaded first, so that torch's own libblas.so.3 dependency resolves to it
    ctypes.CDLL(args.blas, mode=ctypes.RTLD_GLOBAL)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, HERE)
import clip_vit_torch  # noqa: E402
from clip_torch import Clip, optimizer, patchify, read_image, read_tsv, token_batch, train_step  # noqa: E402


def say(*text):
    print(*text, flush=True)


# ---------------------------------------------------------------------------------------------
# PyTorch's BLAS

def blas_report():
    """Which BLAS library this process has mapped, and what an sgemm achieves on it."""
    libs = set()
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            name = os.path.basename(path)
            if name.startswith(("libblas", "libopenblas", "libmkl", "libcblas")):
                libs.add(os.path.realpath(path))
    info = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    say(f"PyTorch {torch.__version__} (built with BLAS_INFO={info.group(1) if info else '?'}); BLAS libraries "
        "loaded: " + (", ".join(sorted(libs)) or "none found"))
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    a @ b
    times = []
    for _ in range(5):
        t = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t)
    gflops = 2 * 1024 ** 3 / min(times) / 1e9
    say(f"PyTorch sgemm 1024^3 on {torch.get_num_threads()} threads: {gflops:.0f} GFLOPS"
        + ("  (a reference BLAS: expect tens of GFLOPS or more from OpenBLAS)" if gflops < 20 else ""))
    return gflops


# ---------------------------------------------------------------------------------------------
# data

def write_data(folder, image_size, pairs, seed, rgb=False):
    """pairs random grey (or RGB) PNGs of image_size^2 with captions of CAPTION_WORDS words; returns the TSV."""
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    tsv = os.path.join(folder, "pairs.tsv")
    with open(tsv, "w") as f:
        f.write("filepath\ttitle\n")
        for i in range(pairs):
            px = rng.integers(0, 256, size=(image_size, image_size) + ((3,) if rgb else ()), dtype=np.uint8)
            Image.fromarray(px, mode="RGB" if rgb else "L").save(os.path.join(folder, f"{i:05d}.png"))
            f.write(f"{i:05d}.png\t{' '.join(rng.choice(WORDS, size=CAPTION_WORDS))}\n")
    return tsv


# ---------------------------------------------------------------------------------------------
# clip-engine

def clip_engine(*options, log):
    command = shlex.split(args.clip_engine) + ["train", *map(str, options)]
    with open(log, "w") as out:
        out.write("$ " + shlex.join(command) + "\n")
        out.flush()
        status = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    if status != 0:
        with open(log) as f:
            sys.stderr.write(f.read())
        sys.exit(f"clip-engine failed with status {status} (its output above, and in {log})")


def read_metrics(path):
    """(losses, step seconds) of each step of a run logged with --log-every 1."""
    with open(path) as f:
        lines = sorted((json.loads(line) for line in f if line.strip()), key=lambda m: m["step"])
    return [m["loss"] for m in lines], [m["step_seconds"] for m in lines]


# ---------------------------------------------------------------------------------------------
# PyTorch

def mlp_step_flops(c, pairs, tokens):
    """clip-engine's StepFlops.trainingStep for the MLP family: the FLOPs of the step's products (2 a
    multiply-add), once forward and twice backward, the image encoder once backward (no pixel gradient)."""
    def linear(rows, n_in, n_out):
        return 2.0 * rows * n_in * n_out
    patches = (c["image_size"] // c["patch_size"]) ** 2
    patch_dim = c["channels"] * c["patch_size"] ** 2
    e = c["embed_dim"]
    return (3 * (linear(tokens, c["word_dim"], c["text_hidden"]) + linear(pairs, c["text_hidden"], e)
                 + linear(pairs, c["image_hidden"], e) + linear(pairs, e, pairs))
            + 2 * linear(pairs * patches, patch_dim, c["image_hidden"]))


def mlp_batches(init, tsv):
    """The MLP model of init, its optimizer, the step function, the batches and their step FLOPs."""
    model = Clip.from_checkpoint(init)
    config = model.config
    files, captions = read_tsv(tsv)
    pixels = np.stack([read_image(f, config) for f in files])
    word_ids = {w: i for i, w in enumerate(model.vocab)}
    ids, lengths = token_batch(captions, word_ids, config["max_tokens"])
    equal = bool((lengths == lengths[0]).all())
    patches = patchify(pixels, config["patch_size"])
    b = args.batch_size
    batches = [(patches[k * b:(k + 1) * b].contiguous(), ids[k * b:(k + 1) * b].contiguous(),
                None if equal else lengths[k * b:(k + 1) * b].contiguous()) for k in range(len(files) // b)]
    flops = [mlp_step_flops(config, b, int(lengths[k * b:(k + 1) * b].sum())) for k in range(len(batches))]
    opt = optimizer(model, "adamw", lr=0.002, weight_decay=0.0, betas=(0.9, 0.98), eps=1e-6,
                    foreach=args.foreach)
    return lambda batch: train_step(model, opt, *batch), batches, flops


def vit_batches(init, tsv):
    """The same for the transformer (clip_vit_torch): pixels [N, 3, H, W] normalised, token ids [N, context]."""
    model = clip_vit_torch.CLIP.from_checkpoint(init)
    config = model.config
    files, captions = read_tsv(tsv)
    size = config["vision_cfg"]["image_size"]
    pixels = clip_vit_torch.pixel_values(np.stack([clip_vit_torch.read_rgb(f, size) for f in files]),
                                         config["preprocess"])
    ids = model.tokenizer(captions)
    b = args.batch_size
    batches = [(pixels[k * b:(k + 1) * b].contiguous(), ids[k * b:(k + 1) * b].contiguous())
               for k in range(len(files) // b)]
    flops = [clip_vit_torch.step_flops(config, b)] * len(batches)
    opt = clip_vit_torch.optimizer(model, "adamw", lr=0.002, weight_decay=0.0, betas=(0.9, 0.98), eps=1e-6,
                                   foreach=args.foreach)
    return lambda batch: clip_vit_torch.train_step(model, opt, *batch), batches, flops


def torch_run(model, init, tsv, steps, warmup):
    """Trains the checkpoint init with PyTorch on tsv's batches in file order;
    (losses, median step seconds after warmup, FLOPs of each step)."""
    step, batches, batch_flops = (vit_batches if model in TRANSFORMERS else mlp_batches)(init, tsv)
    losses, seconds = [], []
    for s in range(steps):
        batch = batches[s % len(batches)]
        start = time.perf_counter()
        loss = step(batch)
        seconds.append(time.perf_counter() - start)
        losses.append(loss.item())
    return losses, statistics.median(seconds[warmup:]), [batch_flops[s % len(batches)] for s in range(steps)]


def relative(a, b):
    return abs(a - b) / max(abs(b), 1e-30)


def rate(pairs_per_second):
    """Whole pairs a second, or three significant digits below 100 (a vit-bench step takes seconds)."""
    return f"{pairs_per_second:.0f}" if pairs_per_second >= 100 else f"{pairs_per_second:.3g}"


# ---------------------------------------------------------------------------------------------

def main():
    torch.set_num_threads(args.threads)
    b, t = args.batch_size, args.threads
    say(f"clip-engine against PyTorch: batch {b}, {t} threads, AdamW lr 0.002 betas (0.9, 0.98) eps 1e-6, "
        f"constant rate, batches in file order")
    gflops = blas_report()
    os.makedirs(args.work, exist_ok=True)
    rows, failures = [], []
    for model in args.models:
        folder = os.path.join(args.work, model)
        rgb = model in TRANSFORMERS
        tsv = write_data(os.path.join(folder, "data"), SIZES[model], args.pairs, seed=1 if model == "seed" else 0,
                         rgb=rgb)
        init = os.path.join(folder, "init.safetensors")
        # a new model saved after one step at a negligible rate: both sides start from its weights
        clip_engine("--model", model, "--data", tsv, "--steps", 1, "--batch-size", b, "--threads", t,
                    "--lr", "1e-30", "--schedule", "constant", "--no-shuffle", "--out", init, "--quiet",
                    "--no-pictures", log=os.path.join(folder, "init.log"))
        warmup = args.warmup[model]
        size = SIZES[model]
        say(f"\n{model}: {args.pairs} pairs of {size}x{size} {'RGB' if rgb else 'grey'} images and "
            f"{CAPTION_WORDS}-word captions; initial model {os.path.relpath(init, HERE)}")
        say(f"  PyTorch: {args.torch_steps[model]} steps, median of the last "
            f"{args.torch_steps[model] - warmup}, " + ("multi-tensor" if args.foreach else "per-tensor") + " AdamW")
        torch_losses, torch_seconds, flops = torch_run(model, init, tsv, args.torch_steps[model], warmup)
        step_flops = statistics.median(flops)
        say(f"  PyTorch: {rate(b / torch_seconds)} pairs/s ({torch_seconds * 1e3:.3f} ms a step, "
            f"{step_flops / torch_seconds / 1e9:.3g} GFLOPS of {step_flops / 1e9:.4g} GFLOP a step); "
            f"losses {', '.join(f'{x:.5f}' for x in torch_losses[:4])}, ...")
        for backend in args.backends:
            run = os.path.join(folder, backend)
            os.makedirs(run, exist_ok=True)
            metrics, results = os.path.join(run, "metrics.jsonl"), os.path.join(run, "results.json")
            for stale in (metrics, results):
                if os.path.exists(stale):
                    os.remove(stale)
            say(f"  clip-engine {backend}: {args.steps[model]} steps, median of the last {args.steps[model] - warmup}")
            clip_engine("--init", init, "--data", tsv, "--backend", backend, "--threads", t, "--batch-size", b,
                        "--no-shuffle", "--steps", args.steps[model],
                        # PyTorch's optimizer, spelled out: a run from --init would otherwise take the
                        # fine-tuning defaults
                        "--lr", 0.002, "--weight-decay", 0, "--schedule", "constant",
                        "--metrics", metrics, "--log-every", 1, "--results", results,
                        "--out", os.path.join(run, "model.safetensors"), "--quiet", "--no-pictures",
                        log=os.path.join(run, "train.log"))
            with open(results) as f:
                result = json.load(f)
            java_losses, java_times = read_metrics(metrics)
            n = min(args.compare, len(java_losses), len(torch_losses))
            diffs = [relative(java_losses[k], torch_losses[k]) for k in range(n)]
            first, worst = diffs[0], max(diffs)
            java_seconds = statistics.median(java_times[warmup:])
            java_pps = b / java_seconds
            whole = result["steps"] * b / result["seconds"]
            say(f"  clip-engine {backend}: {rate(java_pps)} pairs/s ({java_seconds * 1e3:.3f} ms a step, "
                f"{step_flops / java_seconds / 1e9:.3g} GFLOPS; the whole run, warm-up included: {rate(whole)} "
                f"pairs/s); losses {', '.join(f'{x:.5f}' for x in java_losses[:4])}, ...")
            say(f"  losses of the first {n} steps: largest relative difference {worst:.2e} "
                f"(step 1: {first:.2e})")
            if not first <= FIRST_STEP_TOLERANCE:
                failures.append(f"{model} on {backend}: step 1's loss {java_losses[0]:.7f} (clip-engine) against "
                                f"{torch_losses[0]:.7f} (PyTorch), relative difference {first:.2e} > "
                                f"{FIRST_STEP_TOLERANCE:g}: not the same computation")
            rows.append((model, backend, java_pps, b / torch_seconds, step_flops / java_seconds / 1e9,
                         step_flops / torch_seconds / 1e9, worst))

    say("\nPairs per second of a training step (forward, backward, AdamW update), batch "
        f"{b}, {t} threads, float32, CPU. Both columns are {b} / the median compute time of a step with the data "
        "already in memory, after the same warm-up steps (" + ", ".join(f"{m} {args.warmup[m]}" for m in args.models)
        + "): clip-engine's from its --metrics file, PyTorch's measured here. GFLOPS: the FLOPs of the step's "
        "matrix products (clip-engine's StepFlops) over the same median.")
    head = ("model", "backend", "clip-engine pairs/s", "PyTorch pairs/s", "ratio", "clip-engine GFLOPS",
            "PyTorch GFLOPS", "target", "loss rel. diff")
    table = [head] + [(m, be, rate(j), rate(p), f"{j / p:.2f}x", f"{jg:.3g}", f"{pg:.3g}",
                       (f">= {TARGETS[m]:g}x " + ("met" if j / p >= TARGETS[m] else "NOT met")) if m in TARGETS
                       else "-", f"{w:.1e}")
                      for m, be, j, p, jg, pg, w in rows]
    widths = [max(len(r[c]) for r in table) for c in range(len(head))]
    for k, r in enumerate(table):
        say("  ".join(cell.ljust(w) if c < 2 else cell.rjust(w) for c, (cell, w) in enumerate(zip(r, widths))))
        if k == 0:
            say("  ".join("-" * w for w in widths))
    say(f"(loss rel. diff: the largest relative difference between the two sides' losses over the first "
        f"{args.compare} steps, same initial weights and batches)")
    if gflops < 20:
        say("warning: PyTorch ran on a slow BLAS, so its figures understate it")
    if failures:
        for f in failures:
            say("FAILED: " + f)
        sys.exit(1)


if __name__ == "__main__":
    main()
