//! Writes the laid-out pages with krilla as PDF/A-3b: fonts embedded as subsets, colours in
//! sRGB, XMP metadata, and the signed XML attached as the document's source (an associated file
//! with `AFRelationship /Source`, MIME `application/xml`). krilla checks the PDF/A rules it can
//! check while writing and refuses to produce a file that breaks them.

use super::facts::Facts;
use super::labels;
use super::layout::{Color, Op, PAGE_HEIGHT, PAGE_WIDTH};
use crate::error::{Error, Result};
use krilla::configure::{Configuration, Validator};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::{BitsPerComponent, CustomImage, Image, ImageColorspace};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::{Document, SerializeSettings};

/// Reads the logo; a file that is not a PNG is the caller's error, named as such.
pub(super) fn logo(png: &[u8]) -> Result<Image> {
    // No interpolation: PDF/A forbids the flag.
    Image::from_png(png.to_vec().into(), false)
        .map_err(|e| Error::InvalidInput(format!("the logo is not a readable PNG image ({e})")))
}

pub(super) fn write(pages: Vec<Vec<Op>>, facts: &Facts, logo: Option<Image>, xml: &[u8]) -> Result<Vec<u8>> {
    let settings = SerializeSettings {
        configuration: Configuration::new_with_validator(Validator::A3_B),
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    // The document's own issue time, not the clock: the same XML always gives the same PDF.
    let issued = issue_time(facts);
    let title = labels::title(facts.kind, facts.simplified);
    document.set_metadata(
        Metadata::new()
            .title(format!("{} {} · {}", title.0, facts.number, title.1))
            .creator("Qayd".to_owned())
            .producer(format!("Qayd {}", crate::VERSION))
            .language("ar-SA".to_owned())
            .creation_date(issued),
    );
    let qr = qr_image(&facts.qr)?;
    for ops in pages {
        let settings = PageSettings::new(Size::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid size"));
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, &qr, logo.as_ref());
        }
        surface.finish();
        page.finish();
    }
    document.embed_file(EmbeddedFile {
        path: attachment_name(&facts.number),
        mime_type: MimeType::new("application/xml"),
        description: Some("The signed ZATCA e-invoice (UBL 2.1 XML) this PDF was made from".to_owned()),
        association_kind: AssociationKind::Source,
        data: xml.to_vec().into(),
        modification_date: Some(issued),
        compress: Some(true),
        location: None,
    });
    document.finish().map_err(|e| Error::InvalidDocument(format!("cannot write the PDF/A-3 file: {e:?}")))
}

/// `<number>.xml` with anything but letters, digits, `-` and `_` replaced.
fn attachment_name(number: &str) -> String {
    let safe: String = number
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .collect();
    format!("{safe}.xml")
}

/// `IssueDate` and `IssueTime` as a PDF date (Riyadh time, UTC+3); midnight when the time is
/// missing or unreadable.
fn issue_time(facts: &Facts) -> DateTime {
    let number = |s: &str, range: std::ops::Range<usize>| s.get(range).and_then(|p| p.parse::<u16>().ok());
    let d = facts.issue_date.as_str();
    let t = facts.issue_time.as_deref().unwrap_or("");
    let mut at = DateTime::new(number(d, 0..4).unwrap_or(1970))
        .month(number(d, 5..7).unwrap_or(1).clamp(1, 12) as u8)
        .day(number(d, 8..10).unwrap_or(1).clamp(1, 31) as u8)
        .utc_offset_hour(3)
        .utc_offset_minute(0);
    if let (Some(h), Some(m), Some(s)) = (number(t, 0..2), number(t, 3..5), number(t, 6..8)) {
        at = at.hour(h.min(23) as u8).minute(m.min(59) as u8).second(s.min(59) as u8);
    }
    at
}

fn fill(color: Color) -> Fill {
    Fill { paint: krilla::color::rgb::Color::new(color.0, color.1, color.2).into(), ..Fill::default() }
}

fn draw(surface: &mut Surface<'_>, op: Op, qr: &Image, logo: Option<&Image>) {
    match op {
        Op::Text { line, x, baseline, color } => {
            surface.set_fill(Some(fill(color)));
            let mut x = x;
            for run in &line.runs {
                surface.draw_glyphs(
                    Point::from_xy(x, baseline),
                    &run.glyphs,
                    run.face.font.clone(),
                    &run.text,
                    line.size,
                    false,
                );
                x += run.glyphs.iter().map(|g| g.x_advance).sum::<f32>() * line.size;
            }
        }
        Op::Fill { x, y, w, h, color } => {
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                let mut path = PathBuilder::new();
                path.push_rect(rect);
                if let Some(path) = path.finish() {
                    surface.set_fill(Some(fill(color)));
                    surface.draw_path(&path);
                }
            }
        }
        Op::Frame { x, y, w, h, color } => {
            if let Some(rect) = Rect::from_xywh(x, y, w, h) {
                let mut path = PathBuilder::new();
                path.push_rect(rect);
                if let Some(path) = path.finish() {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: krilla::color::rgb::Color::new(color.0, color.1, color.2).into(),
                        width: 0.75,
                        ..Stroke::default()
                    }));
                    surface.draw_path(&path);
                    surface.set_stroke(None);
                }
            }
        }
        Op::Qr { x, y, size } => draw_image(surface, qr, x, y, size, size),
        Op::Logo { x, y, w, h } => {
            if let Some(image) = logo {
                draw_image(surface, image, x, y, w, h);
            }
        }
    }
}

fn draw_image(surface: &mut Surface<'_>, image: &Image, x: f32, y: f32, w: f32, h: f32) {
    if let Some(size) = Size::from_wh(w, h) {
        surface.push_transform(&Transform::from_translate(x, y));
        surface.draw_image(image.clone(), size);
        surface.pop();
    }
}

/// The QR code as an image of 2 × 2 pixels per module, quiet zone included, drawn without
/// interpolation so every module prints as a sharp square (at one pixel per module poppler's
/// scaling at 150 dpi already blurs it past scanning). (As vector squares it would be a
/// content stream of a thousand rectangles to compress: most of the time to write a page.)
fn qr_image(qr: &str) -> Result<Image> {
    let (width, dark) = crate::qr::modules(qr)?;
    let (side, pixels) = crate::qr::pixels_of_modules(width, &dark, 2);
    Image::from_custom(QrPixels { side, pixels }, false)
        .map_err(|e| Error::InvalidQr(format!("cannot draw the QR code ({e})")))
}

/// The QR code's grayscale pixels handed to krilla as they are (no PNG to encode and decode).
#[derive(Hash, Clone)]
struct QrPixels {
    side: u32,
    pixels: Vec<u8>,
}

impl CustomImage for QrPixels {
    fn color_channel(&self) -> &[u8] {
        &self.pixels
    }
    fn alpha_channel(&self) -> Option<&[u8]> {
        None
    }
    fn bits_per_component(&self) -> BitsPerComponent {
        BitsPerComponent::Eight
    }
    fn size(&self) -> (u32, u32) {
        (self.side, self.side)
    }
    fn icc_profile(&self) -> Option<&[u8]> {
        None
    }
    fn color_space(&self) -> ImageColorspace {
        ImageColorspace::Luma
    }
}
