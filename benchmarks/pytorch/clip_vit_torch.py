"""OpenAI's CLIP ViT in PyTorch, for clip-engine's transformer family.

The architecture of openai/CLIP's clip/model.py (VisionTransformer, the causal text Transformer,
ResidualAttentionBlock with nn.MultiheadAttention, QuickGELU or GELU, LayerNorm eps 1e-5, the
class token through ln_post, the text pooled at the end-of-text token, projections without bias,
the symmetric contrastive loss), written here with the same parameter names, so that
`load_state_dict(strict=True)` takes a clip-engine transformer model file as it is, and OpenAI's
own state dicts too. Two departures, neither changing the math: LayerNorm runs in the tensors' own
dtype (OpenAI's casts to float32, which would spoil a float64 replay), and the blocks take
batch-first tensors.

Shared by crosscheck_vit.py (float64 replay of a few steps) and benchmark.py (the vit-bench model,
float32). Reads safetensors files with numpy and struct only: Debian's python3-torch 1.13 has no
`safetensors` package.

    python3 clip_vit_torch.py fixtures/openai-clip-small

checks this module against the outputs and gradients OpenAI's code gave on that fixture.
"""
import json
import math
import os
import re
import struct
import sys
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

MAX_LOGIT_SCALE = math.log(100)
OPENAI_MEAN = (0.48145466, 0.4578275, 0.40821073)
OPENAI_STD = (0.26862954, 0.26130258, 0.27577711)
# open_clip's exclusions from weight decay, besides every tensor of fewer than two dimensions
NO_WEIGHT_DECAY = frozenset({"positional_embedding", "visual.positional_embedding", "visual.class_embedding"})
START, END, UNKNOWN = "<start>", "<end>", "<unk>"


# ---------------------------------------------------------------------------------------------
# files

_DTYPES = {"F64": "<f8", "F32": "<f4", "F16": "<f2", "I64": "<i8", "I32": "<i4", "U8": "u1", "BOOL": "?"}


def read_safetensors(path):
    """(tensors by name, string metadata) of a safetensors file; BF16 and F16 become float32."""
    with open(path, "rb") as f:
        b = f.read()
    n = struct.unpack("<Q", b[:8])[0]
    header = json.loads(b[8:8 + n])
    data = b[8 + n:]
    meta = header.pop("__metadata__", None) or {}
    tensors = {}
    for name, v in header.items():
        start, end = v["data_offsets"]
        raw = data[start:end]
        if v["dtype"] == "BF16":
            a = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif v["dtype"] in _DTYPES:
            a = np.frombuffer(raw, dtype=_DTYPES[v["dtype"]])
            if v["dtype"] == "F16":
                a = a.astype(np.float32)
        else:
            raise ValueError(f"{path}: tensor {name} has dtype {v['dtype']}")
        tensors[name] = torch.from_numpy(a.reshape(v["shape"]).copy())
    return tensors, meta


def complete_config(config, vocab_size=None):
    """A config with open_clip's defaults where a hand-written one leaves keys out (as clip-engine does)."""
    c = json.loads(json.dumps(config))
    if c.get("family", "transformer") != "transformer":
        raise ValueError(f"config family {c['family']!r}: this module runs the transformer family")
    v, t = c["vision_cfg"], c["text_cfg"]
    v.setdefault("head_width", 64)
    v.setdefault("mlp_ratio", 4.0)
    t.setdefault("mlp_ratio", 4.0)
    if vocab_size is not None:
        t.setdefault("vocab_size", vocab_size)
    c.setdefault("quick_gelu", False)
    c.setdefault("tokenizer", "words")
    c.setdefault("preprocess", {"mean": list(OPENAI_MEAN), "std": list(OPENAI_STD)})
    return c


