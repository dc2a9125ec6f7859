//! The KSA-14 QR code: TLV fields (tag byte, length byte, value), base64, and rendering.

use crate::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// BR-CL-KSA-14: the base64 QR text may hold at most this many characters.
pub const MAX_QR_CHARS: usize = 1000;
/// A TLV length is one byte, so one value holds at most 255 bytes (bytes, not characters:
/// Arabic letters take two bytes each in UTF-8).
pub const MAX_FIELD_BYTES: usize = 255;

/// One decoded TLV field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrField {
    pub tag: u8,
    /// What the tag means (`seller_name`, `vat_number`, …).
    pub name: String,
    /// The value as text where it is text (tags 1–7), else base64 of the raw bytes (tags 8, 9).
    pub value: String,
    #[serde(skip)]
    pub raw: Vec<u8>,
}

/// The name of each tag ZATCA defines.
pub(crate) fn tag_name(tag: u8) -> &'static str {
    match tag {
        1 => "seller_name",
        2 => "vat_number",
        3 => "timestamp",
        4 => "invoice_total",
        5 => "vat_total",
        6 => "invoice_hash",
        7 => "signature",
        8 => "public_key",
        9 => "certificate_signature",
        _ => "unknown",
    }
}

/// Encodes `(tag, value)` pairs as TLV and then base64.
pub fn encode(fields: &[(u8, &[u8])]) -> Result<String> {
    let mut tlv = Vec::with_capacity(fields.iter().map(|(_, v)| v.len() + 2).sum());
    for (tag, value) in fields {
        if value.len() > MAX_FIELD_BYTES {
            return Err(Error::InvalidQr(format!(
                "QR field {tag} ({}) is {} bytes in UTF-8; a TLV field holds at most {MAX_FIELD_BYTES}",
                tag_name(*tag),
                value.len()
            )));
        }
        tlv.push(*tag);
        tlv.push(value.len() as u8);
        tlv.extend_from_slice(value);
    }
    let text = B64.encode(&tlv);
    if text.len() > MAX_QR_CHARS {
        return Err(Error::InvalidQr(format!(
            "the QR code is {} base64 characters; BR-CL-KSA-14 allows at most {MAX_QR_CHARS} (shorten the seller name)",
            text.len()
        )));
    }
    Ok(text)
}

/// Decodes a base64 TLV QR payload into its fields.
pub fn decode(base64_text: &str) -> Result<Vec<QrField>> {
    let bytes = B64
        .decode(base64_text.trim().as_bytes())
        .map_err(|e| Error::InvalidQr(format!("not base64 ({e})")))?;
    let mut fields = Vec::new();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let [tag, len, tail @ ..] = rest else {
            return Err(Error::InvalidQr("truncated TLV: a tag without a length".into()));
        };
        let len = *len as usize;
        if tail.len() < len {
            return Err(Error::InvalidQr(format!(
                "truncated TLV: field {tag} announces {len} bytes but only {} remain",
                tail.len()
            )));
        }
        let raw = tail[..len].to_vec();
        let value = match tag {
            1..=7 => String::from_utf8(raw.clone())
                .map_err(|_| Error::InvalidQr(format!("field {tag} is not UTF-8 text")))?,
            _ => B64.encode(&raw),
        };
        fields.push(QrField { tag: *tag, name: tag_name(*tag).into(), value, raw });
        rest = &tail[len..];
    }
    Ok(fields)
}

fn matrix(text: &str) -> Result<qrcode::QrCode> {
    qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| Error::InvalidQr(format!("cannot draw the QR code ({e})")))
}

