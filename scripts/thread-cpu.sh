#!/bin/bash
# Where a JVM's CPU went, by thread group: CPU seconds (user + system, and each) each group of
# threads used between two snapshots of /proc/<pid>/task/*/stat, and its context switches (waits
# for work or a lock, and preemptions) from .../status. Threads are grouped by name with their numbers
# taken out, so `db-3` and `db-7` count as `db-N` and `edf-pekko.actor.default-dispatcher-12` as
# `edf-pekko.actor.default-dispatcher-N` (Linux cuts thread names to 15 characters). Threads that
# ended between the two snapshots are not counted.
#
#   scripts/thread-cpu.sh snapshot PID FILE     # before the run, and again after it
#   scripts/thread-cpu.sh diff BEFORE AFTER     # the groups, largest first, and the total
set -euo pipefail
case "${1:-}" in
  snapshot)
    PID=$2; OUT=$3
    : > "$OUT"
    for stat in /proc/"$PID"/task/*/stat; do
      # the name is between the first '(' and the last ')'; utime and stime are fields 14 and 15
      line=$(cat "$stat" 2>/dev/null) || continue
      name=${line#*(}; name=${name%)*}
      rest=${line##*) }
      read -r -a f <<< "$rest"
      tid=${stat%/stat}; tid=${tid##*/}
      switches=$(awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n + 0 }' "${stat%/stat}/status" 2>/dev/null || true)
      echo "$tid|$name|$((f[11] + f[12]))|${f[11]}|${f[12]}|${switches:-0}" >> "$OUT"
    done
    ;;
  diff)
    TICKS=$(getconf CLK_TCK)
    awk -F'|' -v ticks="$TICKS" '
      FNR == 1 { file++ }
      file == 1 { before[$1] = $3; usr0[$1] = $4; sys0[$1] = $5; cs0[$1] = $6; next }
      {
        group = $2; gsub(/[0-9]+/, "N", group)
        used = $3 - before[$1]
        cpu[group] += used; total += used
        usr[group] += $4 - usr0[$1]; sys[group] += $5 - sys0[$1]
        cs[group] += $6 - cs0[$1]; switches += $6 - cs0[$1]
      }
      END {
        cmd = "sort -t\"|\" -k1,1nr"
        for (g in cpu) if (cpu[g] > 0) printf "%.2f|%8.2f s %5.1f %%  (user %.2f, system %.2f, %d context switches)  %s\n", cpu[g], cpu[g] / ticks, 100 * cpu[g] / total, usr[g] / ticks, sys[g] / ticks, cs[g], g | cmd
        close(cmd)
        printf "%8.2f s in all, %d context switches\n", total / ticks, switches
      }' "$2" "$3" | sed 's/^[0-9.]*|//'
    ;;
  *)
    sed -n '2,9p' "$0"; exit 2 ;;
esac
