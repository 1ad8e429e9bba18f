# Shared by tools/run and tools/test: install what is missing, then build.
# Sourced, not run.

# Packages the build needs (Debian 12 names).
RINGTFTP_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config liburing-dev libre2-dev
  libabsl-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev prometheus-cpp-dev nlohmann-json3-dev libsystemd-dev
  libcurl4-openssl-dev libmnl-dev)
# The real clients the integration tests drive, and the Ceph S3 gateway
# (mon, memstore OSD, radosgw) the S3-origin tests run against.
RINGTFTP_TEST_PACKAGES=(tftp-hpa atftp curl busybox systemd iproute2 libwrap0
  nftables ceph-mon ceph-osd radosgw ceph-common)

ringtftp_root() { cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd; }

# Installs the named Debian packages that are not installed yet.
ensure_packages() {
  local missing=()
  local package
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null |
      grep -q 'install ok installed' || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing: ${missing[*]}" >&2
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null; then
      echo "error: these packages are missing and you are not root:" \
        "${missing[*]}" >&2
      return 1
    fi
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q >&2 &&
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q \
      --no-install-recommends "${missing[@]}" >&2
}

# extract_peer NAME PACKAGE: unpacks PACKAGE's .deb into build/peers/NAME
# once, without installing it (a peer server's package would start its daemon
# on port 69), and records its Version in build/peers/NAME/VERSION.
extract_peer() {
  local name=$1 package=$2
  local dest
  dest="$(ringtftp_root)/build/peers/$name"
  [ -d "$dest/usr/sbin" ] && return 0
  local tmp
  tmp="$(mktemp -d)"
  chmod 755 "$tmp"  # apt-get download writes as _apt when it can
  if ! (cd "$tmp" && apt-get download -q "$package" >&2); then
    apt-get update -q >&2
    (cd "$tmp" && apt-get download -q "$package" >&2)
  fi
  mkdir -p "$dest.tmp"
  dpkg-deb -x "$tmp"/*.deb "$dest.tmp"
  dpkg-deb -f "$tmp"/*.deb Version >"$dest.tmp/VERSION"
  rm -rf "$tmp" "$dest"
  mv "$dest.tmp" "$dest"
  echo "extracted $package into $dest" >&2
}

# build DIR BUILD_TYPE [cmake args...]: configures once, then builds.
build() {
  local dir=$1 type=$2
  shift 2
  cmake -S "$(ringtftp_root)" -B "$dir" -G Ninja \
    -DCMAKE_BUILD_TYPE="$type" "$@" >&2 &&
    cmake --build "$dir" -j "$(nproc)" >&2
}
