"""Sentence vectors from a BERT sentence-transformers model, in numpy alone.

A folder as sentence-transformers saves it (config.json, vocab.txt,
model.safetensors; all-MiniLM-L6-v2 is the one measured, see ranking.py)
is read without torch: importing torch and sentence-transformers costs a
fresh `search` 7-9 s, numpy and this module ~0.1 s. The arithmetic is
BERT's (WordPiece, 6 layers of attention, mean pooling, unit length);
bench/experiments/semantic.py `agree` checks it against sentence-transformers.
"""

from __future__ import annotations

import json
import mmap
import struct
import unicodedata
from pathlib import Path
from typing import NamedTuple

import numpy as np

from searchkit.errors import SearchkitError


class ModelError(SearchkitError):
    """The model folder cannot be used."""


_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a .safetensors file, as read-only views of its bytes."""
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = _DTYPES[info["dtype"]]
        tensors[name] = np.frombuffer(data, dtype=dtype, count=(end - start) // np.dtype(dtype).itemsize,
                                      offset=8 + size + start).reshape(info["shape"])
    return tensors


# --- WordPiece, as BERT's uncased tokenizer cuts text ------------------------

def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_words(text: str) -> list[str]:
    """Lower-cased, accent-stripped words and punctuation marks, one each."""
    cleaned = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            cleaned.append(" ")
        elif unicodedata.category(ch).startswith("C"):
            continue
        elif _is_cjk(cp):
            cleaned.append(f" {ch} ")
        else:
            cleaned.append(ch)
    words = []
    for word in "".join(cleaned).lower().split():
        word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
        piece = ""
        for ch in word:
            if _is_punctuation(ch):
                if piece:
                    words.append(piece)
                words.append(ch)
                piece = ""
            else:
                piece += ch
        if piece:
            words.append(piece)
    return words


class WordPiece:
    def __init__(self, vocab: list[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unknown = self.ids["[UNK]"]
        self.cls, self.sep, self.pad = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[PAD]"]

    def encode(self, text: str, most: int) -> list[int]:
        """[CLS] the text's word pieces [SEP], at most `most` ids."""
        ids = [self.cls]
        # No piece is longer than 100 characters (a longer word is [UNK]):
        # `most` ids never need more text than this, and a passage of one
        # 50 MB word must not be read to the end.
        for word in basic_words(text[:most * 101]):
            ids.extend(self._pieces(word))
            if len(ids) >= most - 1:
                break
        return ids[:most - 1] + [self.sep]

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unknown]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                candidate = word[start:end] if start == 0 else "##" + word[start:end]
                if candidate in self.ids:
                    pieces.append(self.ids[candidate])
                    break
                end -= 1
            else:
                return [self.unknown]
            start = end
        return pieces


# --- The network --------------------------------------------------------------

def _gelu(x: np.ndarray) -> None:
    """BERT's exact GELU, x·Φ(x), in place, a block of rows at a time.

    The largest array of the network: its temporaries cost more than the
    arithmetic unless each block stays in the processor's cache."""
    rows = x.reshape(-1, x.shape[-1])
    step = max(1, 65536 // rows.shape[1])
    for start in range(0, rows.shape[0], step):
        _gelu_block(rows[start:start + step])


def _gelu_block(x: np.ndarray) -> None:
    # x/2 + |x|/2·erf(|x|/√2). numpy has no erf: Abramowitz & Stegun 7.1.26
    # (error < 1.5e-7), not the tanh approximation BERT was not trained with.
    a = np.abs(x)
    a *= np.float32(1 / np.sqrt(2.0))
    t = a * np.float32(0.3275911)
    t += 1
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=t)
    np.negative(t, out=t)
    np.exp(t, out=t)
    poly *= t  # 1 - erf(|x|/√2)
    np.subtract(1, poly, out=poly)
    a *= poly
    a *= np.float32(np.sqrt(2.0))  # |x|·erf(|x|/√2)
    x += a
    x *= np.float32(0.5)


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


class _Layer(NamedTuple):
    qkv: np.ndarray  # (hidden, 3·hidden): query, key and value in one product
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


