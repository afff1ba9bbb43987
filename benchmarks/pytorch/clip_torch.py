"""clip-engine's model (docs/model.md) and training step (section 2) in PyTorch.

Shared by crosscheck.py (float64 replay of a few steps) and benchmark.py (float32 speed and loss
comparison). Reads clip-engine's safetensors checkpoints with numpy and struct only, so it needs no
`safetensors` package (Debian's python3-torch 1.13 has none). Written for speed as a PyTorch user
would: a batch is two tensors, image patches [N, n_patches, patch_dim] and token ids [N, n_tokens],
and one forward/backward call handles the whole batch.
"""
import json
import math
import os
import re
import struct

import numpy as np
import torch
import torch.nn.functional as F

CONFIG_KEYS = ("image_size", "patch_size", "channels", "vocab_size", "word_dim", "text_hidden",
               "image_hidden", "embed_dim", "max_tokens", "normalize", "learnable_scale")
MAX_LOGIT_SCALE = math.log(100)


# ---------------------------------------------------------------------------------------------
# checkpoints

def load_safetensors(path):
    """The tensors (float32 torch tensors by name) and the string metadata of a safetensors file."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, v in header.items():
        if v["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {v['dtype']}, expected F32")
        start, end = v["data_offsets"]
        a = np.frombuffer(data[start:end], dtype="<f4").reshape(v["shape"]).copy()
        tensors[name] = torch.from_numpy(a)
    if "logit_scale" in tensors:
        tensors["logit_scale"] = tensors["logit_scale"].reshape(())   # [1] is accepted too
    return tensors, meta


def load_checkpoint(path):
    """(config dict, vocabulary list, tensors) of a clip-engine model file."""
    tensors, meta = load_safetensors(path)
    config = json.loads(meta["config"])
    missing = [k for k in CONFIG_KEYS if k not in config]
    if missing:
        raise ValueError(f"{path}: config metadata lacks {', '.join(missing)}")
    vocab = json.loads(meta["vocab"])
    return config, vocab, tensors


# ---------------------------------------------------------------------------------------------
# inputs

_SPLIT = re.compile(r"[^a-z0-9]+")


def tokenize(caption, word_ids, max_tokens):
    """docs/model.md, the word tokenizer: lower-case, split on anything but a-z 0-9, <unk> = 0, first max_tokens."""
    ids = [word_ids.get(w, 0) for w in _SPLIT.split(caption.lower()) if w][:max_tokens]
    if not ids:
        raise ValueError(f"caption with no word: {caption!r}")
    return ids


def token_batch(captions, word_ids, max_tokens):
    """Token ids [N, T] (long) and lengths [N] (long) of captions, padded with 0 past each length.

    When every caption has the same number of tokens (the benchmark's case), the lengths are all T
    and the model takes a plain mean, with no mask.
    """
    ids = [tokenize(c, word_ids, max_tokens) for c in captions]
    longest = max(len(i) for i in ids)
    padded = torch.zeros(len(ids), longest, dtype=torch.long)
    for k, i in enumerate(ids):
        padded[k, :len(i)] = torch.tensor(i, dtype=torch.long)
    return padded, torch.tensor([len(i) for i in ids], dtype=torch.long)


def patchify(pixels, patch_size, dtype=torch.float32):
    """Pixels [N, C, H, W] (uint8) to patches [N, (H/p)*(W/p), C*p*p], values byte/255.

    Raster order of patches, each flattened (c, y, x): the layout of a Conv2d weight.
    """
    x = torch.as_tensor(pixels).to(dtype) / 255.0
    n, c, h, w = x.shape
    p = patch_size
    x = x.reshape(n, c, h // p, p, w // p, p).permute(0, 2, 4, 1, 3, 5)   # N, rows, cols, C, y, x
    return x.reshape(n, (h // p) * (w // p), c * p * p).contiguous()


def read_image(path, config):
    """An exact-size PNG or JPEG as uint8 [C, H, W]: R, G, B, or the luminance of docs/formats.md for one channel."""
    from PIL import Image
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.int64)
    size = config["image_size"]
    if rgb.shape[:2] != (size, size):
        raise ValueError(f"{path}: {rgb.shape[1]}x{rgb.shape[0]}, expected {size}x{size} (only exact sizes here)")
    if config["channels"] == 1:
        grey = (299 * rgb[..., 0] + 587 * rgb[..., 1] + 114 * rgb[..., 2] + 500) // 1000
        return grey.astype(np.uint8)[None]
    return rgb.astype(np.uint8).transpose(2, 0, 1).copy()


def read_tsv(path):
    """(image paths, captions) of an open_clip TSV (filepath and title columns)."""
    folder = os.path.dirname(os.path.abspath(path))
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t")
    fp, title = head.index("filepath"), head.index("title")
    files, captions = [], []
    for line in lines[1:]:
        if not line.strip():
            continue
        cells = line.split("\t")
        files.append(os.path.join(folder, cells[fp]))
        captions.append(cells[title])
    return files, captions


# ---------------------------------------------------------------------------------------------
# the model

class Tower(torch.nn.Module):
    """Linear + ReLU on every token or patch, mean over them, linear projection."""

    def __init__(self, in_dim, hidden, embed):
        super().__init__()
        self.encoder = torch.nn.Linear(in_dim, hidden)
        self.projection = torch.nn.Linear(hidden, embed)

    def forward(self, x, lengths=None):
        h = torch.relu(self.encoder(x))                  # [N, T, hidden]
        if lengths is None:
            h = h.mean(dim=1)
        else:                                            # captions of different lengths: mean of the real tokens
            mask = (torch.arange(x.shape[1], device=x.device)[None, :] < lengths[:, None]).to(h.dtype)
            h = (h * mask[:, :, None]).sum(dim=1) / lengths[:, None].to(h.dtype)
        return self.projection(h)


class TextTower(Tower):
    def __init__(self, vocab_size, word_dim, hidden, embed):
        super().__init__(word_dim, hidden, embed)
        self.token_embedding = torch.nn.Embedding(vocab_size, word_dim)

    def forward(self, ids, lengths=None):
        return super().forward(self.token_embedding(ids), lengths)


class Clip(torch.nn.Module):
    """The MLP CLIP model; its state_dict names are the checkpoint's tensor names."""

    def __init__(self, config):
        super().__init__()
        c = config
        self.config = dict(config)
        self.text = TextTower(c["vocab_size"], c["word_dim"], c["text_hidden"], c["embed_dim"])
        patch_dim = c["channels"] * c["patch_size"] ** 2
        self.image = Tower(patch_dim, c["image_hidden"], c["embed_dim"])
        self.logit_scale = torch.nn.Parameter(torch.tensor(0.0), requires_grad=bool(c["learnable_scale"]))

    @classmethod
    def from_checkpoint(cls, path, dtype=torch.float32):
        config, vocab, tensors = load_checkpoint(path)
        model = cls(config)
        model.load_state_dict(tensors, strict=True)
        model.vocab = vocab
        return model.to(dtype)

    def forward(self, patches, ids, lengths=None):
        """The loss of a batch: patches [N, P, patch_dim], token ids [N, T] (lengths [N] when unequal)."""
        v = self.image(patches)
        t = self.text(ids, lengths)
        if self.config["normalize"]:
            v = F.normalize(v, dim=-1)
            t = F.normalize(t, dim=-1)
        logits = self.logit_scale.exp() * v @ t.T        # rows: images, columns: captions
        labels = torch.arange(logits.shape[0], device=logits.device)
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    def clamp_scale(self):
        """docs/model.md: after every step, outside the gradient, logit_scale into [0, ln 100]."""
        if self.config["learnable_scale"]:
            with torch.no_grad():
                self.logit_scale.clamp_(0, MAX_LOGIT_SCALE)


def optimizer(model, name="adamw", lr=0.002, weight_decay=0.0, betas=(0.9, 0.98), eps=1e-6, momentum=0.0,
              foreach=None):
    """PyTorch's AdamW or SGD with clip-engine's defaults (docs/model.md): weight decay only on
    tensors of two or more dimensions, never on biases or logit_scale; a fixed scale is not trained."""
    trained = [(k, p) for k, p in model.named_parameters() if p.requires_grad]
    groups = [{"params": [p for _, p in trained if p.dim() >= 2], "weight_decay": weight_decay},
              {"params": [p for _, p in trained if p.dim() < 2], "weight_decay": 0.0}]
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, foreach=foreach)
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, foreach=foreach)
    raise ValueError(f"optimizer {name!r}: adamw or sgd")


def train_step(model, opt, patches, ids, lengths=None):
    """One training step (forward, backward, update, clamp); returns the loss tensor (before the update)."""
    opt.zero_grad(set_to_none=True)
    loss = model(patches, ids, lengths)
    loss.backward()
    opt.step()
    model.clamp_scale()
    return loss
