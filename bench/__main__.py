"""``python -m bench`` (``make bench``): the benchmark of issue 12 against gunicorn and
PostgreSQL, with the same run's ceilings. ``--help`` lists the options."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from bench.run import Options, main


def parse(argv: list[str]) -> Options:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--database-url",
        help="an already-loaded PostgreSQL database (default: create, migrate and load "
        "postgresql://postgres@127.0.0.1:5432/lms_bench)",
    )
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("BENCH_SECONDS", 10)),
        help="load time per page and per ceiling (env BENCH_SECONDS, default 10)",
    )
    parser.add_argument("--fresh", action="store_true", help="drop and reload lms_bench")
    parser.add_argument(
        "--demo-trainees",
        type=int,
        default=int(os.environ.get("BENCH_DEMO_TRAINEES", 1000)),
        help="LMS_DEMO_TRAINEES when loading `lms demo` (no `lms generate`); default 1000",
    )
    parser.add_argument(
        "--only", action="append", help="measure only pages/PDFs whose name holds this word"
    )
    parser.add_argument("--data-label", help="how to describe the data in the results")
    parser.add_argument("--pdf-rounds", type=int, default=3, help="rounds per PDF (default 3)")
    parser.add_argument(
        "--pdf-timeout",
        type=float,
        default=float(os.environ.get("BENCH_PDF_TIMEOUT", 180)),
        help="stop a PDF report still running after this many seconds (env BENCH_PDF_TIMEOUT, "
        "default 180): a missed target",
    )
    parser.add_argument("--out-dir", type=Path, default=None, help="default bench/results/")
    parser.add_argument(
        "--strict", action="store_true", help="exit 1 when a target is missed (default 0)"
    )
    args = parser.parse_args(argv)
    opts = Options(
        database_url=args.database_url,
        seconds=args.seconds,
        fresh=args.fresh,
        demo_trainees=args.demo_trainees,
        only=args.only,
        data_label=args.data_label,
        pdf_rounds=args.pdf_rounds,
        pdf_timeout=args.pdf_timeout,
        strict=args.strict,
    )
    if args.out_dir:
        opts.out_dir = args.out_dir
    return opts


if __name__ == "__main__":
    # a SIGTERM (timeout, CI) unwinds like Ctrl-C, so gunicorn and wrk are stopped on the way
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    sys.exit(main(parse(sys.argv[1:])))
