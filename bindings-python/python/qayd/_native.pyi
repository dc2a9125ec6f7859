"""Type stubs of the native module (Rust, PyO3). Import from ``qayd``, not from here."""

from datetime import datetime
from typing import Any, Dict, Final, List, Optional, Union

_Data = Union[bytes, bytearray, str]

__version__: Final[str]
GENESIS_PIH: Final[str]
ERROR_CODES: Final[List[str]]

def invoice_hash(xml: _Data) -> str:
    """The invoice hash: base64 SHA-256 of the C14N 1.1 invoice without its stamp."""

def generate(model: Union[_Data, Dict[str, Any]]) -> bytes:
    """The unsigned UBL 2.1 document of an invoice model (its JSON form, or a dict of it):
    validated against ZATCA's rules, totals computed, written in the SDK's layout.
    Raises InvalidModelError (with ``.rule``) or InvalidInputError (malformed JSON)."""

class Certificate:
    """A signing certificate (compliance or production CSID)."""

    def __init__(self, certificate: _Data) -> None: ...
    @property
    def issuer_name(self) -> str: ...
    @property
    def serial_number(self) -> str:
        """Decimal; it exceeds 64 bits."""
    @property
    def not_before(self) -> datetime:
        """Timezone-aware (UTC)."""
    @property
    def not_after(self) -> datetime:
        """Timezone-aware (UTC)."""
    @property
    def not_before_unix(self) -> int: ...
    @property
    def not_after_unix(self) -> int: ...
    @property
    def der(self) -> bytes: ...
    @property
    def base64(self) -> str: ...
    @property
    def public_key(self) -> bytes:
        """DER SubjectPublicKeyInfo (QR tag 8)."""

class StampedInvoice:
    @property
    def xml(self) -> bytes: ...
    @property
    def invoice_hash(self) -> str: ...
    @property
    def uuid(self) -> str: ...
    @property
    def signature(self) -> str: ...
    @property
    def qr(self) -> str: ...
    @property
    def signing_time(self) -> str: ...

class Signer:
    """A certificate and its private key, checked to belong together.

    Both accept PEM, DER or the SDK's bare base64; the certificate also a binarySecurityToken.
    Raises InvalidCertificateError, InvalidKeyError or KeyMismatchError.
    """

    def __init__(self, certificate: _Data, private_key: _Data) -> None: ...
    def stamp(self, xml: _Data, signing_time: Optional[str] = None) -> StampedInvoice:
        """Stamps an invoice (hash, XAdES signature, QR). ``signing_time``: ``YYYY-MM-DDTHH:MM:SS``
        Riyadh time; ``None`` = now. Releases the GIL."""
    @property
    def certificate(self) -> Certificate: ...

class Check:
    @property
    def name(self) -> str: ...
    @property
    def passed(self) -> bool: ...
    @property
    def message(self) -> str: ...

class VerificationReport:
    @property
    def valid(self) -> bool: ...
    @property
    def invoice_hash(self) -> str: ...
    @property
    def checks(self) -> List[Check]: ...
    @property
    def failures(self) -> List[Check]: ...
    def __bool__(self) -> bool: ...

def verify(xml: _Data) -> VerificationReport:
    """Verifies a stamped invoice check by check; raises only when the input is not an invoice."""

class Finding:
    @property
    def rule(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def message_en(self) -> str: ...
    @property
    def message_ar(self) -> str: ...
    @property
    def fix(self) -> str: ...

class ValidationReport:
    @property
    def valid(self) -> bool: ...
    @property
    def findings(self) -> List[Finding]: ...
    def __bool__(self) -> bool: ...

def validate(xml: _Data) -> ValidationReport:
    """Validates an invoice against the UBL structure and ZATCA's business rules (KSA and
    EN 16931); raises only when the input is not an invoice."""

class QrField:
    @property
    def tag(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def value(self) -> str:
        """Text for tags 1-7; base64 of the raw bytes for tags 8 and 9."""
    @property
    def raw(self) -> bytes: ...

def qr_decode(text: str) -> List[QrField]: ...
def qr_svg(text: str) -> str: ...
def qr_png(text: str, scale: int = 8) -> bytes: ...
def qr_text(text: str) -> str: ...
