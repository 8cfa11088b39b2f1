"""Python side of the library interop tests (safetensors + numpy only).

  python3 library_file.py read FILE   -> JSON: metadata, shape, max |delta| vs the reference image_embeds_raw
                                         (rows matched by id = sha256 of the image bytes)
  python3 library_file.py write FILE  -> a library file of the reference embeddings, as a Python user would write it
"""
import hashlib
import json
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import save_file

REF = os.path.join(os.path.dirname(__file__), "..", "..", "fixtures", "reference")


def reference():
    with open(os.path.join(REF, "embeddings.json")) as f:
        emb = json.load(f)
    ids = []
    for path in emb["images"]:
        with open(os.path.join(REF, path), "rb") as img:
            ids.append(hashlib.sha256(img.read()).hexdigest())
    return emb, ids


def read(path):
    emb, ref_ids = reference()
    with safe_open(path, framework="numpy") as f:
        meta = f.metadata()
        matrix = f.get_tensor("embeddings")
    ids = json.loads(meta["ids"])
    names = json.loads(meta["names"])
    ref = np.asarray(emb["image_embeds_raw"], dtype=np.float32)
    rows = [ids.index(i) for i in ref_ids]
    delta = float(np.max(np.abs(matrix[rows] - ref)))
    print(json.dumps({"format": meta["format"], "model": meta["model"], "dtype": str(matrix.dtype), "shape": list(matrix.shape),
                      "ids": ids, "names": names, "max_abs_delta": delta}))


def write(path):
    emb, ids = reference()
    names = [os.path.basename(p) for p in emb["images"]]
    matrix = np.asarray(emb["image_embeds_raw"], dtype=np.float32)
    save_file({"embeddings": matrix}, path, metadata={
        "format": "siglip-web-library/1", "model": "siglip-shapes", "ids": json.dumps(ids), "names": json.dumps(names)})


if __name__ == "__main__":
    {"read": read, "write": write}[sys.argv[1]](sys.argv[2])
