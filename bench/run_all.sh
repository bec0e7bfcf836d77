#!/usr/bin/env bash
# Reruns every benchmark behind docs/performance.md on one database.
#
#   bench/run_all.sh [--children 100000] [--seed 1] [--runs 5] [--data DIR] [--out DIR] [--keep]
#   DATABASE_URL=postgres://postgres@127.0.0.1:55480/postgres bench/run_all.sh --children 100000
#
# 1. Generates the synthetic county (`sightline synth`) into --data (default
#    /tmp/sightline-county-<children>-<seed>), unless a county with that size and seed is there.
# 2. Loads it into a NEW database: without DATABASE_URL a SQLite file in a new
#    SIGHTLINE_VAR_DIR; with a PostgreSQL DATABASE_URL a new database `sightline_perf_<pid>` on
#    that server (the URL's own database is only used to create it). Creates the schema, the
#    partnership's agencies and registers the ten feeds exactly as `sightline demo` does, then
#    times `sightline import DIR --accept-valid --quiet`: lines per second, wall and CPU (with
#    a PostgreSQL server on this machine, the server's CPU too: bench/server_cpu.py).
# 3. bench/bench_import.py --runs R: a 200,000-line feed into a fresh database each run.
# 4. bench/bench_story.py R times each for: the benchmark child it plants (1,000 entries), the
#    planted `long_history` child with the fewest entries >= 1,000, and the one with the most.
# 5. bench/bench_search.py R times (300 searches each, as a MASH manager: page and selector).
# 6. Prints a summary (medians over the R runs) and keeps every log in --out.
#
# The load average is logged before every step: the numbers mean little on a busy machine.
# The county and the database are deleted at the end unless --keep. Needs bash, coreutils and
# the project's virtualenv (.venv, `make install`); PostgreSQL only if DATABASE_URL names it.
set -euo pipefail

