"""A fine-tuned clip-engine model back in PyTorch: OpenAI's architecture loads it with strict=True
and gives the same embeddings.

From the OpenAI fixture (fixtures/openai-clip-small, a model made by OpenAI's own code):
1. clip-engine fine-tunes it for a few steps on the fixture's five training pairs
   (`train --init openai.safetensors --data pairs.tsv`) and writes our model file;
2. clip-engine embeds the pairs' images and captions with the tuned model (`embed --tsv`) and
   prints the captions' token ids (`tokenize`);
3. PyTorch builds OpenAI's CLIP (clip_vit_torch.py, a copy of clip/model.py's architecture),
   loads the tuned file with load_state_dict(strict=True), encodes the same pixels and ids, and
   the embeddings must agree (every row's cosine at least 0.99999) and the weights must have moved.

Needs numpy, torch and PIL (Debian: python3-torch python3-pil) and clip-engine.

    /usr/bin/python3 roundtrip_checkpoint.py [--steps N] [--lock-image|--lock-text]
"""
import argparse
import json
import os
import shlex
import subprocess
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURE = os.path.join(ROOT, "fixtures", "openai-clip-small")
sys.path.insert(0, HERE)
from clip_vit_torch import CLIP, pixel_values, read_rgb, read_safetensors  # noqa: E402

p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("--clip-engine", default=shlex.quote(os.path.join(ROOT, "clip-engine")))
p.add_argument("--steps", type=int, default=5)
p.add_argument("--lock", choices=("image", "text"), help="lock one tower while fine-tuning")
p.add_argument("--work", default=os.path.join(HERE, "work", "roundtrip"))
args = p.parse_args()


def clip_engine(*options):
    command = shlex.split(args.clip_engine) + [str(o) for o in options]
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"$ {shlex.join(command)}\n{run.stdout}{run.stderr}clip-engine failed with status {run.returncode}")
    return run.stdout


def main():
    os.makedirs(args.work, exist_ok=True)
    tuned = os.path.join(args.work, "tuned.safetensors")
    pairs = os.path.join(FIXTURE, "pairs.tsv")
    lock = [f"--lock-{args.lock}"] if args.lock else []
    clip_engine("train", "--init", os.path.join(FIXTURE, "openai.safetensors"), "--data", pairs, "--batch-size", 5,
                "--steps", args.steps, "--lr", "1e-3", "--weight-decay", "0.1", "--no-pictures", "--quiet",
                "--out", tuned, *lock)
    embeddings = os.path.join(args.work, "embeddings.safetensors")
    clip_engine("embed", "--checkpoint", tuned, "--tsv", pairs, "--out", embeddings)
    with open(pairs) as f:
        rows = [line.rstrip("\n").split("\t") for line in f][1:]
    ids = [json.loads(line) for line in clip_engine("tokenize", "--checkpoint", tuned,
                                                    *[caption for _, caption in rows]).splitlines()]

    model = CLIP.from_checkpoint(tuned)           # load_state_dict(strict=True) inside
    model.eval()
    context = model.config["text_cfg"]["context_length"]
    tokens = torch.zeros(len(ids), context, dtype=torch.long)
    for i, row in enumerate(ids):
        tokens[i, :len(row)] = torch.tensor(row)
    pixels = pixel_values(torch.stack([torch.from_numpy(read_rgb(os.path.join(FIXTURE, path), 32))
                                       for path, _ in rows]), model.config["preprocess"])
    with torch.no_grad():
        images, texts = model.embeddings(pixels, tokens)
    java, _ = read_safetensors(embeddings)
    worst = min((java["image_embeddings"] * images).sum(-1).min().item(),
                (java["text_embeddings"] * texts).sum(-1).min().item())
    before, _ = read_safetensors(os.path.join(FIXTURE, "openai.safetensors"))
    after, _ = read_safetensors(tuned)
    moved = {tower: max((after[k] - before[k]).abs().max().item() for k in before
                        if k.startswith("visual.") == (tower == "image"))
             for tower in ("image", "text")}
    print(f"PyTorch loaded {tuned} with strict=True; lowest cosine of its embeddings with clip-engine's: {worst:.7f}")
    print(f"largest change of a weight by fine-tuning: image tower {moved['image']:.3g}, text tower "
          f"{moved['text']:.3g}")
    if worst < 0.99999:
        sys.exit("the embeddings differ")
    if args.lock and moved[args.lock] != 0:
        sys.exit(f"the locked {args.lock} tower changed")


main()
