"""Linkage speed and memory: a full run over a county, then incremental batches against it.

    .venv/bin/python bench/bench_linkage.py --data DIR [--model VERSION] [--batch 1000]
        [--batches 5] [--singles 20] [--blocking] [--json OUT]

DIR holds the feeds of a synthetic county (`sightline synth --children N --seed S --out DIR`);
about 4.3 person records per child, so --children 230000 gives about a million records.

Full run = read the person lines + standardise + load into DuckDB + block, score and decide
every pair + group the automatic links into people. Then, in the same process, the incremental
path: the known records minus `--batches` random batches and `--singles` single records; each
batch, then each single record, is scored with `predict_between` against them (median and
max reported; the batches are not added to the known records). Peak RSS is the process's (DuckDB runs in-process).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sightline.identity.linkage import training  # noqa: E402
from sightline.identity.linkage.cluster import cluster  # noqa: E402
from sightline.identity.linkage.evaluate import read_person_lines  # noqa: E402
from sightline.identity.linkage.guard import Thresholds  # noqa: E402
from sightline.identity.linkage.predict import Linkage, links  # noqa: E402
from sightline.identity.linkage.standardise import standardise_records  # noqa: E402


def peak_gb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--model", help="model version or JSON file (default: the newest)")
    parser.add_argument("--auto-link", type=float, default=None)
    parser.add_argument("--review", type=float, default=None)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=5, help="batches to time (median)")
    parser.add_argument("--singles", type=int, default=20)
    parser.add_argument("--blocking", action="store_true", help="count pairs per blocking rule")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    logging.disable(logging.WARNING)

    if args.model and args.model.endswith(".json"):
        model = json.loads(Path(args.model).read_text(encoding="utf-8"))
    else:
        model = training.load_model(args.model)
    defaults = Thresholds()
    thresholds = Thresholds(
        auto_link=args.auto_link if args.auto_link is not None else defaults.auto_link,
        review=args.review if args.review is not None else defaults.review,
    )
    out: dict[str, object] = {"data": str(args.data), "model": model["version"]}
    timings: dict[str, float] = {}

    started = time.perf_counter()
    records = standardise_records(read_person_lines(args.data))
    timings["read_and_standardise"] = time.perf_counter() - started
    out["records"] = records.num_rows

    t = time.perf_counter()
    linkage = Linkage(model, records, thresholds=thresholds)
    timings["load"] = time.perf_counter() - t
    if args.blocking:
        t = time.perf_counter()
        counts = linkage.blocking_counts()
        timings["blocking_analysis"] = time.perf_counter() - t
        out["blocking"] = counts
        for row in counts:
            print(f"  {row['pairs']:>12,}  {row['cumulative']:>12,}  {row['rule']}")

    t = time.perf_counter()
    pairs = linkage.predict()
    timings["predict_and_decide"] = time.perf_counter() - t
    out["pairs_kept"] = pairs.num_rows

    t = time.perf_counter()
    ids = records.column("unique_id").to_pylist()
    nhs = dict(zip(ids, records.column("nhs_number").to_pylist(), strict=True))
    people = cluster(ids, links(pairs, decisions=("auto_link",)), nhs_numbers=nhs)
    timings["cluster"] = time.perf_counter() - t
    out["people"] = len(set(people.person_of.values()))
    full = sum(v for k, v in timings.items() if k != "blocking_analysis")
    timings["full_linkage"] = full
    out["full_linkage_peak_rss_gb"] = peak_gb()
    print(
        f"full linkage of {records.num_rows:,} records: {full:.1f} s "
        f"(standardise {timings['read_and_standardise']:.1f}, load {timings['load']:.1f}, "
        f"predict {timings['predict_and_decide']:.1f}, cluster {timings['cluster']:.1f}); "
        f"peak RSS {out['full_linkage_peak_rss_gb']} GB"
    )
    del pairs, people, linkage

    # Incremental: a random batch is "new"; everything else is already known.
    rng = random.Random(1)
    n_batched = args.batch * args.batches
    new_idx = rng.sample(range(records.num_rows), n_batched + args.singles)
    chosen = set(new_idx)
    known_idx = [i for i in range(records.num_rows) if i not in chosen]
    known = records.take(known_idx)
    batches = [
        records.take(sorted(new_idx[k : k + args.batch])) for k in range(0, n_batched, args.batch)
    ]
    singles = [records.slice(i, 1) for i in new_idx[n_batched:]]
    t = time.perf_counter()
    incremental = Linkage(model, known, thresholds=thresholds)
    incremental._ensure_tf()
    timings["incremental_load"] = time.perf_counter() - t

    batch_times, batch_pairs = [], []
    for batch in batches:
        t = time.perf_counter()
        found = incremental.predict_between(batch)
        batch_times.append(time.perf_counter() - t)
        batch_pairs.append(found.num_rows)
    timings[f"batch_{args.batch}"] = statistics.median(batch_times)
    timings[f"batch_{args.batch}_max"] = max(batch_times)
    out["batch_pairs"] = batch_pairs
    single_times = []
    for one in singles:
        t = time.perf_counter()
        incremental.predict_between(one)
        single_times.append(time.perf_counter() - t)
    if single_times:
        timings["single_median"] = statistics.median(single_times)
        timings["single_max"] = max(single_times)
    out["timings_s"] = {k: round(v, 3) for k, v in timings.items()}
    out["peak_rss_gb"] = peak_gb()
    print(
        f"incremental: {args.batch:,} new records against {known.num_rows:,} known in "
        f"{timings[f'batch_{args.batch}']:.2f} s (median of {len(batches)}, max "
        f"{timings[f'batch_{args.batch}_max']:.2f} s); one record median "
        f"{timings.get('single_median', 0):.3f} s (max {timings.get('single_max', 0):.3f} s); "
        f"known records loaded in {timings['incremental_load']:.1f} s; peak RSS {out['peak_rss_gb']} GB"
    )
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
