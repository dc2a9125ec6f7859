"""Qayd next to fatoority (PyPI `fatoority`, the fastest peer measured) on the same inputs.

Run through `scripts/compare-peers.sh`, which makes the venv (fatoority + the Qayd wheel) and calls
this file with that venv's Python. Both libraries are called from Python on one thread, one call
after another; each gets its natural argument type (Qayd `bytes`, fatoority `str`, read once
outside the loops) and its signer is built once, outside the loops.

For every operation the script first checks that the two libraries agree (same invoice hash, a
stamp each library accepts from the other, same verdict) and prints ✓/✗; a mismatch is reported,
never hidden. Then it times each call: one warm-up call, a loop sized to about `--target-ms`, and
`--repeats` such loops; the per-call figure is the median of the loops (min–max in the spread
column). The table is Markdown; the ratio is fatoority µs / Qayd µs (above 1: Qayd is faster).
"""
from __future__ import annotations

import argparse
import base64
import datetime as _dt
import gc
import importlib.metadata as md
import json
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import textwrap
import time

import fatoora  # PyPI `fatoority`
import qayd

ROOT = pathlib.Path(__file__).resolve().parents[1]
SDK = ROOT / "tests/vectors/sdk-R3.4.8/Data"
SIGNING_TIME = "2025-07-22T15:51:28"

OK, BAD, SKIP = "✓", "✗", "–"


# ---------------------------------------------------------------------------------------------
# Inputs


def pem(body: str, label: str) -> str:
    lines = "\n".join(textwrap.wrap("".join(body.split()), 64))
    return f"-----BEGIN {label}-----\n{lines}\n-----END {label}-----\n"


def _der(tag: int, content: bytes) -> bytes:
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def sec1_to_pkcs8(sec1_der: bytes) -> bytes:
    """PKCS#8 PrivateKeyInfo around an SEC1 secp256k1 key (fatoority reads only PKCS#8 PEM)."""
    ec_public_key = bytes.fromhex("06072a8648ce3d0201")  # 1.2.840.10045.2.1
    secp256k1 = bytes.fromhex("06052b8104000a")  # 1.3.132.0.10
    return _der(0x30, bytes.fromhex("020100") + _der(0x30, ec_public_key + secp256k1) + _der(0x04, sec1_der))


def pih_of(xml: str) -> str | None:
    m = re.search(r"<cbc:ID>PIH</cbc:ID>.*?<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)<", xml, re.S)
    return m.group(1).strip() if m else None


def large_document(lines: int) -> bytes:
    """The 5-line bench model with its lines repeated to `lines`, written by qayd.generate (so its
    totals are consistent and the business rules hold)."""
    model = json.loads((ROOT / "tests/bench/simplified-5-lines.json").read_text(encoding="utf-8"))
    base = model["lines"]
    model["lines"] = [dict(base[i % len(base)]) for i in range(lines)]
    return qayd.generate(model)


# ---------------------------------------------------------------------------------------------
# Timing


def bench(fn, repeats: int, target_ms: float, clock: str = "wall"):
    fn()  # warm-up (one-time setup such as schema loading happens here)
    target_ns = target_ms * 1e6
    n = 1
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(n):
            fn()
        dt = time.perf_counter_ns() - t0
        if dt >= target_ns / 4 or n >= 1 << 20:
            break
        n *= 4
    n = max(1, round(n * target_ns / max(dt, 1)))
    samples = []
    wall = cpu = 0
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            c0 = time.process_time_ns()
            t0 = time.perf_counter_ns()
            for _ in range(n):
                fn()
            dt = time.perf_counter_ns() - t0
            cpu += time.process_time_ns() - c0
            wall += dt
            samples.append((dt if clock == "wall" else time.process_time_ns() - c0) / n / 1000)
        finally:
            gc.enable()
    CPU_RATIOS.append(cpu / max(wall, 1))
    return statistics.median(samples), min(samples), max(samples), n


CPU_RATIOS: list[float] = []  # process CPU time / wall time of each timed operation


def fmt_us(us: float) -> str:
    if us >= 1000:
        return f"{us:,.0f}"
    if us >= 100:
        return f"{us:.0f}"
    return f"{us:.1f}"


