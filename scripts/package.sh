#!/usr/bin/env bash
# Builds the Debian package latchkey_<version>-1_<arch>.deb and prints its path:
# installs what is missing, builds the server (build/, or BUILD_DIR) and the client (web/dist),
# then runs cpack (cmake/Package.cmake, packaging/) in the build directory.
#   scripts/package.sh                 -> build/latchkey_0.1.0-1_amd64.deb
#   BUILD_DIR=build-pkg scripts/package.sh
# Install it with `apt install ./build/latchkey_*.deb` (README.md, "Packaging").
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
scripts/install-deps.sh >&2

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/latchkey-ccache}"
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=true
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# The server alone: the package holds no test or benchmark binary. Two jobs: the Beast
# translation unit alone needs about 1.5 GB of memory.
cmake --build "$build_dir" -j "${BUILD_JOBS:-2}" --target latchkey >&2
npm run --silent build >&2
(cd "$build_dir" && cpack -G DEB >&2)
cpack_value() { sed -n "s/^set($1 \"\\(.*\\)\")\$/\\1/p" "$build_dir/CPackConfig.cmake"; }
deb="$build_dir/latchkey_$(cpack_value CPACK_PACKAGE_VERSION)-$(cpack_value CPACK_DEBIAN_PACKAGE_RELEASE)_$(dpkg --print-architecture).deb"
[[ -f $deb ]] || { echo "cpack made no $deb" >&2; exit 1; }
realpath "$deb"