CHILDREN=100000
SEED=1
RUNS=5
DATA=""
OUT=""
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --children) CHILDREN=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --data) DATA=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h | --help) sed -n '2,23p' "$0"; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY=${PYTHON:-$ROOT/.venv/bin/python}
cd "$ROOT"
DATA=${DATA:-/tmp/sightline-county-$CHILDREN-$SEED}
OUT=${OUT:-/tmp/sightline-perf-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$OUT"
export SIGHTLINE_VAR_DIR
SIGHTLINE_VAR_DIR=$(mktemp -d /tmp/sightline-perf-var.XXXXXX)

BASE_URL=${DATABASE_URL:-}
PERF_DB=""
if [[ "$BASE_URL" == postgres* ]]; then
  VENDOR=postgresql
  PERF_DB="sightline_perf_$$"
  "$PY" -c "import psycopg,sys; psycopg.connect(sys.argv[1], autocommit=True).execute('CREATE DATABASE $PERF_DB')" "$BASE_URL"
  export DATABASE_URL="${BASE_URL%/*}/$PERF_DB"
else
  VENDOR=sqlite
  unset DATABASE_URL
fi

cleanup() {
  if [ "$KEEP" -eq 0 ]; then
    if [ -n "$PERF_DB" ]; then
      "$PY" -c "import psycopg,sys; psycopg.connect(sys.argv[1], autocommit=True).execute('DROP DATABASE IF EXISTS $PERF_DB WITH (FORCE)')" "$BASE_URL" || true
    fi
    rm -rf "$SIGHTLINE_VAR_DIR" "$DATA"
    rm -f "$(dirname "$(mktemp -u)")/sightline-bench-2-200000.jsonl"
  else
    echo "Kept: county $DATA, database ${PERF_DB:-$SIGHTLINE_VAR_DIR/sightline.sqlite3}"
  fi
}
trap cleanup EXIT

step() {
  echo
  echo "== $1 ($(date +%H:%M:%S); load average $(cut -d' ' -f1-3 /proc/loadavg))" | tee -a "$OUT/load.log"
}

{
  echo "commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "cpu $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
  echo "memory $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "database $VENDOR${PERF_DB:+ ($PERF_DB)}"
} | tee "$OUT/machine.txt"

step "county: $CHILDREN children, seed $SEED, in $DATA"
if ! "$PY" - "$DATA" "$CHILDREN" "$SEED" <<'EOF'
import json, sys
from pathlib import Path
manifest = Path(sys.argv[1]) / "manifest.json"
ok = manifest.exists() and (json.loads(manifest.read_text())["children"], json.loads(manifest.read_text())["seed"]) == (int(sys.argv[2]), int(sys.argv[3]))
sys.exit(0 if ok else 1)
EOF
then
  rm -rf "$DATA"
  "$PY" -m sightline.cli synth --children "$CHILDREN" --seed "$SEED" --out "$DATA" | tee "$OUT/synth.log"
fi
LINES=$("$PY" -c "import json,sys; print(sum(json.load(open(sys.argv[1]))['lines'].values()))" "$DATA/manifest.json")

step "schema and feeds ($VENDOR)"
"$PY" -m sightline.cli migrate >/dev/null
"$PY" manage.py shell -v 0 -c "from sightline.synth.management.commands.demo import ensure_agencies, ensure_sources; ensure_agencies(); ensure_sources()"

step "full import of $LINES lines"
REJECTS=$(mktemp -d /tmp/sightline-perf-rejects.XXXXXX)
TIMEFORMAT='%R %U %S'
SERVER_BEFORE=$("$PY" bench/server_cpu.py)  # empty unless a PostgreSQL server on this machine
# The import alone: linking (which an import starts when a model exists) is bench_linkage.py's.
{ time env IDENTITY_LINK_ON_IMPORT=0 "$PY" -m sightline.cli import "$DATA" --accept-valid --rejects "$REJECTS" --quiet \
    >"$OUT/import.log" 2>&1; } 2>"$OUT/import.time"
SERVER_AFTER=$("$PY" bench/server_cpu.py)
rm -rf "$REJECTS"
read -r WALL USER SYS <"$OUT/import.time"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/load.log"
"$PY" - "$LINES" "$WALL" "$USER" "$SYS" "$SERVER_BEFORE" "$SERVER_AFTER" <<'EOF' | tee "$OUT/import.summary"
import sys
lines, wall, user, sys_ = int(sys.argv[1]), *map(float, sys.argv[2:5])
cpu = user + sys_
before, after = sys.argv[5:7]
server = float(after) - float(before) if before and after else None
text = (f"full import: {lines:,} lines in {wall:,.0f} s = {lines / wall:,.0f} lines/s "
        f"(importer CPU {cpu:,.0f} s, checking processes included")
if server is not None:
    text += f"; PostgreSQL server CPU {server:,.0f} s"
total = cpu + (server or 0)
print(text + f"; {1e6 * total / lines:.0f} µs of CPU per line)")
EOF
"$PY" manage.py shell -v 0 -c "
from django.db import connection
with connection.cursor() as c:
    for t in ['people_person', 'records_sourcerecord', 'chronology_chronologyentry', 'chronology_entrysubject']:
        c.execute(f'SELECT count(*) FROM {t}'); print(t, c.fetchone()[0])
" | tee "$OUT/counts.txt"
if [ "$VENDOR" = postgresql ]; then
  "$PY" manage.py shell -v 0 -c "
from django.db import connection
with connection.cursor() as c:
    c.execute('ANALYZE'); c.execute('SELECT pg_size_pretty(pg_database_size(current_database()))'); print('database size', c.fetchone()[0])
" | tee -a "$OUT/counts.txt"
else
  du -h "$SIGHTLINE_VAR_DIR/sightline.sqlite3" | tee -a "$OUT/counts.txt"
fi

step "bench_import ($RUNS runs)"
(
  if [ -n "$PERF_DB" ]; then export DATABASE_URL="$BASE_URL"; fi
  "$PY" bench/bench_import.py --runs "$RUNS" | tee "$OUT/bench_import.log"
)

step "choosing long_history children"
read -r SMALL LARGE < <("$PY" manage.py shell -v 0 -c "
import json
from collections import Counter
from pathlib import Path
from sightline.chronology.models import EntrySubject
from sightline.people.models import Person
from sightline.records.models import SourceRecord
data = Path('$DATA') / 'truth'
wanted = {json.loads(l)['true_id'] for l in (data / 'trajectories.jsonl').open() if json.loads(l)['trajectory'] == 'long_history'}
records = [json.loads(l) for l in (data / 'persons.jsonl').open()]
best = {}
for r in records:
    if r['true_id'] not in wanted:
        continue
    for pid in SourceRecord.objects.filter(source_system__code=r['source'], source_id=r['source_id'], is_current=True).exclude(person=None).values_list('person_id', flat=True):
        while (nxt := Person.objects.filter(pk=pid).values_list('merged_into_id', flat=True).first()):
            pid = nxt
        n = EntrySubject.objects.filter(person_id=pid).count()
        best[r['true_id']] = max(best.get(r['true_id'], (0, '')), (n, Person.objects.get(pk=pid).reference))
big = sorted(v for v in best.values() if v[0] >= 1000)
print(big[0][1], big[-1][1]) if big else print()
") || true
echo "long_history children: ${SMALL:-none} (fewest entries >= 1,000), ${LARGE:-none} (most)" \
  | tee "$OUT/children.txt"

if [ "${SMALL:-}" = "${LARGE:-}" ]; then LARGE=""; fi
for child in BENCH-STORY ${SMALL:-} ${LARGE:-}; do
  step "bench_story $child ($RUNS runs)"
  for run in $(seq "$RUNS"); do
    echo "-- run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    "$PY" -W ignore bench/bench_story.py --entries 1000 --child "$child"
  done | tee "$OUT/bench_story-$child.log"
done

step "bench_search ($RUNS runs)"
for run in $(seq "$RUNS"); do
  echo "-- run $run (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  "$PY" -W ignore bench/bench_search.py
done | tee "$OUT/bench_search.log"
step "done"

# Summary: medians over the runs of each run's p50 and p95 ("all" rows of each benchmark).
"$PY" - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import re, statistics, sys
from pathlib import Path
out = Path(sys.argv[1])
print()
print((out / "import.summary").read_text().strip())
print([l for l in (out / "bench_import.log").read_text().splitlines() if "median" in l][-1])
def alls(text):
    return [(float(a), float(b)) for a, b in re.findall(r"^  all\s+(?:\d+\s+)?([\d.]+)\s+([\d.]+)", text, re.M)]
for log in sorted(out.glob("bench_story-*.log")):
    rows = alls(log.read_text())
    entries = re.search(r"with (\d+) entries", log.read_text()).group(1)
    print(f"story {log.stem[12:]} ({entries} entries): p50 {statistics.median(r[0] for r in rows):.1f} ms, "
          f"p95 {statistics.median(r[1] for r in rows):.1f} ms (median of {len(rows)} runs; target p95 < 100 ms)")
rows = alls((out / "bench_search.log").read_text())
for label, part in (("selector", rows[0::2]), ("page", rows[1::2])):
    print(f"search {label}: p50 {statistics.median(r[0] for r in part):.1f} ms, "
          f"p95 {statistics.median(r[1] for r in part):.1f} ms (median of {len(part)} runs; target p95 < 150 ms)")
print(f"logs: {out}")
EOF