# ---------------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=7, help="timed loops per operation (median reported)")
    ap.add_argument("--target-ms", type=float, default=250, help="approximate length of one timed loop")
    ap.add_argument("--lines", type=int, default=500, help="lines of the large generated document (0: none)")
    ap.add_argument("--only", default="", help="comma list of operations to time: hash,stamp,validate")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall: perf_counter_ns (default); cpu: process CPU time, steadier on a loaded machine")
    ap.add_argument("--wheel", default="", help="the Qayd wheel installed (only printed)")
    args = ap.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}

    # --- environment ------------------------------------------------------------------------
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cI"],
                              capture_output=True, text=True, check=True).stdout.strip()
    except Exception:  # noqa: BLE001 - not a checkout
        head = "?"
    fat_meta = md.metadata("fatoority")
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    load = open("/proc/loadavg").read().split()[:3]
    print(f"# Qayd vs fatoority — {_dt.datetime.now(_dt.timezone.utc):%Y-%m-%d %H:%M} UTC\n")
    print(f"- qayd {qayd.__version__} (wheel: {args.wheel or '?'}"
          + (f", built {_dt.datetime.fromtimestamp(os.path.getmtime(args.wheel), _dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
             if args.wheel and os.path.exists(args.wheel) else "") + f"); repository HEAD {head}")
    print(f"- fatoority {fat_meta['Version']} (PyPI; licence {fat_meta.get('License-Expression') or fat_meta.get('License')})")
    print(f"- Python {platform.python_version()}, {cpu}, {os.cpu_count()} CPUs, load average {' '.join(load)}"
          f", RAYON_NUM_THREADS={os.environ.get('RAYON_NUM_THREADS', 'unset')}")
    print(f"- timing: warm-up, loops of ~{args.target_ms:g} ms, median of {args.repeats}; one thread; clock: "
          + ("wall (perf_counter_ns)" if args.clock == "wall" else "process CPU time (process_time_ns)") + "\n")

    # --- inputs -----------------------------------------------------------------------------
    cert_b64 = (SDK / "Certificates/cert.pem").read_text()
    key_b64 = (SDK / "Certificates/ec-secp256k1-priv-key.pem").read_text()
    q_signer = qayd.Signer(cert_b64, key_b64)  # qayd reads the SDK's bare base64 files as they are
    f_signer = fatoora.Signer.from_pem(
        pem(cert_b64, "CERTIFICATE"),
        pem(base64.b64encode(sec1_to_pkcs8(base64.b64decode(key_b64))).decode(), "PRIVATE KEY"))
    f_config = fatoora.Config()

    docs: dict[str, bytes] = {
        "SDK Simplified_Invoice.xml (signed)": (SDK / "Samples/Simplified/Invoice/Simplified_Invoice.xml").read_bytes(),
        "SDK Standard_Invoice.xml (signed)": (SDK / "Samples/Standard/Invoice/Standard_Invoice.xml").read_bytes(),
        "conformance simplified-invoice.unsigned.xml": (ROOT / "tests/conformance/inputs/simplified-invoice.unsigned.xml").read_bytes(),
        "bench simplified-5-lines.xml (unsigned)": (ROOT / "tests/bench/simplified-5-lines.xml").read_bytes(),
    }
    big_name = None
    if args.lines:
        big_name = f"generated {args.lines}-line simplified (unsigned)"
        docs[big_name] = large_document(args.lines)
    five_stamped_name = "bench 5-line, stamped by qayd"
    docs[five_stamped_name] = q_signer.stamp(docs["bench simplified-5-lines.xml (unsigned)"], signing_time=SIGNING_TIME).xml
    text = {k: v.decode("utf-8") for k, v in docs.items()}
    print("Inputs: " + "; ".join(f"{k} {len(v):,} B" for k, v in docs.items()) + "\n")

    rows: list[tuple] = []  # (operation, input, check, fn_qayd, fn_fat, note)
    notes: list[str] = []

    def check_line(op: str, name: str, mark: str, detail: str) -> None:
        print(f"{mark} {op} — {name}: {detail}")

    def fat_validate(xml: str) -> dict:
        return fatoora.validate_zatca_invoice_from_str(f_config, xml, previous_invoice_hash=pih_of(xml))

    # first (cold) validator calls, for the record: they include one-time setup
    t0 = time.perf_counter()
    qayd.validate(docs["SDK Simplified_Invoice.xml (signed)"])
    q_cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    fat_validate(text["SDK Simplified_Invoice.xml (signed)"])
    f_cold = time.perf_counter() - t0
    notes.append(f"first validator call in the process (one-time setup, not in the table): "
                 f"qayd {q_cold * 1e3:.1f} ms, fatoority {f_cold * 1e3:.1f} ms")

    print("## Agreement checks\n")

    # --- invoice hash -------------------------------------------------------------------------
    hash_inputs = ["SDK Simplified_Invoice.xml (signed)", "SDK Standard_Invoice.xml (signed)",
                   "bench simplified-5-lines.xml (unsigned)"] + ([big_name] if big_name else [])
    expected_hash: dict[str, str] = {}
    for name in hash_inputs:
        b, s = docs[name], text[name]
        try:
            qh = qayd.invoice_hash(b)
            fh = fatoora.invoice_hash_base64_from_xml_str(s)
            mark = OK if qh == fh else BAD
            check_line("hash", name, mark, qh if qh == fh else f"qayd {qh} ≠ fatoority {fh}")
        except Exception as e:  # noqa: BLE001
            mark = BAD
            check_line("hash", name, mark, f"error {e!r}")
        expected_hash[name] = qayd.invoice_hash(b)
        rows.append(("invoice hash", name, mark,
                     lambda b=b: qayd.invoice_hash(b),
                     lambda s=s: fatoora.invoice_hash_base64_from_xml_str(s), ""))

    # --- stamp / sign ---------------------------------------------------------------------------
    stamp_inputs = ["conformance simplified-invoice.unsigned.xml", "bench simplified-5-lines.xml (unsigned)"] \
        + ([big_name] if big_name else [])
    for name in stamp_inputs:
        b, s = docs[name], text[name]
        problems, facts = [], []
        try:
            want = qayd.invoice_hash(b)
            f_out = f_signer.sign_xml(s)
            f_signed = fatoora.parse_signed_invoice_xml(f_out)
            f_time = f_signed.signing_time()
            # the same signing time for qayd, so the two stamps can be compared whole
            q_out = q_signer.stamp(b, signing_time=f_time)
            if q_out.invoice_hash != want:
                problems.append(f"qayd stamp hash {q_out.invoice_hash} ≠ {want}")
            fh = qayd.invoice_hash(f_out)
            if fh != want or fatoora.invoice_hash_base64_from_xml_str(f_out) != want:
                problems.append(f"fatoority stamp hash {fh} ≠ {want}")
            if f_signed.invoice_hash() != want:
                problems.append(f"fatoority reports hash {f_signed.invoice_hash()} ≠ {want}")
            facts.append("same hash")
            # QR: same TLV fields (ECDSA with RFC 6979 nonces: same time, same signature)
            q_qr, f_qr = q_out.qr, f_signed.qr_code()
            if q_qr == f_qr:
                facts.append("identical QR")
            else:
                a = {f.tag: f.value for f in qayd.qr_decode(q_qr)}
                c = {f.tag: f.value for f in qayd.qr_decode(f_qr)}
                diff = [t for t in sorted(set(a) | set(c)) if a.get(t) != c.get(t)]
                (problems if set(diff) - {7} else facts).append(f"QR tags differing: {diff}")
            try:
                if fatoora.parse_signed_invoice_xml(q_out.xml.decode()).qr_code() != q_qr:
                    problems.append("fatoority reads another QR from the qayd stamp")
            except Exception as e:  # noqa: BLE001
                problems.append(f"fatoority cannot parse the qayd stamp: {e!r}")
            facts.append("byte-identical XML" if q_out.xml == f_out.encode() else "XML differs in bytes")
            # each library accepts the other's stamp
            v = qayd.verify(f_out)
            if not v.valid:
                problems.append("qayd.verify rejects fatoority's stamp: " + "; ".join(c.name for c in v.failures))
            else:
                facts.append("qayd.verify accepts fatoority's stamp")
            try:
                r = fat_validate(q_out.xml.decode())
                if r.get("has_errors"):
                    problems.append("fatoority's validator has errors on qayd's stamp")
                else:
                    facts.append(f"fatoority's validator: no errors on qayd's stamp (is_valid={r.get('is_valid')})")
            except Exception as e:  # noqa: BLE001
                facts.append(f"fatoority's validator could not run on qayd's stamp ({type(e).__name__}: {e})")
            mark = BAD if problems else OK
            check_line("stamp", name, mark, "; ".join(problems + facts))
        except Exception as e:  # noqa: BLE001
            mark = BAD
            check_line("stamp", name, mark, f"error {e!r}")
        rows.append(("stamp (sign unsigned XML)", name, mark,
                     lambda b=b: q_signer.stamp(b, signing_time=SIGNING_TIME),
                     lambda s=s: f_signer.sign_xml(s), ""))

    # --- validate ---------------------------------------------------------------------------
    big_stamped_name = None
    if big_name:
        big_stamped_name = f"generated {args.lines}-line, stamped by qayd"
        docs[big_stamped_name] = q_signer.stamp(docs[big_name], signing_time=SIGNING_TIME).xml
        text[big_stamped_name] = docs[big_stamped_name].decode()
    validate_inputs = ["SDK Simplified_Invoice.xml (signed)", "SDK Standard_Invoice.xml (signed)", five_stamped_name] \
        + ([big_stamped_name] if big_stamped_name else [])
    for name in validate_inputs:
        b, s = docs[name], text[name]
        qv = qayd.validate(b)
        qr = qayd.verify(b)
        q_ok = qv.valid and qr.valid
        q_warn = sorted({f.rule for f in qv.findings})
        fat_fn = (lambda s=s: fat_validate(s))
        try:
            r = fat_validate(s)
            f_ok = not r.get("has_errors")
            f_warn = sorted({f.get("code") for st in r["stages"] for f in st.get("findings", [])})
            mark = OK if q_ok == f_ok else BAD
            check_line("validate", name, mark,
                       f"qayd valid={qv.valid}, verify={qr.valid} (findings {q_warn}); fatoority has_errors="
                       f"{r.get('has_errors')}, is_complete={r.get('is_complete')}, is_valid={r.get('is_valid')} "
                       f"(findings {f_warn})")
            note = ""
        except Exception as e:  # noqa: BLE001
            mark = SKIP
            fat_fn = None
            note = f"fatoority fails: {type(e).__name__}: {e}"
            check_line("validate", name, mark, f"qayd valid={qv.valid}, verify={qr.valid}; {note}")
        rows.append(("validate (qayd.validate)", name, mark, lambda b=b: qayd.validate(b), fat_fn, note))
        rows.append(("validate + verify (qayd both)", name, mark,
                     lambda b=b: (qayd.validate(b), qayd.verify(b)), fat_fn, note))

    print("\nQR: neither library exposes QR generation on its own (both build it inside the stamp, "
          "compared above); fatoority reads it back through parse_signed_invoice_xml, qayd has no "
          "comparable extraction call, so QR is not timed.")

    # --- timing -------------------------------------------------------------------------------
    print(f"\n## Per call (µs, median, {args.clock} clock)\n")
    print("| operation | input | qayd µs | fatoority µs | fatoority / qayd | agree | loops (calls × repeats), spread |")
    print("|---|---|---:|---:|---:|:-:|---|")
    sys.stdout.flush()
    key = {"invoice hash": "hash", "stamp (sign unsigned XML)": "stamp",
           "validate (qayd.validate)": "validate", "validate + verify (qayd both)": "validate"}
    for op, name, mark, fq, ff, note in rows:
        if only and key[op] not in only:
            continue
        qm, qlo, qhi, qn = bench(fq, args.repeats, args.target_ms, args.clock)
        if ff is not None:
            fm, flo, fhi, fn = bench(ff, args.repeats, args.target_ms, args.clock)
            fcell, ratio = fmt_us(fm), f"**{fm / qm:,.1f}×**"
            spread = (f"qayd {qn}×{args.repeats} {fmt_us(qlo)}–{fmt_us(qhi)}; "
                      f"fatoority {fn}×{args.repeats} {fmt_us(flo)}–{fmt_us(fhi)}")
        else:
            fcell, ratio = "n/a", "n/a"
            spread = f"qayd {qn}×{args.repeats} {fmt_us(qlo)}–{fmt_us(qhi)}; {note}"
        print(f"| {op} | {name} | {fmt_us(qm)} | {fcell} | {ratio} | {mark} | {spread} |")
        sys.stdout.flush()

    print()
    for n in notes:
        print(f"- {n}")
    try:
        threads = next(l.split()[1] for l in open("/proc/self/status") if l.startswith("Threads:"))
        print(f"- threads in this process at the end: {threads}")
    except Exception:  # noqa: BLE001
        pass
    if CPU_RATIOS:
        print(f"- process CPU time / wall time over the timed loops: {min(CPU_RATIOS):.2f}–{max(CPU_RATIOS):.2f} "
              "(≤ 1: no hidden worker threads; below 1: time lost to other processes on the machine)")
    print(f"- load average at the end: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    return 0 if all(r[2] != BAD for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
