#!/usr/bin/env python3
"""Writes the packed data sets the Java RecordIO reader tests read.

Independent of the Java code: it follows the format byte by byte from its sources,

* dmlc-core src/recordio.cc, RecordIOWriter::WriteRecord (MXNet's MXRecordIO calls it):
  a part is uint32 magic 0xced7230a, uint32 lrecord = cflag << 29 | length, the data,
  zero padding to 4 bytes; the writer looks for the magic at payload offsets 0, 4, 8, ...
  and splits the payload there, dropping the magic (cflag 1 first part, 2 middle, 3 last;
  0 for an unsplit record); all little-endian;
* MXNet python/mxnet/recordio.py: pack() = struct.pack('IfQQ', flag, label, id, id2)
  + (label array as float32 when the label is not a number, flag = its size) + image;
  MXIndexedRecordIO writes one "key\\toffset\\n" line per record;
* InsightFace face2rec2.py: images at keys 1..n with labels [class, aligned], then the
  header record key 0 with labels [n + 1, n + 1 + classes], then one record per identity
  with its key range [first, end); property = "num_classes,height,width".

Run from this directory with python3 (numpy only); it rewrites fixture/ and prints a
summary. The output is deterministic, so re-running it must leave git clean.

fixture/ms1m:  the InsightFace MS1M layout, 5 images of 3 identities (8x6 PNGs), where
               image key 2 contains the magic three times at 4-byte aligned payload
               offsets (twice in a row), so its record has four parts, one of them empty.
fixture/plain: im2rec's layout, every key an image, key 0 included (flag 0 labels).

Each directory has expected.tsv: item, key, offset, label, image bytes in hex, one line
per image in the order a reader serves them (increasing key).
"""

import os
import struct
import zlib

import numpy as np

MAGIC = 0xCED7230A
MAGIC_BYTES = struct.pack("<I", MAGIC)
HEIGHT, WIDTH = 6, 8


def write_record(out: bytearray, payload: bytes) -> None:
    """Appends one record the way dmlc::RecordIOWriter::WriteRecord frames it."""
    assert len(payload) < 1 << 29
    n = len(payload)
    parts_end = 0  # where the data of the next part starts
    for i in range(0, n - n % 4, 4):
        if payload[i:i + 4] == MAGIC_BYTES:
            cflag = 1 if parts_end == 0 else 2
            out += MAGIC_BYTES + struct.pack("<I", cflag << 29 | (i - parts_end))
            out += payload[parts_end:i]
            parts_end = i + 4
    cflag = 3 if parts_end != 0 else 0
    out += MAGIC_BYTES + struct.pack("<I", cflag << 29 | (n - parts_end))
    out += payload[parts_end:]
    out += bytes(-n % 4)


def ir_pack(label, record_id: int, image: bytes) -> bytes:
    """mx.recordio.pack(IRHeader(0, label, record_id, 0), image)."""
    if isinstance(label, (int, float)):
        return struct.pack("<IfQQ", 0, float(label), record_id, 0) + image
    labels = np.asarray(label, dtype="<f4")
    return struct.pack("<IfQQ", labels.size, 0.0, record_id, 0) + labels.tobytes() + image


def png_chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png(pixels: np.ndarray, text: bytes = b"") -> bytes:
    """An 8-bit RGB PNG, with an optional tEXt chunk after IHDR."""
    height, width, _ = pixels.shape
    raw = b"".join(b"\x00" + pixels[y].astype(np.uint8).tobytes() for y in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    extra = png_chunk(b"tEXt", text) if text else b""
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + extra
            + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b""))


def image(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, size=(HEIGHT, WIDTH, 3))


def png_with_magic(pixels: np.ndarray, payload_start: int) -> bytes:
    """A PNG whose tEXt chunk holds the magic at 4-byte aligned offsets of the payload.

    payload_start is where the PNG begins in the record payload (after the IRHeader and
    its labels). Decoders skip tEXt chunks, so the image stays valid.
    """
    keyword = b"Comment\x00"
    text_start = payload_start + 8 + 33 + len(keyword)  # PNG signature + IHDR, tEXt header
    filler = b"-" * (-text_start % 4)
    text = keyword + filler + MAGIC_BYTES + MAGIC_BYTES + b"ring" + MAGIC_BYTES + b"tail"
    encoded = png(pixels, text)
    payload = bytes(payload_start) + encoded
    hits = [i for i in range(0, len(payload) - 3, 4) if payload[i:i + 4] == MAGIC_BYTES]
    assert len(hits) == 3 and hits[1] == hits[0] + 4, hits
    return encoded


def write_set(directory: str, records, num_classes: int, images) -> None:
    """records: (key, payload) in file order; images: (key, label, image bytes) by key."""
    os.makedirs(directory, exist_ok=True)
    rec = bytearray()
    offsets = {}
    index_lines = []
    for key, payload in records:
        offsets[key] = len(rec)
        index_lines.append("%d\t%d\n" % (key, len(rec)))
        write_record(rec, payload)
    with open(os.path.join(directory, "train.rec"), "wb") as f:
        f.write(rec)
    with open(os.path.join(directory, "train.idx"), "w", newline="\n") as f:
        f.writelines(index_lines)
    with open(os.path.join(directory, "property"), "w", newline="\n") as f:
        f.write("%d,%d,%d\n" % (num_classes, HEIGHT, WIDTH))
    with open(os.path.join(directory, "expected.tsv"), "w", newline="\n") as f:
        for item, (key, label, encoded) in enumerate(images):
            f.write("%d\t%d\t%d\t%d\t%s\n" % (item, key, offsets[key], label, encoded.hex()))
    print("%s: %d records, %d images, %d bytes" % (directory, len(records), len(images), len(rec)))


def ms1m(rng: np.random.Generator) -> None:
    classes = [0, 0, 1, 2, 2]  # the class of image keys 1..5
    images = []
    records = []
    for key, label in enumerate(classes, start=1):
        if key == 2:
            # Scalar label: the payload is the 24-byte header, then the PNG.
            encoded = png_with_magic(image(rng), 24)
            payload = ir_pack(label, key, encoded)
        else:
            encoded = png(image(rng))
            payload = ir_pack([label, 1.0], key, encoded)  # face2rec2: [class, aligned]
        images.append((key, label, encoded))
        records.append((key, payload))
    image_end = len(classes) + 1
    ranges = [(1, 3), (3, 4), (4, 6)]
    records.append((0, ir_pack([image_end, image_end + len(ranges)], 0, b"")))
    for c, (first, end) in enumerate(ranges):
        records.append((image_end + c, ir_pack([first, end], image_end + c, b"")))
    write_set("fixture/ms1m", records, len(ranges), images)


def plain(rng: np.random.Generator) -> None:
    labels = [1, 0, 1]
    images = []
    records = []
    for key, label in enumerate(labels):
        encoded = png(image(rng))
        images.append((key, label, encoded))
        records.append((key, ir_pack(label, 1000 + key, encoded)))
    write_set("fixture/plain", records, 2, images)


def main() -> None:
    os.chdir(os.path.dirname(os.path.abspath(__file__)))
    rng = np.random.default_rng(20180618)
    ms1m(rng)
    plain(rng)


if __name__ == "__main__":
    main()
