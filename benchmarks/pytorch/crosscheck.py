"""Cross-checks clip-engine's training steps against PyTorch on the same data and initial weights.

Writes a small TSV of random 8x8 grey PNGs into the current folder, has clip-engine save a model,
trains it 6 steps with clip-engine (--no-shuffle, constant rate, weight decay), repeats the same 6
steps in PyTorch (float64) from the saved weights, and prints the largest weight difference
relative to the weights' size. Needs numpy, torch and PIL (Debian: python3-torch python3-pil).

    python3 crosscheck.py JAVA JAR adamw|sgd norm|raw
"""
import json, subprocess, sys, os
import numpy as np, torch
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from clip_torch import Clip, load_safetensors, optimizer, patchify, token_batch, train_step

JAVA, JAR, opt, normalize = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "norm"
rng = np.random.default_rng(0)
os.makedirs("data", exist_ok=True)
words = ["big", "table", "small", "chair", "red", "apple", "blue", "cup"]
rows = []
for i in range(12):
    px = rng.integers(0, 256, size=(8, 8), dtype=np.uint8)   # 8x8 grey
    Image.fromarray(px, mode="L").save(f"data/img{i}.png")
    cap = " ".join(rng.choice(words, size=1 + i % 3))
    rows.append((f"img{i}.png", cap, px))
with open("data/pairs.tsv", "w") as f:
    f.write("filepath\ttitle\n")
    for p, c, _ in rows: f.write(f"{p}\t{c}\n")
cfg = {"image_size": 8, "patch_size": 4, "channels": 1, "word_dim": 5, "text_hidden": 7, "image_hidden": 6,
       "embed_dim": 3, "max_tokens": 4, "normalize": normalize, "learnable_scale": True}
json.dump(cfg, open("cfg.json", "w"))
common = ["--data", "data/pairs.tsv", "--batch-size", "4", "--no-shuffle", "--schedule", "constant", "--lr", "0.05",
          "--optimizer", opt, "--weight-decay", "0.1", "--quiet"] + (["--momentum", "0.9"] if opt == "sgd" else [])
def run(args): subprocess.run([JAVA, "--add-modules", "jdk.incubator.vector", "-jar", JAR, "train"] + args, check=True,
                              stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
# a new model, saved after one step at a negligible rate: the starting point of both runs
run(["--model", "cfg.json", "--steps", "1", "--batch-size", "4", "--data", "data/pairs.tsv", "--out", "init0.safetensors",
     "--quiet", "--schedule", "constant", "--lr", "1e-30"])
init, meta = load_safetensors("init0.safetensors")
vocab = json.loads(meta["vocab"]); vid = {w: i for i, w in enumerate(vocab)}
steps = 6
run(["--init", "init0.safetensors", "--steps", str(steps), "--out", "java.safetensors"] + common)
java, _ = load_safetensors("java.safetensors")

model = Clip(cfg | {"vocab_size": len(vocab)})
model.load_state_dict(init)
model = model.double()
P = dict(model.named_parameters())
o = optimizer(model, opt, lr=0.05, weight_decay=0.1, momentum=0.9 if opt == "sgd" else 0.0)
images = patchify(np.stack([px[None] for _, _, px in rows]), 4, torch.float64)
ids, lengths = token_batch([c for _, c, _ in rows], vid, cfg["max_tokens"])
losses = []
for s in range(steps):
    k = s % 3
    b = slice(k * 4, (k + 1) * 4)
    losses.append(train_step(model, o, images[b], ids[b], lengths[b]).item())
worst = max(((P[k].detach().float() - java[k]).abs().max().item() / max(1.0, P[k].detach().abs().max().item()), k) for k in P)
print(opt, "normalize" if normalize else "raw", "torch losses", [round(x, 5) for x in losses])
print("largest relative weight difference after", steps, "steps:", worst)
