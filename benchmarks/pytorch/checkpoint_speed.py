"""A ViT-B-32-sized checkpoint in clip-engine and in PyTorch: reading it, encoding 16 images, memory.

Writes OpenAI's ViT-B/32 architecture with random weights as an OpenAI-layout safetensors file
(about 600 MB, no sidecar, so QuickGELU as OpenAI's weights), and 16 random 224x224 PNGs (exact
size: preprocessing is only a conversion, so both sides encode the same pixels). Then:

- PyTorch (float32, CPU, the given threads, OpenBLAS loaded first as benchmark.py does): the time
  to read the file and load_state_dict(strict=True), the time of encode_image on the 16 images and
  of encode_text on 16 texts of all 77 positions, first call and median of the next ones, no
  gradients (clip-engine's warm figures for the same shapes come from EncodingBenchmark);
- clip-engine: `embed --checkpoint FILE --images DIR,DIR,... --batch-size 16` on the same images
  repeated, under /usr/bin/time for the peak resident memory; it prints how long reading the model
  took and the images per second of reading, decoding and encoding them (the first batch, with the
  JIT still compiling, included);
- the embeddings of both sides (cosine of each row).

    /usr/bin/python3 checkpoint_speed.py [--threads 2] [--repeat 6] [--backend vector|blas]
"""
import argparse
import ctypes
import glob
import os
import re
import shlex
import statistics
import struct
import json
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--clip-engine", default=shlex.quote(os.path.join(ROOT, "clip-engine")))
p.add_argument("--threads", type=int, default=2)
p.add_argument("--repeat", type=int, default=6, help="times the 16 images are given to clip-engine")
p.add_argument("--torch-runs", type=int, default=5)
p.add_argument("--backend", default="vector")
p.add_argument("--blas", help="libblas.so.3 to load into PyTorch (default: Debian's OpenBLAS OpenMP build)")
p.add_argument("--work", default=os.path.join(HERE, "work", "checkpoint-speed"))
args = p.parse_args()

if not args.blas:
    found = glob.glob("/usr/lib/*/openblas-openmp/libblas.so.3")
    args.blas = found[0] if found else None
if args.blas:
    ctypes.CDLL(args.blas, mode=ctypes.RTLD_GLOBAL)

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

sys.path.insert(0, HERE)
from clip_vit_torch import CLIP, config_from_state_dict, pixel_values, read_rgb, read_safetensors  # noqa: E402

IMAGES = 16
CONFIG = {"family": "transformer", "embed_dim": 512, "quick_gelu": True,
          "vision_cfg": {"image_size": 224, "patch_size": 32, "width": 768, "layers": 12},
          "text_cfg": {"context_length": 77, "vocab_size": 49408, "width": 512, "heads": 8, "layers": 12}}


def say(*text):
    print(*text, flush=True)


def write_safetensors(path, tensors):
    """tensors: name -> float32 torch tensor, written in name order with no metadata."""
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        b = tensors[name].detach().contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path + ".tmp", "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h)
        for b in blobs:
            f.write(b)
    os.replace(path + ".tmp", path)


def main():
    torch.set_num_threads(args.threads)
    os.makedirs(args.work, exist_ok=True)
    cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
    say(f"CPU: {cpu.group(1) if cpu else '?'}, {os.cpu_count()} cores; PyTorch {torch.__version__} "
        f"on {args.blas or 'its default BLAS'}, {args.threads} threads; "
        f"OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(not set)')}")
    model_file = os.path.join(args.work, "vit-b-32.safetensors")
    if not os.path.exists(model_file):
        torch.manual_seed(0)
        write_safetensors(model_file, CLIP(CONFIG).state_dict())
    size = os.path.getsize(model_file)
    say(f"model: {model_file}, {size / 1e6:.0f} MB")
    folder = os.path.join(args.work, "images")
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(IMAGES):
        Image.fromarray(rng.integers(0, 256, (224, 224, 3), dtype=np.uint8)).save(os.path.join(folder, f"{i:02}.png"))

    start = time.perf_counter()
    tensors, _ = read_safetensors(model_file)
    model = CLIP(config_from_state_dict(tensors))
    model.load_state_dict(tensors, strict=True)
    model.eval()
    torch_load = time.perf_counter() - start
    files = sorted(glob.glob(os.path.join(folder, "*.png")))
    pixels = torch.stack([pixel_values(read_rgb(f, 224), model.config["preprocess"]) for f in files])
    times = []
    with torch.no_grad():
        for _ in range(1 + args.torch_runs):
            start = time.perf_counter()
            torch_embeddings = torch.nn.functional.normalize(model.encode_image(pixels), dim=-1)
            times.append(time.perf_counter() - start)
    warm = statistics.median(times[1:])
    say(f"PyTorch: read + load_state_dict {torch_load:.2f} s; encode {IMAGES} images: first {times[0]:.2f} s, "
        f"median of next {args.torch_runs} {warm:.3f} s = {IMAGES / warm:.1f} images/s")
    # 16 texts that fill all 77 positions (random ids, end-of-text last): PyTorch computes every
    # position of every text whatever its length, so this is also its time for short captions
    ids = torch.randint(1, 49406, (IMAGES, 77), generator=torch.Generator().manual_seed(0))
    ids[:, 0], ids[:, -1] = 49406, 49407
    text_times = []
    with torch.no_grad():
        for _ in range(1 + args.torch_runs):
            start = time.perf_counter()
            model.encode_text(ids)
            text_times.append(time.perf_counter() - start)
    text_warm = statistics.median(text_times[1:])
    say(f"PyTorch: encode {IMAGES} texts of 77 tokens: first {text_times[0]:.2f} s, "
        f"median of next {args.torch_runs} {text_warm:.3f} s = {IMAGES / text_warm:.1f} texts/s")

    out = os.path.join(args.work, "embeddings.safetensors")
    command = (["/usr/bin/time", "-f", "peak resident %M KB, %e s wall"] + shlex.split(args.clip_engine)
               + ["embed", "--checkpoint", model_file, "--images", ",".join([folder] * args.repeat),
                  "--batch-size", str(IMAGES), "--backend", args.backend, "--threads", str(args.threads), "--out", out])
    say("$ " + shlex.join(command))
    run = subprocess.run(command, capture_output=True, text=True)
    say(run.stdout.strip())
    say(run.stderr.strip())
    if run.returncode != 0:
        sys.exit(f"clip-engine failed with status {run.returncode}")
    peak_kb = int(re.search(r"peak resident (\d+) KB", run.stderr).group(1))
    say(f"clip-engine peak resident memory {peak_kb / 1e3:.0f} MB; limit 2 x file + 300 MB = "
        f"{(2 * size) / 1e6 + 300:.0f} MB")
    java, _ = read_safetensors(out)
    cos = (java["image_embeddings"][:IMAGES] * torch_embeddings).sum(-1)
    say(f"embeddings: cosine of clip-engine's rows with PyTorch's, lowest {cos.min().item():.7f}")


main()
