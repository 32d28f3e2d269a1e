#!/usr/bin/env bash
# Assembles every kernel's PTX for a real GPU on a machine without one and prints what the hardware would run.
#   .ci/ptx-check.sh DIR       DIR holds one Type.Method.ptx per kernel, as written by
#                              `dotnet run -c Release --project benchmarks/GradientDescent.Benchmarks -- ptx --out DIR`
# Needs ptxas and cuobjdump (CUDA 11.8): from $CUDA_TOOLS/bin if set, else fetched by .ci/fetch-ptxas.sh; and python3.
#
# Per kernel: registers per thread, spill bytes (stores + loads), static shared memory, from `ptxas -arch=sm_90 -v`
# (ILGPU 1.5.3 writes `.version 8.8`; ptxas 11.8 reads up to 7.8, so the version line is lowered first: the
# instructions ILGPU emits for sm_80 all exist in 7.8). Exits non-zero if any kernel spills.
#
# For the matrix products (kernels whose name matches $PTX_CHECK_SASS, default MatMul|Gemm) it also reads the SASS
# (`cuobjdump -sass`) and finds the main k-loop:
#   - a loop is a backward branch: a BRA at address B to a target T <= B; its body is [T, B];
#   - a loop nested in another counts, per iteration of the outer one, as many times as its trip count when that is
#     a compile-time constant: the last write of the branch's predicate is an ISETP of a counter against an
#     immediate N, the body steps the counter by S (IADD3 Rc, Rc, S) and the last write of the counter before the
#     loop is a constant c (MOV / IMAD.MOV.U32), so the body runs ceil((N - c) / S) times (ptxas's form of
#     `for (q = c; q < N; q += S)`, also after it peels a first iteration); any other nested loop has a run-time
#     trip count;
#   - the main k-loop is, among loops that contain no loop of run-time trip count, the one with the most FFMA per
#     iteration (ties: the shortest). So a k-loop whose depth step is an inner constant loop (the 16x16 tiled
#     kernel) is measured per depth step, and the grid-stride loop around the k-loop is never chosen.
# It prints that loop's FFMA count, its instructions per iteration, the FFMA share, and whether LDS.128 and
# LDG.E.128 (128-bit shared and global loads) occur in it. These are static figures for sm_90 from ptxas 11.8: the
# driver's JIT (newer) may allocate registers and schedule differently.
set -euo pipefail
dir=${1:?usage: ptx-check.sh DIR (of .ptx files)}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
tools=${CUDA_TOOLS:+$CUDA_TOOLS/bin}
[ -n "$tools" ] || tools=$(bash "$here/fetch-ptxas.sh" | tail -n 1)
export PATH="$tools:$PATH"
sass_pattern=${PTX_CHECK_SASS:-MatMul|Gemm}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
shopt -s nullglob
files=("$dir"/*.ptx)
[ ${#files[@]} -gt 0 ] || { echo "ptx-check: no .ptx files in $dir" >&2; exit 1; }

echo "ptxas $(ptxas --version | tail -n 1 | sed 's/^Build //'), -arch=sm_90"
printf '| %-44s | %9s | %12s | %10s | %-30s | %-7s | %-9s |\n' kernel registers "spill st+ld" "shared B" "main k-loop FFMA / instr" LDS.128 LDG.E.128
echo '|----------------------------------------------|----------:|-------------:|-----------:|--------------------------------|---------|-----------|'
spilled=0
for ptx in "${files[@]}"; do
  name=$(basename "$ptx" .ptx)
  sed 's/^\.version .*/.version 7.8/' "$ptx" > "$work/k.ptx"
  if ! ptxas -arch=sm_90 -v "$work/k.ptx" -o "$work/k.cubin" > "$work/ptxas.txt" 2>&1; then
    echo "ptx-check: ptxas rejected $name:" >&2; cat "$work/ptxas.txt" >&2; exit 1
  fi
  regs=$(sed -n 's/.*Used \([0-9]*\) registers.*/\1/p' "$work/ptxas.txt" | head -n 1)
  st=$(sed -n 's/.* \([0-9]*\) bytes spill stores.*/\1/p' "$work/ptxas.txt" | head -n 1)
  ld=$(sed -n 's/.* \([0-9]*\) bytes spill loads.*/\1/p' "$work/ptxas.txt" | head -n 1)
  smem=$(sed -n 's/.* \([0-9]*\) bytes smem.*/\1/p' "$work/ptxas.txt" | head -n 1)
  [ $((${st:-0} + ${ld:-0})) -eq 0 ] || spilled=1
  loop="" lds="" ldg=""
  if [[ $name =~ $sass_pattern ]]; then
    cuobjdump -sass "$work/k.cubin" > "$work/k.sass"
    read -r loop lds ldg < <(python3 - "$work/k.sass" <<'PY'
import re, sys
lines = []
for raw in open(sys.argv[1]):
    m = re.match(r'\s*/\*([0-9a-f]{4,})\*/\s+(.*?)\s*;', raw)
    if m:
        lines.append((int(m.group(1), 16), m.group(2)))
index = {a: i for i, (a, _) in enumerate(lines)}
loops = []
for i, (addr, text) in enumerate(lines):
    m = re.match(r'(@!?(P\d+)\s+)?BRA\s+0x([0-9a-f]+)$', text)
    if m and int(m.group(3), 16) <= addr and int(m.group(3), 16) in index:
        loops.append((index[int(m.group(3), 16)], i, m.group(2)))

def start_value(index, reg):
    # The counter's value on entry: the last write of reg before the loop, when it is a constant move.
    for _, text in reversed(lines[:index]):
        m = re.match(r'(@!?P\d+\s+)?([\w.]+)\s+' + reg + r'\b,?\s*(.*)$', text)
        if not m:
            continue
        if m.group(1):
            return None
        op, args = m.group(2), [a.strip() for a in m.group(3).split(',')]
        value = args[-1] if op == 'MOV' or (op == 'IMAD.MOV.U32' and args[:2] == ['RZ', 'RZ']) else None
        if value == 'RZ':
            return 0
        return int(value, 0) if value and re.match(r'(0x[0-9a-f]+|\d+)$', value) else None
    return None

def trip(loop):
    # A constant trip count: the last write of the branch's predicate before the branch is an ISETP of a counter
    # against an immediate N, the body steps the counter by S (IADD3 Rc, Rc, S) and it enters the loop holding a
    # constant c: ceil((N - c) / S) iterations.
    start, end, pred = loop
    if pred is None:
        return None
    for _, text in reversed(lines[start:end]):
        if not re.match(r'(@!?P\d+\s+)?\S+\s+' + pred + r'\b', text):
            continue
        m = re.match(r'ISETP\.\w+(\.U32)?\.AND\s+' + pred + r',\s*PT,\s*(R\d+),\s*(0x[0-9a-f]+|\d+),\s*PT$', text)
        if not m:
            return None
        counter, bound = m.group(2), int(m.group(3), 0)
        first = start_value(start, counter)
        for _, t in lines[start:end]:
            step = re.match(r'IADD3\s+' + counter + r',\s*' + counter + r',\s*(0x[0-9a-f]+|\d+),\s*RZ$', t)
            if step and first is not None and int(step.group(1), 0) > 0:
                return max(1, -(-(bound - first) // int(step.group(1), 0)))
        return None
    return None

def per_iteration(loop):
    # (FFMA, instructions) per iteration, or None when a nested loop has a run-time trip count.
    start, end, _ = loop
    inner = [l for l in loops if l != loop and start <= l[0] and l[1] <= end]
    outermost = [l for l in inner if not any(o != l and o[0] <= l[0] and l[1] <= o[1] for o in inner)]
    ffma = sum(1 for _, t in lines[start:end + 1] if re.match(r'(@!?P\d+\s+)?FFMA\b', t))
    count = end - start + 1
    for l in outermost:
        n = trip(l)
        sub = per_iteration(l)
        if n is None or sub is None:
            return None
        sf = sum(1 for _, t in lines[l[0]:l[1] + 1] if re.match(r'(@!?P\d+\s+)?FFMA\b', t))
        # The body's own copy of the nested loop is in the static count once; it runs n times.
        ffma += n * sub[0] - sf
        count += n * sub[1] - (l[1] - l[0] + 1)
    return ffma, count

best = None
for loop in loops:
    r = per_iteration(loop)
    if r is None or r[0] == 0:
        continue
    key = (r[0], -(loop[1] - loop[0]))
    if best is None or key > best[0]:
        best = (key, loop, r)
if best is None:
    print('none - -')
else:
    _, (start, end, _), (ffma, count) = best
    body = [t for _, t in lines[start:end + 1]]
    lds = 'yes' if any(re.search(r'\bLDS(\.U)?\.128\b', t) for t in body) else 'no'
    ldg = 'yes' if any(re.search(r'\bLDG\.E(\.\w+)*\.128\b', t) for t in body) else 'no'
    print(f'{ffma}/{count}={100.0 * ffma / count:.1f}%@0x{lines[start][0]:x}-0x{lines[end][0]:x} {lds} {ldg}')
PY
)
  fi
  printf '| %-44s | %9s | %12s | %10s | %-30s | %-7s | %-9s |\n' "$name" "${regs:-?}" "${st:-0}+${ld:-0}" "${smem:-0}" \
    "${loop:--}" "${lds:--}" "${ldg:--}"
done
if [ "$spilled" -ne 0 ]; then
  echo "ptx-check: a kernel spills registers to local memory (spill bytes above are not 0+0)" >&2
  exit 1
fi
