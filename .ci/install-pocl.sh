#!/usr/bin/env bash
# Installs a real OpenCL 3.0 CPU runtime that ILGPU accepts (.ci/run calls it): PoCL 6.0 (Debian's own source package),
# built against Debian 12's LLVM 15, into $POCL_PREFIX (default /opt/pocl). Debian 12's packaged PoCL
# (3.1) lacks generic address space support, which ILGPU's OpenCL backend requires.
# Takes about 5 minutes on 2 cores; a second run with the same prefix returns at once.
# Afterwards, point the OpenCL ICD loader at it (only at it) in the process that uses OpenCL:
#   export OCL_ICD_VENDORS=$POCL_PREFIX/etc/OpenCL/vendors
# Uses only Debian's package archive (binary packages and one source package); changes no installed
# package's version.
set -euo pipefail
prefix=${POCL_PREFIX:-/opt/pocl}
if [ -f "$prefix/etc/OpenCL/vendors/pocl.icd" ] && [ -f "$prefix/.complete" ]; then
  echo "PoCL already installed in $prefix"; exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends \
  llvm-15-dev clang-15 libclang-15-dev libclang-cpp15-dev libclang-common-15-dev \
  libhwloc-dev ocl-icd-dev ocl-icd-opencl-dev ocl-icd-libopencl1 cmake ninja-build pkg-config g++ dpkg-dev >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial"
# The Debian mirror this machine already uses (its apt sources), for the newer release's source package.
uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$uri" ] || uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$uri" ] || { echo "install-pocl: no Debian mirror found in the apt sources" >&2; exit 1; }
echo "deb-src $uri trixie main" > "$work/src.list"
apt_src=(-o Dir::Etc::sourcelist="$work/src.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/lists")
apt-get "${apt_src[@]}" update -qq
(cd "$work" && apt-get "${apt_src[@]}" source --download-only pocl=6.0-6 >/dev/null 2>&1)
tar -C "$work" -xzf "$work"/pocl_6.0.orig.tar.gz
src=$(find "$work" -maxdepth 1 -type d -name 'pocl*' | head -n 1)
# From inside the work folder: PoCL's configure-time compiler checks write compile_test_* files into the
# current directory, which must not be the caller's (CI runs this from the repository root).
cd "$work"
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$prefix" \
  -DWITH_LLVM_CONFIG=/usr/bin/llvm-config-15 -DENABLE_ICD=ON -DINSTALL_OPENCL_HEADERS=OFF \
  -DENABLE_TESTS=OFF -DENABLE_EXAMPLES=OFF -DENABLE_POCLCC=OFF -DENABLE_SPIRV=OFF -DENABLE_HWLOC=ON \
  -DENABLE_LOADABLE_DRIVERS=OFF -DKERNELLIB_HOST_CPU_VARIANTS=native -DLLC_HOST_CPU=x86-64-v3 \
  -DPOCL_INSTALL_ICD_VENDORDIR="$prefix/etc/OpenCL/vendors" >"$work/cmake.log" 2>&1 \
  || { tail -n 30 "$work/cmake.log"; exit 1; }
ninja -C "$work/build" -j"$(nproc)" >"$work/build.log" 2>&1 || { tail -n 30 "$work/build.log"; exit 1; }
ninja -C "$work/build" install >/dev/null
touch "$prefix/.complete"
echo "PoCL 6.0 installed in $prefix; use: export OCL_ICD_VENDORS=$prefix/etc/OpenCL/vendors"
