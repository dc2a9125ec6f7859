import base64
import struct

import pytest

import qayd


def test_decode_the_stamped_qr(stamped, signer):
    fields = qayd.qr_decode(stamped.qr)
    assert [f.tag for f in fields] == list(range(1, 10))  # simplified: tag 9 too
    by_tag = {f.tag: f for f in fields}
    assert by_tag[1].name == "seller_name"
    assert by_tag[2].value == "399999999900003"
    assert by_tag[6].value == stamped.invoice_hash
    assert by_tag[7].value == stamped.signature
    assert by_tag[8].raw == signer.certificate.public_key
    assert by_tag[8].value == base64.b64encode(by_tag[8].raw).decode()
    assert by_tag[1].raw == by_tag[1].value.encode("utf-8")
    assert "QrField(" in repr(by_tag[1])


def test_standard_invoice_qr_has_no_tag_9(signer, standard):
    fields = qayd.qr_decode(signer.stamp(standard, signing_time="2025-07-22T15:51:28").qr)
    assert [f.tag for f in fields] == list(range(1, 9))


def test_svg():
    svg = qayd.qr_svg("hello")
    assert "<svg" in svg


def test_png_and_scale():
    png = qayd.qr_png("hello")
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width_8 = struct.unpack(">I", png[16:20])[0]
    width_2 = struct.unpack(">I", qayd.qr_png("hello", scale=2)[16:20])[0]
    assert width_8 == 4 * width_2


def test_text():
    assert qayd.qr_text("hello").strip()


@pytest.mark.parametrize("bad", ["***", "AQVhYg==", base64.b64encode(b"\x01").decode()])
def test_bad_payloads_raise_invalid_qr(bad):
    with pytest.raises(qayd.InvalidQrError) as info:
        qayd.qr_decode(bad)
    assert info.value.code == "INVALID_QR"


def test_wrong_types_raise_type_error():
    with pytest.raises(TypeError):
        qayd.qr_decode(b"AQVhYg==")
    with pytest.raises(TypeError):
        qayd.qr_png(None)
