import re

import pytest

import qayd
from conftest import CONFORMANCE


def _number(xml: bytes) -> str:
    """The document's cbc:ID, after the stamp's own IDs (the embedded file is named after it)."""
    return re.search(rb"<cbc:ProfileID>.*?<cbc:ID>([^<]*)</cbc:ID>", xml, re.S).group(1).decode()


def test_pdf_of_a_stamped_invoice(stamped):
    pdf = qayd.pdf(stamped.xml)
    assert isinstance(pdf, bytes)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    # PDF/A-3: the signed XML is embedded as the PDF's source file, named after the invoice.
    assert b"/AFRelationship" in pdf
    assert f"{_number(stamped.xml)}.xml".encode() in pdf
    assert qayd.pdf(stamped.xml) == pdf, "same document, same PDF"


def test_logo_and_footer_change_the_page(stamped):
    plain = qayd.pdf(stamped.xml)
    logo = qayd.qr_png("logo", 4)
    with_logo = qayd.pdf(stamped.xml, logo=logo)
    with_footer = qayd.pdf(stamped.xml, footer="IBAN SA03 8000 0000 6080 1016 7519")
    both = qayd.pdf(bytearray(stamped.xml), logo=bytearray(logo), footer="شكراً لتعاملكم")
    assert len({plain, with_logo, with_footer, both}) == 4
    assert all(p.startswith(b"%PDF-") for p in (with_logo, with_footer, both))
    assert qayd.pdf(stamped.xml, logo=None, footer=None) == plain


def test_bad_input_raises_the_core_codes(stamped):
    with pytest.raises(qayd.InvalidXmlError) as info:
        qayd.pdf(b"not xml")
    assert info.value.code == "INVALID_XML"
    with pytest.raises(qayd.InvalidDocumentError) as info:
        qayd.pdf((CONFORMANCE / "inputs/not-an-invoice.xml").read_bytes())
    assert info.value.code == "INVALID_DOCUMENT"
    with pytest.raises(qayd.InvalidDocumentError, match="no QR code"):
        qayd.pdf((CONFORMANCE / "inputs/simplified-invoice.unsigned.xml").read_bytes())
    with pytest.raises(qayd.InvalidInputError, match="logo") as info:
        qayd.pdf(stamped.xml, logo=b"GIF89a")
    assert info.value.code == "INVALID_INPUT"
    assert isinstance(info.value, qayd.QaydError)


def test_wrong_types_raise_type_error(stamped):
    with pytest.raises(TypeError):
        qayd.pdf(123)
    with pytest.raises(TypeError):
        qayd.pdf(stamped.xml, logo=42)
    with pytest.raises(TypeError):
        qayd.pdf(stamped.xml, None)  # logo and footer are keyword-only
