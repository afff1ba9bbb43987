"""Cross-checks clip-engine's training steps against PyTorch on the same data and initial weights.

Writes a small TSV of random 8x8 grey PNGs into the current folder, has clip-engine save a model,
trains it 6 steps with clip-engine (--no-shuffle, constant rate, weight decay), repeats the same 6
steps in PyTorch (float64) from the saved weights, and prints the largest weight difference
relative to the weights' size. Needs numpy, torch and PIL (Debian: python3-torch python3-pil).

    python3 crosscheck.py JAVA JAR adamw|sgd norm|raw
"""
import json, struct, subprocess, sys, os, math
import numpy as np, torch
from PIL import Image

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
def load(path):
    b = open(path, "rb").read(); n = struct.unpack("<Q", b[:8])[0]; h = json.loads(b[8:8 + n]); data = b[8 + n:]
    meta = h.pop("__metadata__")
    t = {k: torch.tensor(np.frombuffer(data[v["data_offsets"][0]:v["data_offsets"][1]], dtype="<f4").reshape(v["shape"]).copy())
         for k, v in h.items()}
    return t, meta
init, meta = load("init0.safetensors")
vocab = json.loads(meta["vocab"]); vid = {w: i for i, w in enumerate(vocab)}
steps = 6
run(["--init", "init0.safetensors", "--steps", str(steps), "--out", "java.safetensors"] + common)
java, _ = load("java.safetensors")

P = {k: v.clone().double().requires_grad_(True) for k, v in init.items()}
def tokens(c):
    import re
    return [vid.get(w, 0) for w in re.split(r"[^a-z0-9]+", c.lower()) if w][:cfg["max_tokens"]]
def patches(px):
    x = torch.tensor(px, dtype=torch.float64) / 255.0
    return torch.stack([x[r:r+4, c:c+4].reshape(-1) for r in range(0, 8, 4) for c in range(0, 8, 4)])
def loss_fn(batch):
    v = torch.stack([(torch.relu(patches(px) @ P["image.encoder.weight"].T + P["image.encoder.bias"]).mean(0)
                      @ P["image.projection.weight"].T + P["image.projection.bias"]) for _, _, px in batch])
    t = torch.stack([(torch.relu(P["text.token_embedding.weight"][tokens(c)] @ P["text.encoder.weight"].T + P["text.encoder.bias"]).mean(0)
                      @ P["text.projection.weight"].T + P["text.projection.bias"]) for _, c, _ in batch])
    if normalize:
        v = torch.nn.functional.normalize(v, dim=-1); t = torch.nn.functional.normalize(t, dim=-1)
    logits = P["logit_scale"].exp() * v @ t.T
    y = torch.arange(len(batch))
    return (torch.nn.functional.cross_entropy(logits, y) + torch.nn.functional.cross_entropy(logits.T, y)) / 2
decay = [p for k, p in P.items() if p.dim() >= 2]; nodecay = [p for k, p in P.items() if p.dim() < 2]
groups = [{"params": decay, "weight_decay": 0.1}, {"params": nodecay, "weight_decay": 0.0}]
o = torch.optim.AdamW(groups, lr=0.05, betas=(0.9, 0.98), eps=1e-6) if opt == "adamw" else torch.optim.SGD(groups, lr=0.05, momentum=0.9)
losses = []
for s in range(steps):
    k = s % 3
    batch = rows[k * 4:(k + 1) * 4]
    o.zero_grad(); L = loss_fn(batch); L.backward(); o.step(); losses.append(L.item())
    with torch.no_grad(): P["logit_scale"].clamp_(0, math.log(100))
worst = max(((P[k].detach().float() - java[k]).abs().max().item() / max(1.0, P[k].detach().abs().max().item()), k) for k in P)
print(opt, "normalize" if normalize else "raw", "torch losses", [round(x, 5) for x in losses])
print("largest relative weight difference after", steps, "steps:", worst)
