"""Stamping the shared 5-line invoice (tests/bench/) from Python, to compare with the Rust core's
`stamp/bench-5-lines-xml` criterion figure (`cargo bench -p qayd --bench engine -- bench-5-lines`).

Run against a release build of the extension, e.g. after `pip install ./bindings-python`:
    python bindings-python/bench/bench_stamp.py
"""
import pathlib
import time

import qayd

ROOT = pathlib.Path(__file__).resolve().parents[2]
CERTS = ROOT / "tests/vectors/sdk-R3.4.8/Data/Certificates"


def main(rounds: int = 5, n: int = 2000) -> None:
    signer = qayd.Signer((CERTS / "cert.pem").read_bytes(), (CERTS / "ec-secp256k1-priv-key.pem").read_bytes())
    xml = (ROOT / "tests/bench/simplified-5-lines.xml").read_bytes()
    signer.stamp(xml, signing_time="2025-07-22T15:51:28")  # warm up
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(n):
            signer.stamp(xml, signing_time="2025-07-22T15:51:28")
        best = min(best, (time.perf_counter() - start) / n)
    print(f"python stamp/bench-5-lines-xml: {best * 1e6:.1f} µs per document (best of {rounds} × {n})")


if __name__ == "__main__":
    main()