/// The QR code's side in modules and its modules row by row (`true` = dark), for drawing it
/// elsewhere (the PDF draws it as an image). The same data and error correction as
/// [`render_png`]; the mask is chosen here with ISO/IEC 18004's penalty rules over a flat bitmap,
/// because the qrcode crate's scorer takes milliseconds on ZATCA's version 12–16 codes.
pub fn modules(text: &str) -> Result<(usize, Vec<bool>)> {
    use qrcode::canvas::{Canvas, MaskPattern, Module};
    let level = qrcode::EcLevel::M;
    let error = |e: qrcode::types::QrError| Error::InvalidQr(format!("cannot draw the QR code ({e})"));
    let bits = qrcode::bits::encode_auto(text.as_bytes(), level).map_err(error)?;
    let version = bits.version();
    let (data, ecc) = qrcode::ec::construct_codewords(&bits.into_bytes(), version, level).map_err(error)?;
    let mut canvas = Canvas::new(version, level);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ecc);
    let n = version.width() as usize;
    // Read the unmasked symbol once; each mask then flips the data modules in a flat bitmap
    // (the format information, drawn with the chosen mask, is scored as light).
    let mut color = vec![false; n * n];
    let mut data_module = vec![false; n * n];
    for y in 0..n {
        for x in 0..n {
            let (c, is_data) = match canvas.get(x as i16, y as i16) {
                Module::Unmasked(c) => (c, true),
                Module::Masked(c) => (c, false),
                Module::Empty => (qrcode::Color::Light, false),
            };
            color[y * n + x] = c == qrcode::Color::Dark;
            data_module[y * n + x] = is_data;
        }
    }
    /// Whether the mask flips the data module at (x, y) (ISO/IEC 18004 table 10).
    type Flips = fn(usize, usize) -> bool;
    let masks: [(MaskPattern, Flips); 8] = [
        (MaskPattern::Checkerboard, |x, y| (x + y) % 2 == 0),
        (MaskPattern::HorizontalLines, |_, y| y % 2 == 0),
        (MaskPattern::VerticalLines, |x, _| x % 3 == 0),
        (MaskPattern::DiagonalLines, |x, y| (x + y) % 3 == 0),
        (MaskPattern::LargeCheckerboard, |x, y| (y / 2 + x / 3) % 2 == 0),
        (MaskPattern::Fields, |x, y| (x * y) % 2 + (x * y) % 3 == 0),
        (MaskPattern::Diamonds, |x, y| ((x * y) % 2 + (x * y) % 3) % 2 == 0),
        (MaskPattern::Meadow, |x, y| ((x + y) % 2 + (x * y) % 3) % 2 == 0),
    ];
    let mut dark = vec![false; n * n];
    let mut best = (usize::MAX, MaskPattern::Checkerboard);
    for (pattern, flips) in masks {
        for (i, d) in dark.iter_mut().enumerate() {
            *d = color[i] ^ (data_module[i] && flips(i % n, i / n));
        }
        let score = penalty(n, &dark);
        if score < best.0 {
            best = (score, pattern);
        }
    }
    canvas.apply_mask(best.1);
    Ok((n, canvas.into_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect()))
}

/// ISO/IEC 18004 §7.8.3: runs of five or more, 2×2 blocks, finder-like 1:1:3:1:1 patterns, and
/// the distance of the dark share from 50 %. The lowest total is the mask to use.
fn penalty(n: usize, dark: &[bool]) -> usize {
    // The finder-like pattern 1011101 with four light modules after (or before) it, as the last
    // eleven modules of a line read into a shift register.
    const FINDER_THEN_LIGHT: u16 = 0b101_1101_0000;
    const LIGHT_THEN_FINDER: u16 = 0b000_0101_1101;
    // Columns are scored as the rows of the transposed symbol: both passes read memory in order.
    let transposed: Vec<bool> = (0..n).flat_map(|x| (0..n).map(move |y| dark[y * n + x])).collect();
    let mut score = 0;
    for line in dark.chunks_exact(n).chain(transposed.chunks_exact(n)) {
        let (mut run, mut last, mut window) = (0, !line[0], 0u16);
        for (i, &d) in line.iter().enumerate() {
            if d == last {
                run += 1;
            } else {
                score += if run >= 5 { run - 2 } else { 0 };
                run = 1;
                last = d;
            }
            window = ((window << 1) | u16::from(d)) & 0x7FF;
            if i >= 10 && (window == FINDER_THEN_LIGHT || window == LIGHT_THEN_FINDER) {
                score += 40;
            }
        }
        score += if run >= 5 { run - 2 } else { 0 };
    }
    for (row, next) in dark.chunks(n).zip(dark.chunks(n).skip(1)) {
        for x in 0..n - 1 {
            let c = row[x];
            if row[x + 1] == c && next[x] == c && next[x + 1] == c {
                score += 3;
            }
        }
    }
    let percent = dark.iter().filter(|d| **d).count() * 100 / (n * n);
    score + 10 * (percent.abs_diff(50) / 5)
}