def config_from_state_dict(sd):
    """The config of an OpenAI state dict with no metadata, inferred from its shapes as OpenAI's
    build_model does (heads of width 64, QuickGELU)."""
    width = sd["visual.conv1.weight"].shape[0]
    patch = sd["visual.conv1.weight"].shape[-1]
    grid = round((sd["visual.positional_embedding"].shape[0] - 1) ** 0.5)
    text_width = sd["ln_final.weight"].shape[0]

    def layers(prefix):
        return len({k.split(".")[len(prefix.split(".")) - 1] for k in sd if k.startswith(prefix)})

    return {"family": "transformer", "embed_dim": sd["text_projection"].shape[1], "quick_gelu": True,
            "vision_cfg": {"image_size": grid * patch, "patch_size": patch, "width": width,
                           "layers": layers("visual.transformer.resblocks."), "head_width": 64,
                           "mlp_ratio": sd["visual.transformer.resblocks.0.mlp.c_fc.weight"].shape[0] / width},
            "text_cfg": {"context_length": sd["positional_embedding"].shape[0],
                         "vocab_size": sd["token_embedding.weight"].shape[0], "width": text_width,
                         "heads": text_width // 64, "layers": layers("transformer.resblocks."),
                         "mlp_ratio": sd["transformer.resblocks.0.mlp.c_fc.weight"].shape[0] / text_width},
            "tokenizer": "clip-bpe", "preprocess": {"mean": list(OPENAI_MEAN), "std": list(OPENAI_STD)}}


def load_checkpoint(path):
    """(config, vocabulary list or None, tensors) of a clip-engine transformer model file (or of an
    OpenAI state dict saved as safetensors, whose config is inferred from its shapes)."""
    tensors, meta = read_safetensors(path)
    tensors = {k: v for k, v in tensors.items() if v.is_floating_point()}   # I64 buffers are not parameters
    vocab = json.loads(meta["vocab"]) if "vocab" in meta else None
    if "config" in meta:
        config = complete_config(json.loads(meta["config"]), len(vocab) if vocab else None)
    else:
        config = config_from_state_dict(tensors)
    tensors["logit_scale"] = tensors["logit_scale"].reshape(())
    return config, vocab, tensors


# ---------------------------------------------------------------------------------------------
# inputs

_SPLIT = re.compile(r"[^a-z0-9]+")


class WordTokenizer:
    """clip-engine's word tokenizer: `<start> words <end>` padded with 0 to the context length;
    words lower-cased and split on anything but a-z 0-9, unknown words 0, at most context - 2."""

    def __init__(self, vocab, context_length):
        if vocab[-2:] != [START, END] or vocab[0] != UNKNOWN:
            raise ValueError("a word vocabulary starts with <unk> and ends with <start>, <end>")
        self.ids = {w: i for i, w in enumerate(vocab)}
        self.context = context_length

    def __call__(self, captions):
        out = torch.zeros(len(captions), self.context, dtype=torch.long)
        for k, caption in enumerate(captions):
            words = [w for w in _SPLIT.split(caption.lower()) if w][:self.context - 2]
            if not words:
                raise ValueError(f"caption with no word: {caption!r}")
            ids = [self.ids[START]] + [self.ids.get(w, 0) for w in words] + [self.ids[END]]
            out[k, :len(ids)] = torch.tensor(ids, dtype=torch.long)
        return out


def read_rgb(path, image_size):
    """An exact-size PNG or JPEG as uint8 [3, H, W]; a grey image repeats into the three channels."""
    from PIL import Image
    with Image.open(path) as im:
        rgb = np.asarray(im.convert("RGB"), dtype=np.uint8)
    if rgb.shape[:2] != (image_size, image_size):
        raise ValueError(f"{path}: {rgb.shape[1]}x{rgb.shape[0]}, expected {image_size}x{image_size} "
                         "(only exact sizes here)")
    return rgb.transpose(2, 0, 1).copy()


def pixel_values(pixels, preprocess, dtype=torch.float32):
    """uint8 [N, 3, H, W] to the model's input: (byte/255 - mean[c]) / std[c], each step in float32
    (as torchvision's ToTensor and Normalize, and as clip-engine computes it), then cast to dtype."""
    x = torch.as_tensor(pixels).to(torch.float32) / 255.0
    mean = torch.tensor(preprocess["mean"], dtype=torch.float32)[:, None, None]
    std = torch.tensor(preprocess["std"], dtype=torch.float32)[:, None, None]
    return ((x - mean) / std).to(dtype).contiguous()


# ---------------------------------------------------------------------------------------------
# the model

