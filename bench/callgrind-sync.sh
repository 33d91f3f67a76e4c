#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# Instructions per NS line of the 1,000-contact sync, counted by callgrind.
#
#   bench/callgrind-sync.sh BUILD_DIR [OUT_DIR]
#
# Runs BUILD_DIR/bench/bench-sync-core once per mode (one iteration each)
# under valgrind --tool=callgrind --toggle-collect=bench_feed, so only the
# feeding of the transcript into the MsnpNs is counted (not the login
# before it, not the transcript generation, not the teardown):
#
#   full   the whole sync transcript       -> Ir per NS line
#   lst    SYN + N LST lines               \
#   base   SYN promising nothing           /  (lst - base) / N -> Ir per LST line
#
# and prints the part spent formatting debug messages (g_log, which
# formats every message even when nobody shows it) and the hottest
# functions of the LST run.  Target: <= 400 instructions per LST line.
set -eu

build=${1:?usage: $0 BUILD_DIR [OUT_DIR]}
out=${2:-$(mktemp -d "${TMPDIR:-/tmp}/msnp-callgrind.XXXXXX")}
bench=$build/bench/bench-sync-core
mkdir -p "$out"
[ -x "$bench" ] || { echo "no $bench (build with -Dplugin=true)" >&2; exit 1; }
command -v valgrind >/dev/null || { echo "valgrind is not installed" >&2; exit 1; }

# Ir in bench_feed (the collected total), and the inclusive Ir of g_log.
total_ir () {
  callgrind_annotate "$1" 2>/dev/null |
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }'
}
log_ir () {
  callgrind_annotate --inclusive=yes "$1" 2>/dev/null |
    awk '$0 ~ /:g_log \[/ { gsub(",", "", $1); print $1; found = 1; exit }
         END { if (!found) print 0 }'
}

for mode in full lst base; do
  valgrind --tool=callgrind --toggle-collect=bench_feed \
    --callgrind-out-file="$out/callgrind.$mode.out" \
    "$bench" --mode "$mode" --iterations 1 >"$out/$mode.txt" 2>"$out/$mode.valgrind.log"
done

lines_full=$(awk '$1 == "full" { print $2 }' "$out/full.txt")
n_lst=$(awk '$1 == "lst" { print $2 - 1 }' "$out/lst.txt")
ir_full=$(total_ir "$out/callgrind.full.out")
ir_lst=$(total_ir "$out/callgrind.lst.out")
ir_base=$(total_ir "$out/callgrind.base.out")
log_full=$(log_ir "$out/callgrind.full.out")
log_lst=$(log_ir "$out/callgrind.lst.out")
log_base=$(log_ir "$out/callgrind.base.out")

awk -v lf="$lines_full" -v nl="$n_lst" -v f="$ir_full" -v l="$ir_lst" -v b="$ir_base" \
    -v gf="$log_full" -v gl="$log_lst" -v gb="$log_base" 'BEGIN {
  per_lst = (l - b) / nl
  printf "full sync: %d Ir for %d NS lines = %.0f Ir per line (%.0f without g_log)\n",
         f, lf, f / lf, (f - gf) / lf
  printf "LST lines: (%d - %d) Ir / %d = %.0f Ir per LST line (%.0f without g_log)\n",
         l, b, nl, per_lst, ((l - gl) - (b - gb)) / nl
  printf "target <= 400 Ir per LST line: %s\n", per_lst <= 400 ? "met" : "NOT met"
}'
echo
echo "hottest functions of the LST run (self Ir; files in $out):"
callgrind_annotate "$out/callgrind.lst.out" 2>/dev/null |
  awk '/^Ir +file:function/ { on = 1; getline; next } on && NF { print } on && !NF && n++ { exit }' |
  head -25
