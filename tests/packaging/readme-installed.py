# SPDX-License-Identifier: GPL-2.0-or-later
"""Compares the installed files with the list in the README's packaging
section: the indented block of /usr paths after "What gets installed".

Usage: readme-installed.py README MULTIARCH INSTALLED-LIST
<multiarch> in the README stands for MULTIARCH, <lang> for any language.
Exit status 1 when a file is installed but not listed, or listed (without
<lang>) but not installed."""
import re
import sys


def readme_paths(path):
    lines = open(path, encoding="utf-8").read().splitlines()
    start = next(i for i, line in enumerate(lines)
                 if line.startswith("What gets installed"))
    paths = []
    for line in lines[start + 1:]:
        if line.startswith("    /"):
            paths.append(line.strip())
        elif paths and line.strip() == "":
            break
        elif paths:
            break
    return paths


def main(readme, multiarch, installed_list):
    listed = [p.replace("<multiarch>", multiarch) for p in readme_paths(readme)]
    installed = [line.strip() for line in open(installed_list, encoding="utf-8")
                 if line.strip()]
    patterns = [(p, re.compile(re.escape(p).replace(re.escape("<lang>"), "[^/]+") + "$"))
                for p in listed]
    bad = 0
    for f in installed:
        if not any(rx.match(f) for _, rx in patterns):
            print(f"installed but not in the README: {f}")
            bad = 1
    for p, rx in patterns:
        if "<lang>" not in p and not any(rx.match(f) for f in installed):
            print(f"in the README but not installed: {p}")
            bad = 1
    print(f"{len(installed)} installed files, {len(listed)} README entries")
    return bad


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
