#!/bin/bash
# What one socket holds, by class: (bytes while N sockets are held - bytes before) / N, from two
# `jmap -histo:live` files (scripts/socket-memory.sh leaves histo-before.txt and histo.txt).
#
#   scripts/histo-per-socket.sh BEFORE AFTER N [TOP]
set -euo pipefail
BEFORE=$1; AFTER=$2; N=$3; TOP=${4:-25}
awk -v n="$N" -v top="$TOP" '
  FNR == 1 { file++ }
  $1 ~ /^[0-9]+:$/ { key = $4; if (file == 1) { bi[key] = $2; bb[key] = $3 } else { ai[key] = $2; ab[key] = $3 } }
  END {
    for (k in ab) { d = ab[k] - bb[k]; if (d > 0) { total += d; rows[k] = d } }
    for (k in bb) if (!(k in ab)) total -= bb[k]
    printf "%.1f KB per socket in all (classes that grew)\n", total / n / 1024
    printf "%9s %9s  %s\n", "B/socket", "objects", "class"
    cmd = "sort -k1,1nr | head -" top
    for (k in rows) printf "%9.0f %9.2f  %s\n", rows[k] / n, (ai[k] - bi[k]) / n, k | cmd
    close(cmd)
  }' "$BEFORE" "$AFTER"