class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    """x + attn(ln_1(x)), then x + mlp(ln_2(x)); attention over [N, L, width]."""

    def __init__(self, width, heads, mlp_width, quick_gelu, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(width, heads, batch_first=True)
        self.ln_1 = nn.LayerNorm(width, eps=1e-5)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(width, mlp_width)),
            ("gelu", QuickGELU() if quick_gelu else nn.GELU()),
            ("c_proj", nn.Linear(mlp_width, width)),
        ]))
        self.ln_2 = nn.LayerNorm(width, eps=1e-5)
        self.attn_mask = attn_mask

    def attention(self, x):
        mask = None if self.attn_mask is None else self.attn_mask.to(dtype=x.dtype, device=x.device)
        return self.attn(x, x, x, need_weights=False, attn_mask=mask)[0]

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, mlp_width, quick_gelu, attn_mask=None):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, mlp_width, quick_gelu, attn_mask)
                                         for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    """Patches by a strided convolution without bias, the class token first, positions, ln_pre,
    the blocks, ln_post of the class token, @ proj."""

    def __init__(self, image_size, patch_size, width, layers, heads, mlp_width, output_dim, quick_gelu):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=patch_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((image_size // patch_size) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width, eps=1e-5)
        self.transformer = Transformer(width, layers, heads, mlp_width, quick_gelu)
        self.ln_post = nn.LayerNorm(width, eps=1e-5)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)                                   # [N, width, grid, grid]
        x = x.flatten(2).transpose(1, 2)                    # [N, grid^2, width], patches in raster order
        cls = self.class_embedding.expand(x.shape[0], 1, -1)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.transformer(self.ln_pre(x))
        return self.ln_post(x[:, 0, :]) @ self.proj


class CLIP(nn.Module):
    """The whole model; its state_dict names are OpenAI's, and clip-engine's tensor names."""

    def __init__(self, config):
        super().__init__()
        c = complete_config(config)
        self.config = c
        v, t = c["vision_cfg"], c["text_cfg"]
        qg = bool(c["quick_gelu"])
        self.visual = VisionTransformer(v["image_size"], v["patch_size"], v["width"], v["layers"],
                                        v["width"] // v["head_width"], int(v["width"] * v["mlp_ratio"]),
                                        c["embed_dim"], qg)
        L = t["context_length"]
        mask = torch.full((L, L), float("-inf")).triu_(1)  # position i sees positions 0..i (not a parameter)
        self.transformer = Transformer(t["width"], t["layers"], t["heads"], int(t["width"] * t["mlp_ratio"]), qg,
                                       attn_mask=mask)
        self.token_embedding = nn.Embedding(t["vocab_size"], t["width"])
        self.positional_embedding = nn.Parameter(torch.empty(L, t["width"]).normal_(std=0.01))
        self.ln_final = nn.LayerNorm(t["width"], eps=1e-5)
        self.text_projection = nn.Parameter(torch.empty(t["width"], c["embed_dim"]).normal_(std=t["width"] ** -0.5))
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1 / 0.07)))

    @classmethod
    def from_checkpoint(cls, path, dtype=torch.float32):
        config, vocab, tensors = load_checkpoint(path)
        model = cls(config)
        model.load_state_dict(tensors, strict=True)
        model.vocab = vocab
        model.tokenizer = WordTokenizer(vocab, config["text_cfg"]["context_length"]) if vocab else None
        return model.to(dtype)

    def encode_image(self, pixels):
        return self.visual(pixels)

    def encode_text(self, ids):
        x = self.token_embedding(ids) + self.positional_embedding
        x = self.ln_final(self.transformer(x))
        # pooled at the end-of-text token, the largest id (the first of equals, as argmax)
        return x[torch.arange(x.shape[0]), ids.argmax(dim=-1)] @ self.text_projection

    def embeddings(self, pixels, ids):
        return F.normalize(self.encode_image(pixels), dim=-1), F.normalize(self.encode_text(ids), dim=-1)

    def forward(self, pixels, ids):
        """The symmetric contrastive loss of a batch: pixels [N, 3, H, W], token ids [N, context]."""
        v, t = self.embeddings(pixels, ids)
        logits = self.logit_scale.exp() * v @ t.T           # rows: images, columns: captions
        labels = torch.arange(logits.shape[0], device=logits.device)
        return (F.cross_entropy(logits, labels) + F.cross_entropy(logits.T, labels)) / 2

    def clamp_scale(self):
        """After every step, outside the gradient: logit_scale into [0, ln 100]."""
        with torch.no_grad():
            self.logit_scale.clamp_(0, MAX_LOGIT_SCALE)


def decays(name, p):
    """Whether weight decay applies: tensors of two or more dimensions but the positional and class embeddings."""
    return p.dim() >= 2 and name not in NO_WEIGHT_DECAY


