#!/usr/bin/env python3
"""Writes the fixtures of VerificationBinTest and InsightFaceFixtureTest.

Run from this folder with the machine's python3 (numpy only; no Pillow, sklearn or Python 2
needed):

    python3 make_fixture.py

Outputs, all deterministic (fixed seeds, no timestamps):

* tiny_py3.bin         pickle.dump((bins, issame), protocol=4): images as bytes (SHORT_BINBYTES,
                       BINBYTES, FRAME, MEMOIZE), the dialect of files written by Python 3.
* tiny_py2.bin         the same content in the dialect of Python 2's pickle.HIGHEST_PROTOCOL (2),
                       written opcode by opcode as Python 2's pickle.py does: images as str
                       (SHORT_BINSTRING below 256 bytes, BINSTRING above), BINPUT memo, MARK +
                       APPENDS, NEWTRUE/NEWFALSE, TUPLE2.
* tiny_py3_proto2.bin  pickle.dump(..., protocol=2) by Python 3: each image as
                       _codecs.encode(str, 'latin1') through GLOBAL + REDUCE.
* tiny_py2_proto0.bin  Python 2's default protocol 0, written opcode by opcode: images as
                       STRING repr lines, bools as I01/I00, MARK + LIST + APPEND, TUPLE.
* bytes256_*.bin       ([bytes(range(256)), bytes(range(255, -1, -1))], [True]) in each dialect
                       (Python 3 at protocols 4, 2 and 0; Python 2 at 2 and 0): every byte value
                       must come back exactly, whatever the encoding of the opcodes.
* hostile_posix_system_proto2.bin / _proto4.bin
                       an object whose __reduce__ is os.system('echo this pickle ran a command'),
                       pickled by Python itself (GLOBAL and STACK_GLOBAL forms). The reader must
                       refuse them; unpickling them in Python would run the echo.
* embeddings_plain.npy, embeddings_flipped.npy
                       float32 [126, 16]: the embeddings of 63 pairs of images and of their
                       flips (made up: the .bin files above hold only 12 pairs, to stay small).
* reference.json       InsightFace's verification protocol computed here in numpy, independently
                       of the Java code: the fused distances, the chosen thresholds, the fold
                       accuracies, mean, population std, the ROC curve and the 63 issame flags;
                       and, for the .bin files, their 12 issame flags and the SHA-256 of each of
                       their 24 images.

The images are tiny valid greyscale PNGs written with zlib + struct: 4 x 4 gradients, and every
ninth image 16 x 16 noise so that it exceeds 255 bytes and needs the 4-byte length opcodes.
"""

import hashlib
import io
import json
import os
import pickle
import struct
import zlib

import numpy as np

BIN_PAIRS = 12  # pairs in the .bin files: 24 images, a few kB
PAIRS = 63  # pairs of the protocol fixture; 63 % 10 = 3: three folds of 7 pairs, seven of 6
DIM = 16
FOLDS = 10
HERE = os.path.dirname(os.path.abspath(__file__))


