# SPDX-License-Identifier: GPL-2.0-or-later
"""Sums meson test logs into the one line CI reads: 'tests: N passed, N failed'."""
import json
import sys


def count(paths):
    passed = failed = 0
    for path in paths:
        with open(path, encoding="utf-8") as log:
            for line in log:
                line = line.strip()
                if not line:
                    continue
                result = json.loads(line).get("result")
                if result in ("OK", "EXPECTEDFAIL"):
                    passed += 1
                elif result != "SKIP":
                    failed += 1
    return passed, failed


if __name__ == "__main__":
    p, f = count(sys.argv[1:])
    print(f"tests: {p} passed, {f} failed")
