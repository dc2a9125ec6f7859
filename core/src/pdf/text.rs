//! Text as glyphs: the embedded Noto faces, the Unicode bidi algorithm to order mixed Arabic and
//! Latin runs, and rustybuzz shaping so Arabic letters join. krilla's own `draw_text` takes one
//! script and one direction, and invoice values mix both ("شارع الملك فهد 1234").

use krilla::text::{Font, GlyphId, KrillaGlyph};
use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::OnceLock;
use unicode_bidi::{BidiInfo, Level};

static LATIN_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Regular.ttf");
static LATIN_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSans-Bold.ttf");
static ARABIC_REGULAR: &[u8] = include_bytes!("../../assets/fonts/NotoSansArabic-Regular.ttf");
static ARABIC_BOLD: &[u8] = include_bytes!("../../assets/fonts/NotoSansArabic-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Weight {
    Regular,
    Bold,
}

/// A face as krilla embeds it and as rustybuzz shapes with it.
pub(super) struct Face {
    pub font: Font,
    shaper: rustybuzz::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Face {
        // The files are compiled in and parsed by the tests: failing here is a build defect.
        Face {
            font: Font::new(data.into(), 0).expect("embedded font parses"),
            shaper: rustybuzz::Face::from_slice(data, 0).expect("embedded font parses"),
        }
    }

    fn has(&self, c: char) -> bool {
        self.shaper.glyph_index(c).is_some()
    }
}

struct Faces {
    latin: [Face; 2],
    arabic: [Face; 2],
}

/// Loaded once per process: krilla hashes a font's bytes when it is created, so reloading per
/// document would cost more than rendering the page.
fn faces() -> &'static Faces {
    static FACES: OnceLock<Faces> = OnceLock::new();
    FACES.get_or_init(|| Faces {
        latin: [Face::load(LATIN_REGULAR), Face::load(LATIN_BOLD)],
        arabic: [Face::load(ARABIC_REGULAR), Face::load(ARABIC_BOLD)],
    })
}

/// One shaped piece of a line in one face and one direction.
#[derive(Clone)]
pub(super) struct Run {
    pub face: &'static Face,
    pub glyphs: Vec<KrillaGlyph>,
    /// The logical text the glyphs' clusters point into.
    pub text: String,
}

/// A single line of shaped text, its runs in visual order (left to right).
#[derive(Clone)]
pub(super) struct Line {
    pub runs: Vec<Run>,
    pub size: f32,
    pub width: f32,
}

/// The paragraph direction: labels know theirs, document values are detected (first strong
/// character, as the bidi algorithm says).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum Direction {
    Auto,
    Rtl,
}

fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}' | '\u{08A0}'..='\u{08FF}'
        | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Whether the first strongly directional character is right-to-left (the bidi algorithm's
/// paragraph direction).
pub(super) fn first_strong_is_rtl(text: &str) -> bool {
    BidiInfo::new(text, None).paragraphs.first().is_some_and(|p| p.level.is_rtl())
}

/// Shapes `text` (one line; line breaks count as spaces) at `size` points.
pub(super) fn shape(text: &str, size: f32, weight: Weight, direction: Direction) -> Line {
    // A character neither face has (a foreign document's CJK name, an emoji) prints as '?':
    // PDF/A forbids the empty .notdef glyph, and the embedded XML keeps the real text.
    let faces = faces();
    let text: String = text
        .chars()
        .map(|c| match c {
            c if c.is_control() => ' ',
            c if c.is_ascii() || faces.latin[0].has(c) || faces.arabic[0].has(c) => c,
            _ => '?',
        })
        .collect();
    let mut line = Line { runs: Vec::new(), size, width: 0.0 };
    if text.is_empty() {
        return line;
    }
    let base = match direction {
        Direction::Auto => None,
        Direction::Rtl => Some(Level::rtl()),
    };
    let info = BidiInfo::new(&text, base);
    for paragraph in &info.paragraphs {
        let (levels, runs) = info.visual_runs(paragraph, paragraph.range.clone());
        for run in runs {
            let rtl = levels[run.start].is_rtl();
            let mut pieces = segments(&text, run, rtl, weight);
            if rtl {
                pieces.reverse();
            }
            for (face, range) in pieces {
                let shaped = shape_run(face, &text[range], rtl);
                line.width += shaped.glyphs.iter().map(|g| g.x_advance).sum::<f32>() * size;
                line.runs.push(shaped);
            }
        }
    }
    line
}

/// Splits a bidi run into pieces by face: Arabic letters in the Arabic face, the rest in the
/// Latin one, spaces and punctuation staying with their neighbour when its face has them.
fn segments(text: &str, run: Range<usize>, rtl: bool, weight: Weight) -> Vec<(&'static Face, Range<usize>)> {
    let faces = faces();
    let w = usize::from(weight == Weight::Bold);
    let (latin, arabic) = (&faces.latin[w], &faces.arabic[w]);
    let mut pieces: Vec<(&'static Face, Range<usize>)> = Vec::new();
    for (i, c) in text[run.clone()].char_indices() {
        let at = run.start + i;
        let face = if is_arabic(c) {
            arabic
        } else if c.is_alphanumeric() {
            latin
        } else {
            match pieces.last() {
                Some((f, _)) if f.has(c) => f,
                _ if rtl && arabic.has(c) => arabic,
                _ => latin,
            }
        };
        match pieces.last_mut() {
            Some((f, r)) if std::ptr::eq(*f, face) => r.end = at + c.len_utf8(),
            _ => pieces.push((face, at..at + c.len_utf8())),
        }
    }
    pieces
}

fn shape_run(face: &'static Face, text: &str, rtl: bool) -> Run {
    let mut buffer = rustybuzz::UnicodeBuffer::new();
    buffer.push_str(text);
    buffer.guess_segment_properties();
    buffer.set_direction(if rtl {
        rustybuzz::Direction::RightToLeft
    } else {
        rustybuzz::Direction::LeftToRight
    });
    let plan = plan(face, &buffer);
    let output = rustybuzz::shape_with_plan(&face.shaper, &plan, buffer);
    let em = face.shaper.units_per_em() as f32;
    // A glyph's cluster is the byte offset where its characters start; they end where the next
    // cluster (in logical order) begins.
    let mut starts: Vec<usize> = output.glyph_infos().iter().map(|i| i.cluster as usize).collect();
    starts.sort_unstable();
    starts.dedup();
    let end_of = |start: usize| match starts.binary_search(&start) {
        Ok(k) => starts.get(k + 1).copied().unwrap_or(text.len()),
        Err(_) => text.len(),
    };
    let glyphs = output
        .glyph_infos()
        .iter()
        .zip(output.glyph_positions())
        .map(|(info, pos)| {
            let start = info.cluster as usize;
            KrillaGlyph::new(
                GlyphId::new(info.glyph_id),
                pos.x_advance as f32 / em,
                pos.x_offset as f32 / em,
                pos.y_offset as f32 / em,
                pos.y_advance as f32 / em,
                start..end_of(start),
                None,
            )
        })
        .collect();
    Run { face, glyphs, text: text.to_owned() }
}

/// [`shape`] for the fixed labels, cached per thread: they are the same on every page, and a
/// finite set (keyed by the address of the `'static` text), so the cache cannot grow unbounded.
pub(super) fn shape_static(text: &'static str, size: f32, weight: Weight, direction: Direction) -> Line {
    type Key = (usize, usize, u32, Weight, Direction);
    thread_local! {
        static LABELS: RefCell<HashMap<Key, Line>> = RefCell::new(HashMap::new());
    }
    let key = (text.as_ptr() as usize, text.len(), size.to_bits(), weight, direction);
    LABELS.with(|labels| {
        labels.borrow_mut().entry(key).or_insert_with(|| shape(text, size, weight, direction)).clone()
    })
}

/// Shapes with a cached plan: building one (looking up the face's OpenType features for the
/// script) costs more than shaping a short value with it.
fn plan(face: &'static Face, buffer: &rustybuzz::UnicodeBuffer) -> Rc<rustybuzz::ShapePlan> {
    type Key = (usize, bool, rustybuzz::Script);
    thread_local! {
        static PLANS: RefCell<HashMap<Key, Rc<rustybuzz::ShapePlan>>> = RefCell::new(HashMap::new());
    }
    let direction = buffer.direction();
    let script = buffer.script();
    let key = (std::ptr::from_ref(face) as usize, direction == rustybuzz::Direction::RightToLeft, script);
    PLANS.with(|plans| {
        Rc::clone(plans.borrow_mut().entry(key).or_insert_with(|| {
            Rc::new(rustybuzz::ShapePlan::new(
                &face.shaper,
                direction,
                Some(script),
                buffer.language().as_ref(),
                &[],
            ))
        }))
    })
}

/// Breaks `text` into lines no wider than `width`, at spaces (a word longer than the width is
/// broken between characters).
pub(super) fn wrap(text: &str, size: f32, weight: Weight, direction: Direction, width: f32) -> Vec<Line> {
    // Every line keeps the direction of the whole value, not of its own first word.
    let direction = match direction {
        Direction::Auto if first_strong_is_rtl(text) => Direction::Rtl,
        d => d,
    };
    // Most values fit on one line: shape once.
    let whole = shape(text, size, weight, direction);
    if whole.width <= width {
        return vec![whole];
    }
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in text.split_whitespace() {
        let candidate = if current.is_empty() { word.to_owned() } else { format!("{current} {word}") };
        if shape(&candidate, size, weight, direction).width <= width || current.is_empty() {
            current = candidate;
        } else {
            lines.push(std::mem::take(&mut current));
            current = word.to_owned();
        }
        // A single overlong word (a hash, a long ID): cut it where it stops fitting.
        while shape(&current, size, weight, direction).width > width && current.chars().count() > 1 {
            let mut cut = current.len();
            while cut > 0 && shape(&current[..cut], size, weight, direction).width > width {
                cut = current[..cut].char_indices().next_back().map_or(0, |(i, _)| i);
            }
            if cut == 0 {
                break;
            }
            lines.push(current[..cut].to_owned());
            current = current[cut..].to_owned();
        }
    }
    if !current.is_empty() {
        lines.push(current);
    }
    lines.iter().map(|l| shape(l, size, weight, direction)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_is_shaped_right_to_left_in_the_arabic_face() {
        let line = shape("فاتورة ضريبية", 12.0, Weight::Bold, Direction::Rtl);
        assert_eq!(line.runs.len(), 1);
        assert!(std::ptr::eq(line.runs[0].face, &faces().arabic[1]));
        // Joined letters: fewer glyph forms than an unshaped string would have distinct glyphs,
        // and every glyph is a real one (not .notdef).
        assert!(line.runs[0].glyphs.iter().all(|g| g.glyph_id.to_u32() != 0));
        assert!(line.width > 0.0);
    }

    #[test]
    fn mixed_text_puts_digits_in_the_latin_face_and_orders_runs_visually() {
        let line = shape("شارع الملك فهد 1234", 10.0, Weight::Regular, Direction::Auto);
        // Visual order: the digits (LTR inside an RTL paragraph) come first, on the left.
        assert_eq!(line.runs.first().map(|r| r.text.as_str()), Some("1234"));
        assert!(std::ptr::eq(line.runs[0].face, &faces().latin[0]));
        assert!(line.runs.iter().any(|r| r.text.contains("فهد")));
    }

    #[test]
    fn characters_the_fonts_lack_print_as_question_marks() {
        let line = shape("樣品 Ωmega 😀", 10.0, Weight::Regular, Direction::Auto);
        let text: String = line.runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "?? Ωmega ?");
        assert!(line.runs.iter().flat_map(|r| &r.glyphs).all(|g| g.glyph_id.to_u32() != 0));
    }

    #[test]
    fn wrapping_keeps_every_line_within_the_width() {
        let text = "Maximum Speed Tech Supply LTD شركة توريد التكنولوجيا بأقصى سرعة المحدودة";
        let lines = wrap(text, 9.0, Weight::Regular, Direction::Auto, 120.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 120.0));
    }
}
