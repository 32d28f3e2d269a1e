#!/usr/bin/python3
"""Checks ONNX files with the ONNX project's own checker, shape inference included.

Usage: /usr/bin/python3 .ci/onnx-check.py model.onnx [more.onnx ...]
Needs the onnx package (Debian: apt-get install python3-onnx). Exits 1 if any file fails.
"""
import sys

import onnx


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            onnx.checker.check_model(path, full_check=True)
            model = onnx.load(path)
            opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
            nodes = " → ".join(n.op_type for n in model.graph.node)
            print(f"ok   {path}: IR {model.ir_version}, opset {opsets}, {model.producer_name}, {nodes}")
        except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError, OSError) as e:
            failed += 1
            print(f"FAIL {path}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
