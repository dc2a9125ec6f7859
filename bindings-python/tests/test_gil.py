"""Hashing, stamping and verifying release the GIL: another Python thread keeps running."""

import re
import threading
import time

import qayd
from conftest import SIGNING_TIME


def _big_invoice(standard: bytes, lines: int) -> bytes:
    text = standard.decode("utf-8")
    line = re.search(r"<cac:InvoiceLine>.*?</cac:InvoiceLine>", text, re.S)
    return (text[: line.end()] + line.group(0) * lines + text[line.end() :]).encode("utf-8")


def _slow_document(standard: bytes):
    """A document whose single hash takes at least 0.2 s on this build (debug or release)."""
    lines = 2000
    while True:
        xml = _big_invoice(standard, lines)
        start = time.perf_counter()
        qayd.invoice_hash(xml)
        took = time.perf_counter() - start
        if took >= 0.2 or len(xml) * 2 > 30_000_000:
            return xml, took
        lines *= 2


def _max_gap_while(work) -> tuple:
    """Runs `work` in a thread; returns (longest pause of a ticking Python thread, ticks)."""
    stamps = []
    done = threading.Event()

    def worker():
        try:
            work()
        finally:
            done.set()

    thread = threading.Thread(target=worker)
    thread.start()
    while not done.is_set():
        stamps.append(time.perf_counter())
        time.sleep(0.001)
    thread.join()
    gaps = [b - a for a, b in zip(stamps, stamps[1:])]
    return max(gaps, default=float("inf")), len(stamps)


def test_a_thread_keeps_running_during_a_batch(signer, standard):
    xml, one_call = _slow_document(standard)
    stamped = signer.stamp(xml, signing_time=SIGNING_TIME).xml

    def batch():
        for _ in range(2):
            qayd.invoice_hash(xml)
            signer.stamp(xml, signing_time=SIGNING_TIME)
            qayd.verify(stamped)

    gap, ticks = _max_gap_while(batch)
    # Holding the GIL, the ticker would stall for a whole call (>= one_call); released, it
    # only waits for the scheduler.
    assert gap < one_call / 2, f"ticker stalled {gap:.3f}s; one call takes {one_call:.3f}s"
    assert ticks > 20


def test_threads_stamp_in_parallel_with_identical_results(signer, simplified, stamped):
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: signer.stamp(simplified, signing_time=SIGNING_TIME).xml, range(32)))
    assert all(xml == stamped.xml for xml in results)
