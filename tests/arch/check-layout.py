#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The tree keeps the shape the README's layout describes (TAP output).

- no include cycle between modules (a module is foo.c with foo.h and
  foo-private.h);
- the protocol cores (src/core, src/xmpp) include no libpurple header;
- no file over 800 lines in src/, none over 1,000 in tests/;
- every source and build file starts with an SPDX line;
- every header under src/ says which thread or loop it runs on.
"""
import os
import re
import sys

SRC_LIMIT = 800
TESTS_LIMIT = 1000
SOURCE_EXT = ('.c', '.h', '.py', '.sh')
INCLUDE = re.compile(r'^\s*#\s*include\s+[<"]([^>"]+)[>"]', re.M)
# The libpurple headers a glue file may include; the cores must not.
PURPLE_HEADERS = {
    'account.h', 'accountopt.h', 'blist.h', 'cipher.h', 'connection.h',
    'conversation.h', 'core.h', 'debug.h', 'eventloop.h', 'ft.h', 'idle.h',
    'network.h', 'notify.h', 'plugin.h', 'prefs.h', 'privacy.h', 'proxy.h',
    'prpl.h', 'request.h', 'server.h', 'signals.h', 'sslconn.h', 'status.h',
    'util.h', 'version.h', 'xmlnode.h', 'purple.h', 'dnssrv.h', 'imgstore.h',
    'savedstatuses.h', 'buddyicon.h', 'cmds.h', 'roomlist.h', 'whiteboard.h',
}


def tracked_files(top):
    out = []
    for base in ('src', 'tests', 'fuzz', 'bench'):
        for root, dirs, files in os.walk(os.path.join(top, base)):
            dirs[:] = [d for d in dirs if d not in ('__pycache__', 'corpus')]
            out.extend(os.path.join(root, f) for f in files)
    return sorted(out)


def module_of(path):
    """foo.c, foo.h and foo-private.h (what foo's files share) are one module."""
    name = os.path.splitext(os.path.basename(path))[0]
    return name[:-len('-private')] if name.endswith('-private') else name


def find_cycle(graph):
    """One cycle of the directed graph as a list of nodes, or None."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {n: WHITE for n in graph}
    stack = []

    def visit(node):
        colour[node] = GREY
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if colour.get(nxt, BLACK) == GREY:
                return stack[stack.index(nxt):] + [nxt]
            if colour.get(nxt) == WHITE:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        colour[node] = BLACK
        return None

    for node in sorted(graph):
        if colour[node] == WHITE:
            found = visit(node)
            if found:
                return found
    return None


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else '.'
    files = tracked_files(top)
    results = []

    # Include cycles, per folder group: the modules of src/ (headers are
    # found by name, as the build's include paths do).
    src_c_h = [f for f in files if f.startswith(os.path.join(top, 'src')) and f.endswith(('.c', '.h'))]
    modules = {module_of(f) for f in src_c_h}
    graph = {m: set() for m in modules}
    for f in src_c_h:
        with open(f, encoding='utf-8') as fh:
            for inc in INCLUDE.findall(fh.read()):
                target = module_of(inc)
                if inc.endswith('.h') and target in modules and target != module_of(f):
                    graph[module_of(f)].add(target)
    cycle = find_cycle(graph)
    results.append(('no include cycle between the modules of src/',
                    None if cycle is None else 'cycle: ' + ' -> '.join(cycle)))

    bad = []
    for f in src_c_h:
        rel = os.path.relpath(f, top)
        if rel.startswith(('src/core/', 'src/xmpp/')):
            with open(f, encoding='utf-8') as fh:
                for inc in INCLUDE.findall(fh.read()):
                    if inc in PURPLE_HEADERS:  # libpurple's headers are included bare
                        bad.append('%s includes %s' % (rel, inc))
    results.append(('the protocol cores include no libpurple header',
                    '; '.join(bad) or None))

    too_long = []
    for f in files:
        rel = os.path.relpath(f, top)
        if not rel.endswith(SOURCE_EXT):
            continue
        limit = SRC_LIMIT if rel.startswith('src/') else TESTS_LIMIT if rel.startswith('tests/') else None
        if limit is None:
            continue
        with open(f, encoding='utf-8', errors='replace') as fh:
            n = sum(1 for _ in fh)
        if n > limit:
            too_long.append('%s has %d lines (limit %d)' % (rel, n, limit))
    results.append(('no file over %d lines in src/, %d in tests/' % (SRC_LIMIT, TESTS_LIMIT),
                    '; '.join(too_long) or None))

    no_spdx = []
    for f in files:
        rel = os.path.relpath(f, top)
        if not (rel.endswith(SOURCE_EXT) or os.path.basename(rel) == 'meson.build'):
            continue
        with open(f, encoding='utf-8', errors='replace') as fh:
            head = fh.read(400)
        if 'SPDX-License-Identifier: GPL-2.0-or-later' not in head:
            no_spdx.append(rel)
    results.append(('every source and build file has an SPDX line', ', '.join(no_spdx) or None))

    silent = []
    for f in src_c_h:
        if not f.endswith('.h'):
            continue
        with open(f, encoding='utf-8') as fh:
            text = fh.read()
        # The comment before #pragma once, as one line of words.
        first = ' '.join(re.sub(r'/\*|\*/|^\s*\*', ' ', line)
                         for line in text.split('#pragma once', 1)[0].splitlines())
        first = re.sub(r'\s+', ' ', first)
        if not re.search(r'thread|main loop|loop-free|no loop', first, re.I):
            silent.append(os.path.relpath(f, top))
    results.append(('every header under src/ says which thread or loop it runs on',
                    ', '.join(silent) or None))

    print('1..%d' % len(results))
    failed = 0
    for i, (name, problem) in enumerate(results, 1):
        if problem is None:
            print('ok %d - %s' % (i, name))
        else:
            failed += 1
            print('not ok %d - %s' % (i, name))
            print('# ' + problem)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
