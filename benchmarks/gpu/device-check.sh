#!/usr/bin/env bash
# The whole check for a lent GPU machine, in one command. Prepare here, then make one device call:
#   ../shared/device/pack.sh tests/GradientDescent.Tests benchmarks/GradientDescent.Benchmarks
#   device call, carry [".device"]:  bash .device/run.sh 'bash benchmarks/gpu/device-check.sh'
# run.sh unpacks .NET into /tmp/gd and sets $APPS; the device tool sets $OUT (files there come back).
# Rehearse on this machine with:
#   OUT=/tmp/gd-out DEVICE=cpu PYTHON=/usr/bin/python3 bash .device/run.sh 'bash benchmarks/gpu/device-check.sh'
set -u
device=${DEVICE:-cuda}
out=${OUT:-/tmp/gd-out}
apps=${APPS:?run this through .device/run.sh}
host=/tmp/gd/dotnet/dotnet
bench="$host $apps/GradientDescent.Benchmarks/GradientDescent.Benchmarks.dll"
mkdir -p "$out"
{ nvidia-smi || true; } > "$out/nvidia-smi.txt" 2>&1
echo "== tests on $device"
# The test host runs from its own folder: tell the documentation tests where the repository is.
GRADIENTDESCENT_REPO=$PWD GRADIENTDESCENT_DEVICE=$device timeout "${TEST_TIMEOUT:-240}" \
  "$host" "$apps/GradientDescent.Tests/GradientDescent.Tests.dll" 2>&1 | tee "$out/tests-$device.txt" | tail -n 40
echo "== benchmark report on $device"
timeout "${REPORT_TIMEOUT:-150}" $bench report --device "$device" 2>&1 | tee "$out/report-$device.md"
echo "== PyTorch comparison"
peer=cpu; [ "$device" = cuda ] && peer=cuda
timeout "${COMPARE_TIMEOUT:-150}" "${PYTHON:-python3}" benchmarks/compare/compare.py --device "$peer" --rounds 2 --repeats 5 \
  --bench "$bench" 2>"$out/compare-$device.log" | tee "$out/compare-$device.md"
echo "== done; files in $out"
ls -la "$out"
