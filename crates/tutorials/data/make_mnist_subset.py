#!/usr/bin/env python3
"""Writes data/mnist/mnist-4k-{images-idx3,labels-idx1}-ubyte.gz: the first 4000 digits of
the MNIST 10k test files, re-encoded as gzip IDX. Usage: make_mnist_subset.py SRC_DIR OUT_DIR"""
import gzip, struct, sys, os

N = 4000
src, out = sys.argv[1], sys.argv[2]
imgs = gzip.open(os.path.join(src, "mnist-10k-images-idx3-ubyte.gz")).read()
lbls = gzip.open(os.path.join(src, "mnist-10k-labels-idx1-ubyte.gz")).read()
magic, n, rows, cols = struct.unpack(">IIII", imgs[:16])
assert magic == 0x803 and n >= N
lmagic, ln = struct.unpack(">II", lbls[:8])
assert lmagic == 0x801 and ln == n
os.makedirs(out, exist_ok=True)
with gzip.GzipFile(os.path.join(out, "mnist-4k-images-idx3-ubyte.gz"), "wb", 9, mtime=0) as f:
    f.write(struct.pack(">IIII", 0x803, N, rows, cols) + imgs[16:16 + N * rows * cols])
with gzip.GzipFile(os.path.join(out, "mnist-4k-labels-idx1-ubyte.gz"), "wb", 9, mtime=0) as f:
    f.write(struct.pack(">II", 0x801, N) + lbls[8:8 + N])
