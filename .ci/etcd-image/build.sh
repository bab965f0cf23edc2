#!/usr/bin/env bash
# build.sh [TAG] — build a tiny local etcd image FROM scratch out of the host's etcd binary.
#
# The image holds the etcd binary (and etcdctl if present), exactly the shared libraries and
# dynamic loader that `ldd` reports for them (copied to the same absolute paths), and an
# empty /tmp (1777) for data dirs. No registry is needed: everything comes from this host.
#
# Tag: first argument, else $ETCD_LOCAL_IMAGE, else arith-cluster/etcd:3.4-local.
# Binaries: $ETCD_BIN (default /usr/bin/etcd), $ETCDCTL_BIN (default /usr/bin/etcdctl, optional).
# Idempotent: the image carries a label with a sha256 over every copied file and the
# Dockerfile; when an image with this tag already has the same label, nothing is rebuilt.
# Prints the tag as the last line of stdout.
set -euo pipefail

TAG="${1:-${ETCD_LOCAL_IMAGE:-arith-cluster/etcd:3.4-local}}"
ETCD_BIN="${ETCD_BIN:-/usr/bin/etcd}"
ETCDCTL_BIN="${ETCDCTL_BIN:-/usr/bin/etcdctl}"
LABEL_BIN="arith-cluster.etcd.sha256"
LABEL_CONTENT="arith-cluster.etcd.content-sha256"

die() { echo "build.sh: $*" >&2; exit 1; }
log() { echo "build.sh: $*" >&2; }

command -v docker >/dev/null 2>&1 || die "docker CLI not found (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "Docker engine does not answer ('docker info' failed)"
[[ -x "$ETCD_BIN" ]] || die "etcd binary not found at $ETCD_BIN (apt-get install etcd-server, or set ETCD_BIN)"

bins=("$ETCD_BIN")
if [[ -x "$ETCDCTL_BIN" ]]; then bins+=("$ETCDCTL_BIN"); fi

# Shared objects a binary links: "libc.so.6 => /lib/... (0x...)" and "/lib64/ld-... (0x...)".
# A static binary makes ldd exit non-zero with "not a dynamic executable": no libraries then.
libs_of() {
  local out
  out="$(ldd "$1" 2>&1)" || { log "$1 is not dynamically linked; copying no libraries"; return 0; }
  awk '
    $2 == "=>" && $3 ~ /^\// { print $3; next }
    $1 ~ /^\// { print $1 }
  ' <<<"$out"
}

mapfile -t files < <(
  for b in "${bins[@]}"; do
    echo "$b"
    libs_of "$b"
  done | sort -u
)

dockerfile=$(cat <<DOCKERFILE
FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/usr/bin:/bin
WORKDIR /tmp
EXPOSE 2379 2380
CMD ["${ETCD_BIN}"]
DOCKERFILE
)

bin_sha="$(sha256sum "$ETCD_BIN" | cut -d' ' -f1)"
content_sha="$(
  {
    for f in "${files[@]}"; do printf '%s %s\n' "$(sha256sum -- "$(readlink -f "$f")" | cut -d' ' -f1)" "$f"; done
    printf '%s\n' "$dockerfile"
  } | sha256sum | cut -d' ' -f1
)"

existing="$(docker image inspect -f "{{ index .Config.Labels \"${LABEL_CONTENT}\" }}" "$TAG" 2>/dev/null || true)"
if [[ "$existing" == "$content_sha" ]]; then
  log "image $TAG is up to date (etcd sha256 ${bin_sha:0:12}); not rebuilding"
  echo "$TAG"
  exit 0
fi

ctx="$(mktemp -d "${TMPDIR:-/tmp}/etcd-image.XXXXXX")"
trap 'rm -rf "$ctx"' EXIT

mkdir -p "$ctx/rootfs/tmp"
chmod 1777 "$ctx/rootfs/tmp"
for f in "${files[@]}"; do
  mkdir -p "$ctx/rootfs$(dirname "$f")"
  cp -L --preserve=mode -- "$f" "$ctx/rootfs$f" # -L: the file itself, never a host symlink
  log "  + $f"
done
printf '%s\n' "$dockerfile" >"$ctx/Dockerfile"

# Without the buildx plugin a modern docker CLI falls back to the legacy builder anyway;
# saying so explicitly avoids "BuildKit is enabled but the buildx component is missing".
if ! docker buildx version >/dev/null 2>&1; then export DOCKER_BUILDKIT=0; fi

log "building $TAG from $ETCD_BIN ($("$ETCD_BIN" --version 2>/dev/null | head -n1 || echo 'unknown version'))"
docker build --quiet \
  --label "${LABEL_BIN}=${bin_sha}" \
  --label "${LABEL_CONTENT}=${content_sha}" \
  --label "org.opencontainers.image.title=etcd (local, from ${ETCD_BIN})" \
  -t "$TAG" "$ctx" >&2

# Smoke test: the binary must start in the image (catches a missing library or loader).
docker run --rm --network none "$TAG" etcd --version >/dev/null ||
  die "image $TAG was built but 'etcd --version' fails inside it"

echo "$TAG"
