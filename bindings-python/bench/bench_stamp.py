"""Stamping from Python, to compare with the Rust core's criterion figures
(`cargo bench -p qayd --bench engine -- "bench-5-lines|500-lines-json"`):

* `stamp/bench-5-lines-xml`: stamping the shared 5-line invoice (tests/bench/) given as XML;
* `stamp_invoice/bench-5-lines-json`: the model fast path, JSON text → stamped document;
* `generate+stamp/bench-5-lines-json`: the same in two calls (the XML parsed again);
* `stamp_invoice/standard-500-lines-json`: a 500-line standard invoice, JSON → stamped.

Run against a release build of the extension, e.g. after `pip install ./bindings-python`:
    python bindings-python/bench/bench_stamp.py [FILTER] [ROUNDS]
FILTER: only the rows whose name contains it (e.g. `stamp/bench-5-lines-xml`); ROUNDS (default 5):
rounds per row, of which the best and the median are printed. `tests/bench/side_by_side.sh`
alternates a row with criterion's.
"""
import json
import pathlib
import statistics
import sys
import time

import qayd

ROOT = pathlib.Path(__file__).resolve().parents[2]
CERTS = ROOT / "tests/vectors/sdk-R3.4.8/Data/Certificates"
TIME = "2025-07-22T15:51:28"


FILTER = sys.argv[1] if len(sys.argv) > 1 else ""
ROUNDS = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def best_of(name: str, call, n: int) -> None:
    if FILTER not in name:
        return
    call()  # warm up
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for _ in range(n):
            call()
        times.append((time.perf_counter() - start) / n)
    best, median = min(times), statistics.median_low(times)
    print(
        f"python {name}: {best * 1e6:.1f} µs per document, {1 / best:,.0f}/s "
        f"(best of {ROUNDS} × {n}; median {median * 1e6:.1f} µs)"
    )


def large_model(lines: int = 500) -> str:
    """The standard fixture with `lines` copies of its lines, totals left to the engine (as the
    Rust bench's `invoice("standard_invoice", 500)`)."""
    model = json.loads((ROOT / "core/tests/fixtures/models/standard_invoice.json").read_text(encoding="utf-8"))
    model.pop("totals", None)
    template = model["lines"]
    model["lines"] = [template[i % len(template)] for i in range(lines)]
    return json.dumps(model, ensure_ascii=False)


def main() -> None:
    signer = qayd.Signer((CERTS / "cert.pem").read_bytes(), (CERTS / "ec-secp256k1-priv-key.pem").read_bytes())
    xml = (ROOT / "tests/bench/simplified-5-lines.xml").read_bytes()
    five = (ROOT / "tests/bench/simplified-5-lines.json").read_text(encoding="utf-8")
    large = large_model()
    best_of("stamp/bench-5-lines-xml", lambda: signer.stamp(xml, signing_time=TIME), 2000)
    best_of("stamp_invoice/bench-5-lines-json", lambda: signer.stamp_invoice(five, signing_time=TIME), 2000)
    best_of("generate+stamp/bench-5-lines-json", lambda: signer.stamp(qayd.generate(five), signing_time=TIME), 2000)
    best_of("stamp_invoice/standard-500-lines-json", lambda: signer.stamp_invoice(large, signing_time=TIME), 20)


if __name__ == "__main__":
    main()
