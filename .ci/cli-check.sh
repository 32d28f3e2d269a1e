#!/usr/bin/env bash
# The command lines' error handling: a bad option value is one line and exit code 2, before any training;
# an --out that cannot be written fails before training; `report --help` prints help without timing anything;
# `phases` refuses bad values the same way and prints one table row per phase of a step.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
tmp=$(mktemp -d)
fail=0
expect() {   # expect CODE MAXLINES -- command...
  local want=$1 lines=$2; shift 3
  timeout 60 "$@" > "$tmp/out.txt" 2>&1
  local code=$?
  local n; n=$(wc -l < "$tmp/out.txt")
  if [ "$code" -ne "$want" ] || [ "$n" -gt "$lines" ]; then
    echo "FAILED: $* exited $code with $n lines (expected $want, at most $lines lines):"; head -n 5 "$tmp/out.txt"; fail=1
  else
    echo "ok: $* -> exit $code, $n lines"
  fi
}
mnist=(dotnet run -c Release --no-build --project samples/Mnist --)
expect 2 2 -- "${mnist[@]}" --lr abc
expect 2 2 -- "${mnist[@]}" --hidden 1.5
expect 2 2 -- "${mnist[@]}" --epochs 99999999999
touch "$tmp/a-file"
expect 2 4 -- "${mnist[@]}" --out "$tmp/a-file/model"   # a header line, then the error (wrapped)
timeout 60 dotnet run -c Release --no-build --project benchmarks/GradientDescent.Benchmarks -- report --help > "$tmp/help.txt" 2>&1
if grep -q '^report \[--device' "$tmp/help.txt" && ! grep -q '^| operation' "$tmp/help.txt"; then
  echo "ok: report --help prints the usage and times nothing"
else
  echo "FAILED: report --help:"; head -n 5 "$tmp/help.txt"; fail=1
fi
bench=(dotnet run -c Release --no-build --project benchmarks/GradientDescent.Benchmarks --)
expect 2 3 -- "${bench[@]}" phases --batch 0
expect 2 3 -- "${bench[@]}" phases --steps -1
timeout 120 "${bench[@]}" phases --batch 8 --steps 3 > "$tmp/phases.txt" 2>&1
if [ "$(grep -c '^| ' "$tmp/phases.txt")" -eq 11 ] && grep -q '^| dW1 = ' "$tmp/phases.txt"; then
  echo "ok: phases --batch 8 --steps 3 prints a table of 10 phases"
else
  echo "FAILED: phases --batch 8 --steps 3:"; head -n 20 "$tmp/phases.txt"; fail=1
fi
rm -rf "$tmp"
exit "$fail"