class Encoder:
    """Unit-length sentence vectors of a sentence-transformers BERT folder."""

    def __init__(self, folder: Path) -> None:
        try:
            config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
            vocab = (folder / "vocab.txt").read_text(encoding="utf-8").splitlines()
            tensors = read_safetensors(folder / "model.safetensors")
            st_config = folder / "sentence_bert_config.json"
            most = json.loads(st_config.read_text(encoding="utf-8")).get("max_seq_length", 256) \
                if st_config.exists() else 256
        except (OSError, ValueError, KeyError, struct.error) as exc:
            raise ModelError(f"cannot read the model in {folder}: {exc}") from exc
        if config.get("model_type") != "bert":
            raise ModelError(f"{folder}: a BERT model is needed, this is {config.get('model_type')!r}")
        self.name = folder.name
        self.tokens = WordPiece(vocab)
        self.most = min(int(most), int(config["max_position_embeddings"]))
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        t = {k.removeprefix("bert."): v for k, v in tensors.items()}
        try:
            self._load(t, int(config["num_hidden_layers"]))
        except KeyError as exc:
            raise ModelError(f"{folder}: the model has no tensor {exc}") from exc
        self.dimensions = self.word.shape[1]

    def _load(self, t: dict[str, np.ndarray], layers: int) -> None:
        def f32(name: str) -> np.ndarray:
            return np.asarray(t[name], dtype=np.float32)

        self.word = t["embeddings.word_embeddings.weight"]
        self.position = f32("embeddings.position_embeddings.weight")
        self.token_type = f32("embeddings.token_type_embeddings.weight")[0]
        self.norm0 = (f32("embeddings.LayerNorm.weight"), f32("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(layers):
            p = f"encoder.layer.{i}."
            names = ("query", "key", "value")
            self.layers.append(_Layer(
                qkv=np.concatenate([f32(f"{p}attention.self.{n}.weight").T for n in names], axis=1),
                qkv_bias=np.concatenate([f32(f"{p}attention.self.{n}.bias") for n in names]),
                out=f32(f"{p}attention.output.dense.weight").T.copy(),
                out_bias=f32(f"{p}attention.output.dense.bias"),
                norm1=(f32(f"{p}attention.output.LayerNorm.weight"), f32(f"{p}attention.output.LayerNorm.bias")),
                up=f32(f"{p}intermediate.dense.weight").T.copy(),
                up_bias=f32(f"{p}intermediate.dense.bias"),
                down=f32(f"{p}output.dense.weight").T.copy(),
                down_bias=f32(f"{p}output.dense.bias"),
                norm2=(f32(f"{p}output.LayerNorm.weight"), f32(f"{p}output.LayerNorm.bias")),
            ))

    def encode(self, texts: list[str], batch: int = 32) -> np.ndarray:
        """One unit-length float32 row per text."""
        ids = [self.tokens.encode(text, self.most) for text in texts]
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # alike lengths pad least
        for start in range(0, len(order), batch):
            chosen = order[start:start + batch]
            out[chosen] = self._forward([ids[i] for i in chosen])
        return out

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        n, length = len(batch), max(len(ids) for ids in batch)
        ids = np.full((n, length), self.tokens.pad, dtype=np.int64)
        mask = np.zeros((n, length), dtype=np.float32)
        for i, row in enumerate(batch):
            ids[i, :len(row)] = row
            mask[i, :len(row)] = 1.0
        x = np.asarray(self.word[ids], dtype=np.float32) + self.position[:length] + self.token_type
        x = _layer_norm(x, *self.norm0, self.eps)
        hidden = x.shape[-1]
        size = hidden // self.heads
        blocked = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias
            q, k, v = (np.ascontiguousarray(qkv[..., j * hidden:(j + 1) * hidden]
                                            .reshape(n, length, self.heads, size).transpose(0, 2, 1, 3))
                       for j in range(3))
            q *= np.float32(1 / np.sqrt(size))
            scores = q @ k.transpose(0, 1, 3, 2)
            scores += blocked
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, hidden)
            x = _layer_norm(attended @ layer.out + layer.out_bias + x, *layer.norm1, self.eps)
            up = x @ layer.up
            up += layer.up_bias
            _gelu(up)
            x = _layer_norm(up @ layer.down + layer.down_bias + x, *layer.norm2, self.eps)
        pooled = (x * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
