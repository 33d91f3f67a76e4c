# SPDX-License-Identifier: GPL-2.0-or-later
"""Sums meson test logs into the one line CI reads: 'tests: N passed, N failed'.

Each argument is a JSON-lines log in the format of meson's testlog.json:
one object per test with its "result".  tests/packaging/check writes its
checks to packaging-testlog.json in the same format.  A log that is
missing counts as one failure (the run that should have written it did
not get that far)."""
import json
import os
import sys


def count(paths):
    passed = failed = 0
    for path in paths:
        if not os.path.exists(path):
            failed += 1
            continue
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
