#!/usr/bin/env python3
"""Stamp an invoice with the ZATCA SDK's test certificate, verify it, print its hash and QR code.

    pip install ./bindings-python
    python examples/python/stamp_invoice.py [invoice.xml] [--png qr.png]

Without an argument it stamps the SDK's simplified sample invoice. The certificate and key are
ZATCA's published *dummy* test material: never use them for real invoices.
"""

import argparse
import pathlib
import sys

import qayd

REPO = pathlib.Path(__file__).resolve().parents[2]
SDK = REPO / "tests/vectors/sdk-R3.4.8/Data"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("invoice", nargs="?", type=pathlib.Path, default=SDK / "Samples/Simplified/Invoice/Simplified_Invoice.xml")
    parser.add_argument("--png", type=pathlib.Path, help="also write the QR code as a PNG image")
    args = parser.parse_args()

    try:
        signer = qayd.Signer(
            (SDK / "Certificates/cert.pem").read_bytes(),
            (SDK / "Certificates/ec-secp256k1-priv-key.pem").read_bytes(),
        )
        stamped = signer.stamp(args.invoice.read_bytes())
    except qayd.InvalidInputError as error:
        print(f"cannot stamp {args.invoice}: [{error.code}] {error}", file=sys.stderr)
        return 2

    print(f"qayd {qayd.__version__}")
    print(f"certificate : {signer.certificate.issuer_name} (valid until {signer.certificate.not_after:%Y-%m-%d})")
    print(f"uuid        : {stamped.uuid}")
    print(f"signing time: {stamped.signing_time}")
    print(f"invoice hash: {stamped.invoice_hash}")
    print(f"QR          : {stamped.qr}")
    for field in qayd.qr_decode(stamped.qr):
        print(f"  {field.tag:>2} {field.name:<22} {field.value}")

    report = qayd.verify(stamped.xml)
    for check in report.checks:
        print(f"  {'ok  ' if check.passed else 'FAIL'} {check.name:<26} {check.message}")
    print("VALID" if report.valid else "INVALID")

    if args.png:
        args.png.write_bytes(qayd.qr_png(stamped.qr))
        print(f"QR image written to {args.png}")
    return 0 if report.valid else 1


if __name__ == "__main__":
    sys.exit(main())