def optimizer(model, name="adamw", lr=0.002, weight_decay=0.0, betas=(0.9, 0.98), eps=1e-6, momentum=0.0,
              foreach=None):
    """PyTorch's AdamW (decoupled decay) or SGD with clip-engine's defaults and decay groups."""
    named = list(model.named_parameters())
    groups = [{"params": [p for k, p in named if decays(k, p)], "weight_decay": weight_decay},
              {"params": [p for k, p in named if not decays(k, p)], "weight_decay": 0.0}]
    if name == "adamw":
        return torch.optim.AdamW(groups, lr=lr, betas=betas, eps=eps, foreach=foreach)
    if name == "sgd":
        return torch.optim.SGD(groups, lr=lr, momentum=momentum, foreach=foreach)
    raise ValueError(f"optimizer {name!r}: adamw or sgd")


def train_step(model, opt, pixels, ids):
    """One training step (forward, backward, update, clamp); returns the loss tensor (before the update)."""
    opt.zero_grad(set_to_none=True)
    loss = model(pixels, ids)
    loss.backward()
    opt.step()
    model.clamp_scale()
    return loss


# ---------------------------------------------------------------------------------------------
# the step's floating-point operations, as clip-engine's StepFlops counts them

def step_flops(config, pairs):
    """FLOPs of the matrix products of one training step (2 per multiply-add): each product once
    forward and twice backward, the patch embedding once backward (the pixels need no gradient);
    attention's two products over every (query, key) pair, masked or not. Element-wise work
    (bias, activations, LayerNorm, softmax, the optimizer) is not counted."""
    c = complete_config(config)
    v, t, e = c["vision_cfg"], c["text_cfg"], c["embed_dim"]

    def linear(rows, n_in, n_out):
        return 2.0 * rows * n_in * n_out

    def block(sequences, length, width, mlp_width):
        rows = sequences * length
        return (linear(rows, width, 3 * width) + 2 * linear(rows, width, length) + linear(rows, width, width)
                + linear(rows, width, mlp_width) + linear(rows, mlp_width, width))

    grid = v["image_size"] // v["patch_size"]
    image_blocks = v["layers"] * block(pairs, grid * grid + 1, v["width"], int(v["width"] * v["mlp_ratio"]))
    text_blocks = t["layers"] * block(pairs, t["context_length"], t["width"], int(t["width"] * t["mlp_ratio"]))
    patch_embedding = linear(pairs * grid * grid, 3 * v["patch_size"] ** 2, v["width"])
    logits = linear(pairs, e, pairs)
    return (3 * (image_blocks + text_blocks + linear(pairs, v["width"], e) + linear(pairs, t["width"], e) + logits)
            + 2 * patch_embedding)


# ---------------------------------------------------------------------------------------------
# a check against OpenAI's own outputs

def check_fixture(folder):
    """Loads the fixture's OpenAI weights strictly and compares features, embeddings, logits, loss
    and every gradient with what OpenAI's code computed (float32 files, float64 here)."""
    model = CLIP.from_checkpoint(os.path.join(folder, "openai.safetensors"), torch.float64)
    expected, _ = read_safetensors(os.path.join(folder, "expected.safetensors"))
    d = torch.float64
    worst = []

    def compare(name, ours, theirs):
        theirs = theirs.to(d).reshape(ours.shape)
        err = (ours.detach() - theirs).abs().max().item() / max(theirs.abs().max().item(), 1e-30)
        worst.append((err, name))

    with torch.no_grad():
        compare("image_features", model.encode_image(expected["pixels"].to(d)), expected["image_features"])
        compare("text_features", model.encode_text(expected["tokens"]), expected["text_features"])
    v, t = model.embeddings(expected["train_pixels"].to(d), expected["tokens"][:5])
    logits = model.logit_scale.exp() * v @ t.T
    compare("logits_per_image", logits, expected["logits_per_image"])
    loss = model(expected["train_pixels"].to(d), expected["tokens"][:5])
    compare("loss", loss, expected["loss"])
    loss.backward()
    for k, p in model.named_parameters():
        compare("grad." + k, p.grad, expected["grad." + k])
    worst.sort(reverse=True)
    print(f"{len(worst)} comparisons with OpenAI's outputs on {folder}; largest relative differences:")
    for err, name in worst[:5]:
        print(f"  {err:.2e}  {name}")
    return worst[0][0]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: clip_vit_torch.py FIXTURE_FOLDER (e.g. fixtures/openai-clip-small)")
    sys.exit(0 if check_fixture(sys.argv[1]) < 1e-4 else 1)
