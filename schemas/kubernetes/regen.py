#!/usr/bin/env python3
"""Regenerate schemas/kubernetes/bundle.bin: Kubernetes' strict JSON schemas
for every bundled minor version, deduplicated across versions and compressed.

Source: the PyPI package kubernetes-validate (Apache-2.0), pinned below. It
ships, per Kubernetes minor version, a `v1.NN.0-local-strict/` folder: one
file per kind (`deployment-apps-v1.json`) whose `$ref`s point into the
folder's `_definitions.json`. This script keeps, for each version:

- every definition of `_definitions.json` (`$defs`), and
- every kind file that declares `x-kubernetes-group-version-kind` (the
  resources a manifest can be), indexed by apiVersion and kind,

with `description` keywords removed (they are documentation, never
checked) and nothing else changed. Identical texts are stored once (most
definitions are the same in every version). Same wheel, same bytes.

Layout of the payload (before zlib compression, level 9):

    b"STRATA-K8S-SCHEMAS 1\\n"
    u32 big-endian: length of the index
    index: JSON, see `index` below
    blobs: each distinct schema as compact JSON, back to back

Usage:
    regen.py                 download the pinned wheel (cached under
                             target/kubernetes-validate/) and rewrite bundle.bin
    regen.py --wheel W.whl   use a wheel already downloaded
    regen.py --check         compare bundle.bin with a fresh build: exit 0 when
                             the payloads are equal, 1 when not, 3 when the
                             wheel cannot be had (offline)
"""

import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import zipfile
import zlib

PACKAGE = "kubernetes-validate"
VERSION = "1.37.0"
# sha256 of kubernetes_validate-1.37.0-py3-none-any.whl as PyPI serves it.
WHEEL_SHA256 = "85136d018a27b50ec7fc049d902bfa5193f5976807e6c0f408e3ab6fe078cad9"
MAGIC = b"STRATA-K8S-SCHEMAS 1\n"

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BUNDLE = os.path.join(HERE, "bundle.bin")
CACHE = os.path.join(ROOT, "target", "kubernetes-validate")
DIR_RE = re.compile(r"^kubernetes_validate/kubernetes-json-schema/v(\d+)\.(\d+)\.0-local-strict/(.+\.json)$")
# Keywords whose value is a map of name -> schema, or a schema, or a list of schemas.
SCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
SCHEMA_ONE = {"items", "additionalProperties", "not", "additionalItems", "contains", "propertyNames",
              "if", "then", "else", "unevaluatedProperties", "unevaluatedItems"}
SCHEMA_LIST = {"oneOf", "anyOf", "allOf", "prefixItems"}


def strip(schema):
    """The schema without `description` keywords (property names are kept)."""
    if isinstance(schema, list):
        return [strip(s) for s in schema]
    if not isinstance(schema, dict):
        return schema
    out = {}
    for k, v in schema.items():
        if k == "description" and isinstance(v, str):
            continue
        if k in SCHEMA_MAPS and isinstance(v, dict):
            out[k] = {name: strip(s) for name, s in v.items()}
        elif k in SCHEMA_ONE or k in SCHEMA_LIST:
            out[k] = strip(v)
        else:
            out[k] = v
    return out


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def wheel_path():
    name = "kubernetes_validate-%s-py3-none-any.whl" % VERSION
    path = os.path.join(CACHE, name)
    if not os.path.exists(path):
        os.makedirs(CACHE, exist_ok=True)
        r = subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                            "%s==%s" % (PACKAGE, VERSION), "-d", CACHE],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if r.returncode != 0 or not os.path.exists(path):
            return None
    return path


def build(wheel):
    with open(wheel, "rb") as f:
        data = f.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit("%s: sha256 %s, expected %s" % (wheel, digest, WHEEL_SHA256))
    z = zipfile.ZipFile(io.BytesIO(data))
    per_version = {}
    for name in sorted(z.namelist()):
        m = DIR_RE.match(name)
        if m:
            v = "%s.%s" % (m.group(1), m.group(2))
            per_version.setdefault(v, {})[m.group(3)] = name
    versions = sorted(per_version, key=lambda v: tuple(int(x) for x in v.split(".")))
    blobs, blob_ids, names, name_ids = [], {}, [], {}

    def blob(obj):
        text = compact(strip(obj))
        if text not in blob_ids:
            blob_ids[text] = len(blobs)
            blobs.append(text)
        return blob_ids[text]

    def name_id(n):
        if n not in name_ids:
            name_ids[n] = len(names)
            names.append(n)
        return name_ids[n]

    defs, kinds = {}, {}
    for v in versions:
        files = per_version[v]
        d = json.loads(z.read(files["_definitions.json"]))["$defs"]
        defs[v] = [[name_id(n), blob(s)] for n, s in sorted(d.items())]
        ks = []
        for fname in sorted(files):
            if fname in ("_definitions.json", "all.json"):
                continue
            s = json.loads(z.read(files[fname]))
            for gvk in s.get("x-kubernetes-group-version-kind") or []:
                group, version, kind = gvk.get("group", ""), gvk["version"], gvk["kind"]
                api = "%s/%s" % (group, version) if group else version
                ks.append([api, kind, blob(s)])
        ks.sort()
        kinds[v] = ks
    offsets, off = [], 0
    for b in blobs:
        offsets.append([off, len(b)])
        off += len(b)
    index = {
        "source": "%s %s (PyPI, Apache-2.0), v1.NN.0-local-strict" % (PACKAGE, VERSION),
        "versions": versions,
        "names": names,
        "blobs": offsets,
        "defs": defs,
        "kinds": kinds,
    }
    idx = compact(index)
    payload = MAGIC + struct.pack(">I", len(idx)) + idx + b"".join(blobs)
    return payload


def main(argv):
    check = "--check" in argv
    wheel = None
    if "--wheel" in argv:
        wheel = argv[argv.index("--wheel") + 1]
    else:
        wheel = wheel_path()
    if wheel is None:
        print("could not download %s==%s with pip (offline?)" % (PACKAGE, VERSION), file=sys.stderr)
        return 3
    payload = build(wheel)
    if check:
        try:
            with open(BUNDLE, "rb") as f:
                committed = zlib.decompress(f.read())
        except (OSError, zlib.error) as e:
            print("cannot read %s: %s" % (BUNDLE, e), file=sys.stderr)
            return 1
        if committed != payload:
            print("%s differs from what regen.py builds from %s %s" % (BUNDLE, PACKAGE, VERSION),
                  file=sys.stderr)
            return 1
        print("bundle.bin matches %s %s" % (PACKAGE, VERSION))
        return 0
    with open(BUNDLE + ".tmp", "wb") as f:
        f.write(zlib.compress(payload, 9))
    os.replace(BUNDLE + ".tmp", BUNDLE)
    print("wrote %s: %d bytes (%d uncompressed)" % (BUNDLE, os.path.getsize(BUNDLE), len(payload)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