/// An SVG image of the QR code carrying `text`.
pub fn render_svg(text: &str) -> Result<String> {
    Ok(matrix(text)?.render::<qrcode::render::svg::Color<'_>>().min_dimensions(200, 200).build())
}

/// A PNG image of the QR code carrying `text`, `scale` pixels per module, with a 4-module margin.
pub fn render_png(text: &str, scale: u32) -> Result<Vec<u8>> {
    let code = matrix(text)?;
    let dark: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    png_of_modules(code.width(), &dark, scale)
}

/// A grayscale PNG of `modules` × `modules` modules (`dark` row by row), `scale` pixels per
/// module, with a 4-module margin.
fn png_of_modules(modules: usize, dark: &[bool], scale: u32) -> Result<Vec<u8>> {
    let (size, pixels) = pixels_of_modules(modules, dark, scale);
    let mut png_bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut png_bytes, size, size);
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(|e| Error::InvalidQr(e.to_string()))?;
    writer.write_image_data(&pixels).map_err(|e| Error::InvalidQr(e.to_string()))?;
    writer.finish().map_err(|e| Error::InvalidQr(e.to_string()))?;
    Ok(png_bytes)
}

/// The side in pixels and the 8-bit grayscale pixels (0 dark, 255 light) of the code, `scale`
/// pixels per module, with a 4-module margin.
pub(crate) fn pixels_of_modules(modules: usize, dark: &[bool], scale: u32) -> (u32, Vec<u8>) {
    let scale = scale.clamp(1, 64);
    let modules = modules as u32;
    let size = (modules + 8) * scale;
    let mut pixels = vec![255u8; (size * size) as usize];
    for (i, _) in dark.iter().enumerate().filter(|(_, d)| **d) {
        let (mx, my) = (i as u32 % modules, i as u32 / modules);
        for dy in 0..scale {
            let row = ((my + 4) * scale + dy) * size;
            let start = (row + (mx + 4) * scale) as usize;
            pixels[start..start + scale as usize].fill(0);
        }
    }
    (size, pixels)
}

/// The QR drawn with Unicode half blocks, for a terminal.
pub fn render_text(text: &str) -> Result<String> {
    Ok(matrix(text)?.render::<qrcode::render::unicode::Dense1x2>().quiet_zone(true).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_with_arabic_lengths_in_bytes() {
        let name = "شركة | Co";
        let text = encode(&[(1, name.as_bytes()), (2, b"399999999900003")]).unwrap();
        let fields = decode(&text).unwrap();
        assert_eq!(fields[0].value, name);
        assert_eq!(fields[0].raw.len(), name.len());
        assert!(name.len() > name.chars().count());
        assert_eq!(fields[1].tag, 2);
    }

    #[test]
    fn over_long_field_and_truncation_are_errors() {
        let long = "ش".repeat(128); // 256 bytes, 128 characters
        assert_eq!(encode(&[(1, long.as_bytes())]).unwrap_err().code(), "INVALID_QR");
        assert!(decode(&B64.encode([1u8, 5, b'a'])).is_err());
        assert!(decode(&B64.encode([1u8])).is_err());
        assert!(decode("***").is_err());
    }

    #[test]
    fn total_length_limit() {
        let v = vec![b'a'; 200];
        let fields: Vec<(u8, &[u8])> = (1..=5).map(|t| (t, v.as_slice())).collect();
        assert!(encode(&fields).unwrap_err().to_string().contains("BR-CL-KSA-14"));
    }

    #[test]
    fn renders() {
        assert!(render_svg("hello").unwrap().contains("<svg"));
        assert!(render_png("hello", 4).unwrap().starts_with(b"\x89PNG"));
        assert!(!render_text("hello").unwrap().is_empty());
    }
}

#[cfg(test)]
mod mask_tests {
    /// The mask scorer follows the same ISO rules as the qrcode crate's: on a ZATCA-size payload
    /// both pick the same mask, so the PDF and the PNG show the same symbol.
    #[test]
    fn modules_choose_the_mask_the_qrcode_crate_chooses() {
        let payload = "AW/YtNix2YPYqSDYqtmI2LHZitivINin2YTYqtmD2YbZiNmE2YjYrNmK2Kcg2KjYo9mC2LXZiSDYs9ix2LnYqSDYp9mE2YXYrdivIHwgTWF4aW11bSBTcGVlZCBUZWNoIFN1cHBseSBMVEQCDzM5OTk5OTk5OTkwMDAwMwMTMjAyMi0wOS0wN1QxMjoyMToyOAQENC42MAUEMC42MA";
        for text in [payload.to_owned(), "x".repeat(500)] {
            let (width, ours) = super::modules(&text).unwrap();
            let code = super::matrix(&text).unwrap();
            let theirs: Vec<bool> = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
            assert_eq!(width, code.width());
            assert!(ours == theirs, "a different mask for a {}-character payload", text.len());
        }
    }
}