def png(width, height, rows):
    """A greyscale 8-bit PNG of the given pixel rows (each a bytes of `width` values)."""

    def chunk(tag, data):
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    raw = b"".join(b"\x00" + row for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def images(rng):
    out = []
    for i in range(2 * BIN_PAIRS):
        if i % 9 == 0:
            noise = rng.integers(0, 256, size=(16, 16), dtype=np.uint8)
            out.append(png(16, 16, [bytes(r) for r in noise]))
        else:
            out.append(png(4, 4, [bytes((i * 7 + 16 * y + 3 * x) % 256 for x in range(4))
                                  for y in range(4)]))
    return out


# ---- Python 2 dialects, opcode by opcode ------------------------------------------------------

class Py2Memo:
    def __init__(self, binary):
        self.next = 0
        self.binary = binary

    def put(self):
        i = self.next
        self.next += 1
        if not self.binary:
            return b"p%d\n" % i
        return b"q" + bytes([i]) if i < 256 else b"r" + struct.pack("<i", i)


def py2_protocol2(bins, issame):
    memo = Py2Memo(binary=True)
    out = bytearray(b"\x80\x02")  # PROTO 2

    def save_list(items, save_item):
        out.extend(b"]")  # EMPTY_LIST
        out.extend(memo.put())
        for start in range(0, len(items), 1000):  # pickle.py's _BATCHSIZE
            batch = items[start:start + 1000]
            if len(batch) == 1:
                save_item(batch[0])
                out.extend(b"a")  # APPEND
            else:
                out.extend(b"(")  # MARK
                for item in batch:
                    save_item(item)
                out.extend(b"e")  # APPENDS

    def save_str(s):
        if len(s) < 256:
            out.extend(b"U" + bytes([len(s)]) + s)  # SHORT_BINSTRING
        else:
            out.extend(b"T" + struct.pack("<i", len(s)) + s)  # BINSTRING
        out.extend(memo.put())

    def save_bool(b):
        out.extend(b"\x88" if b else b"\x89")  # NEWTRUE / NEWFALSE

    save_list(bins, save_str)
    save_list(issame, save_bool)
    out.extend(b"\x86")  # TUPLE2
    out.extend(memo.put())
    out.extend(b".")  # STOP
    return bytes(out)


def py2_protocol0(bins, issame):
    memo = Py2Memo(binary=False)
    out = bytearray(b"(")  # MARK of the tuple

    def save_list(items, save_item):
        out.extend(b"(l")  # MARK + LIST
        out.extend(memo.put())
        for item in items:
            save_item(item)
            out.extend(b"a")  # APPEND

    def save_str(s):
        # Python 2 writes STRING + repr(str) + newline; Python 3's repr of bytes is the same
        # text after its leading b (same escapes, same choice of quote).
        out.extend(b"S" + repr(s)[1:].encode("ascii") + b"\n")
        out.extend(memo.put())

    def save_bool(b):
        out.extend(b"I01\n" if b else b"I00\n")

    save_list(bins, save_str)
    save_list(issame, save_bool)
    out.extend(b"t")  # TUPLE
    out.extend(memo.put())
    out.extend(b".")
    return bytes(out)


class RunsACommand:
    def __reduce__(self):
        return (os.system, ("echo this pickle ran a command",))


# ---- InsightFace's protocol, in numpy ---------------------------------------------------------

def normalize(x):
    """sklearn.preprocessing.normalize(x) (L2, rows) without sklearn."""
    norms = np.sqrt(np.einsum("ij,ij->i", x, x))
    norms[norms < 10 * np.finfo(norms.dtype).eps] = 1.0
    return x / norms[:, np.newaxis]


def kfold(n, folds):
    """sklearn KFold(n_splits=folds, shuffle=False).split: (train, test) index arrays."""
    sizes = np.full(folds, n // folds, dtype=int)
    sizes[: n % folds] += 1
    indices = np.arange(n)
    start = 0
    for size in sizes:
        test = indices[start:start + size]
        train = np.concatenate([indices[:start], indices[start + size:]])
        yield train, test
        start += size


def accuracy(threshold, dist, same):
    predict = np.less(dist, threshold)
    tp = np.sum(np.logical_and(predict, same))
    fp = np.sum(np.logical_and(predict, np.logical_not(same)))
    tn = np.sum(np.logical_and(np.logical_not(predict), np.logical_not(same)))
    fn = np.sum(np.logical_and(np.logical_not(predict), same))
    tpr = 0 if tp + fn == 0 else float(tp) / float(tp + fn)
    fpr = 0 if fp + tn == 0 else float(fp) / float(fp + tn)
    return tpr, fpr, float(tp + tn) / dist.size


def protocol(embeddings, same):
    thresholds = np.arange(0, 4, 0.01)
    e1, e2 = embeddings[0::2], embeddings[1::2]
    dist = np.sum(np.square(np.subtract(e1, e2)), 1)
    # A distance within 1e-9 of a threshold could be decided differently by a summation order
    # that differs in the last bit; the fixture must not depend on that.
    assert np.min(np.abs(dist[:, None] - thresholds[None, :])) > 1e-9
    tprs = np.zeros((FOLDS, len(thresholds)))
    fprs = np.zeros((FOLDS, len(thresholds)))
    acc = np.zeros(FOLDS)
    best = []
    for f, (train, test) in enumerate(kfold(len(same), FOLDS)):
        train_acc = np.array([accuracy(t, dist[train], same[train])[2] for t in thresholds])
        b = int(np.argmax(train_acc))
        best.append(b)
        for j, t in enumerate(thresholds):
            tprs[f, j], fprs[f, j], _ = accuracy(t, dist[test], same[test])
        acc[f] = accuracy(thresholds[b], dist[test], same[test])[2]
    return {
        "thresholds": [float(t) for t in thresholds],
        "squared_distances": [float(d) for d in dist],
        "best_threshold_indices": best,
        "best_thresholds": [float(thresholds[b]) for b in best],
        "accuracies": [float(a) for a in acc],
        "mean": float(np.mean(acc)),
        "std": float(np.std(acc)),
        "tpr": [float(v) for v in np.mean(tprs, 0)],
        "fpr": [float(v) for v in np.mean(fprs, 0)],
    }


def embeddings(rng, same):
    """Genuine pairs share a centre; the noise level makes the folds disagree a little."""
    plain = np.zeros((2 * PAIRS, DIM), dtype=np.float32)
    for p in range(PAIRS):
        a = rng.normal(size=DIM)
        b = a + rng.normal(scale=0.9, size=DIM) if same[p] else rng.normal(size=DIM)
        plain[2 * p] = a
        plain[2 * p + 1] = b
    flipped = (plain + rng.normal(scale=0.2, size=plain.shape)).astype(np.float32)
    return plain, flipped


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def main():
    rng = np.random.default_rng(20240611)
    bins = images(rng)
    same = np.array([(p * 5 + p // 3) % 2 == 0 for p in range(PAIRS)])
    bin_issame = [bool(s) for s in same[:BIN_PAIRS]]

    write("tiny_py3.bin", pickle.dumps((bins, bin_issame), protocol=4))
    write("tiny_py2.bin", py2_protocol2(bins, bin_issame))
    write("tiny_py3_proto2.bin", pickle.dumps((bins, bin_issame), protocol=2))
    write("tiny_py2_proto0.bin", py2_protocol0(bins, bin_issame))
    blobs = [bytes(range(256)), bytes(range(255, -1, -1))]
    write("bytes256_py3_p4.bin", pickle.dumps((blobs, [True]), protocol=4))
    write("bytes256_py3_p2.bin", pickle.dumps((blobs, [True]), protocol=2))
    write("bytes256_py3_p0.bin", pickle.dumps((blobs, [True]), protocol=0))
    write("bytes256_py2_p2.bin", py2_protocol2(blobs, [True]))
    write("bytes256_py2_p0.bin", py2_protocol0(blobs, [True]))
    write("hostile_posix_system_proto2.bin", pickle.dumps(RunsACommand(), protocol=2))
    write("hostile_posix_system_proto4.bin", pickle.dumps(RunsACommand(), protocol=4))
    # Every dialect must give Python's own loader the same content back; for the Python 2
    # files, as InsightFace's load_bin reads them (encoding='bytes').
    expected = {"tiny": (bins, bin_issame), "bytes256": (blobs, [True])}
    for name in sorted(os.listdir(HERE)):
        if name.startswith(("tiny_", "bytes256_")):
            with open(os.path.join(HERE, name), "rb") as f:
                got = pickle.load(f, encoding="bytes")
            assert got == expected[name.split("_")[0]], name

    for attempt in range(100):
        plain, flipped = embeddings(np.random.default_rng(7 + attempt), same)
        fused = normalize(plain.astype(np.float64) + flipped.astype(np.float64))
        try:
            reference = protocol(fused, same)
        except AssertionError:
            continue  # a distance too close to a threshold: draw again
        if len(set(reference["best_threshold_indices"])) >= 3:
            break
    else:
        raise SystemExit("no embedding draw gave a usable fixture")
    for name, array in (("embeddings_plain.npy", plain), ("embeddings_flipped.npy", flipped)):
        buffer = io.BytesIO()
        np.save(buffer, array)
        write(name, buffer.getvalue())
    reference.update({
        "pairs": PAIRS,
        "folds": FOLDS,
        "issame": [bool(s) for s in same],
        "bin_issame": bin_issame,
        "bin_image_sha256": [hashlib.sha256(b).hexdigest() for b in bins],
    })
    write("reference.json", (json.dumps(reference, indent=1) + "\n").encode("ascii"))


if __name__ == "__main__":
    main()
