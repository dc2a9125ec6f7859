//! Where everything goes on an A4 page, as a list of drawing operations per page: pure geometry,
//! no PDF, so the page can grow onto more pages (the lines table repeats its header) before
//! anything is written. English reads from the left edge, Arabic from the right edge of the
//! same row, so each language keeps its own direction.

use super::facts::{Facts, Party};
use super::labels::{self, Label};
use super::text::{Direction, Line, Weight, shape, shape_static, wrap};

pub(super) const PAGE_WIDTH: f32 = 595.28;
pub(super) const PAGE_HEIGHT: f32 = 841.89;
const MARGIN: f32 = 36.0;
const CONTENT: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;
/// Room kept at the foot of every page for the page number.
const BOTTOM: f32 = PAGE_HEIGHT - MARGIN - 18.0;
/// 40 mm including the quiet zone: the code itself stays above the ~25 mm a phone needs to read
/// ZATCA's version 12–16 codes from paper.
pub(super) const QR_SIZE: f32 = 113.4;

pub(super) type Color = (u8, u8, u8);
const INK: Color = (33, 37, 41);
const MUTED: Color = (96, 104, 112);
const ACCENT: Color = (0, 108, 53);
const BAND: Color = (232, 242, 236);
const STRIPE: Color = (247, 249, 248);
const RULE: Color = (200, 206, 210);

pub(super) enum Op {
    Text { line: Line, x: f32, baseline: f32, color: Color },
    Fill { x: f32, y: f32, w: f32, h: f32, color: Color },
    Frame { x: f32, y: f32, w: f32, h: f32, color: Color },
    Qr { x: f32, y: f32, size: f32 },
    Logo { x: f32, y: f32, w: f32, h: f32 },
}

/// Point size, weight and colour of a piece of text.
#[derive(Clone, Copy)]
struct Style(f32, Weight, Color);

#[derive(Clone, Copy)]
enum Align {
    Left(f32),
    Right(f32),
    Center(f32),
}

struct Composer {
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    y: f32,
    /// The title and number repeated at the top of every page after the first.
    running_head: Option<(Label, String)>,
}

impl Composer {
    fn text(&mut self, s: &str, style: Style, dir: Direction, at: Align, baseline: f32) {
        let Style(size, weight, color) = style;
        let line = shape(s, size, weight, dir);
        self.line(line, at, baseline, color);
    }

    /// A label: shaped once per process and reused (a page has about seventy of them).
    fn fixed(&mut self, s: &'static str, style: Style, dir: Direction, at: Align, baseline: f32) {
        let Style(size, weight, color) = style;
        self.line(shape_static(s, size, weight, dir), at, baseline, color);
    }

    fn line(&mut self, line: Line, at: Align, baseline: f32, color: Color) {
        let x = match at {
            Align::Left(x) => x,
            Align::Right(x) => x - line.width,
            Align::Center(x) => x - line.width / 2.0,
        };
        self.ops.push(Op::Text { line, x, baseline, color });
    }

    /// An English label at `left` and its Arabic at `right`, on one baseline.
    fn label(&mut self, label: Label, left: f32, right: f32, baseline: f32, style: Style) {
        let Style(size, weight, color) = style;
        self.fixed(label.0, style, Direction::Auto, Align::Left(left), baseline);
        self.fixed(label.1, Style(size + 0.5, weight, color), Direction::Rtl, Align::Right(right), baseline);
    }

    fn fill(&mut self, x: f32, y: f32, w: f32, h: f32, color: Color) {
        self.ops.push(Op::Fill { x, y, w, h, color });
    }

    fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = MARGIN;
        if let Some((title, number)) = self.running_head.clone() {
            let style = Style(8.0, Weight::Bold, MUTED);
            self.text(
                &format!("{} {number}", title.0),
                style,
                Direction::Auto,
                Align::Left(MARGIN),
                MARGIN + 8.0,
            );
            self.fixed(title.1, style, Direction::Rtl, Align::Right(RIGHT), MARGIN + 8.0);
            self.y += 16.0;
        }
    }

    /// Starts a new page unless `height` more fits on this one.
    fn room(&mut self, height: f32) -> bool {
        if self.y + height > BOTTOM {
            self.new_page();
            return true;
        }
        false
    }
}

/// Lays out the document; `logo` is the logo's pixel size when there is one.
pub(super) fn compose(
    facts: &Facts,
    invoice_hash: &str,
    logo: Option<(u32, u32)>,
    footer: Option<&str>,
) -> Vec<Vec<Op>> {
    let running_head = Some((labels::title(facts.kind, facts.simplified), facts.number.clone()));
    let mut c = Composer { pages: Vec::new(), ops: Vec::new(), y: MARGIN, running_head };
    header(&mut c, facts, logo);
    parties(&mut c, facts);
    lines(&mut c, facts);
    allowance_charges(&mut c, facts);
    totals(&mut c, facts);
    closing(&mut c, invoice_hash, footer);
    c.running_head = None;
    c.new_page();
    let count = c.pages.len();
    for (i, page) in c.pages.iter_mut().enumerate() {
        let mut foot = Composer { pages: Vec::new(), ops: Vec::new(), y: 0.0, running_head: None };
        let baseline = PAGE_HEIGHT - MARGIN + 4.0;
        let number = format!("{} {} / {}", labels::PAGE.0, i + 1, count);
        foot.text(
            &number,
            Style(7.5, Weight::Regular, MUTED),
            Direction::Auto,
            Align::Left(MARGIN),
            baseline,
        );
        let number = format!("{} {} / {}", labels::PAGE.1, i + 1, count);
        foot.text(&number, Style(8.0, Weight::Regular, MUTED), Direction::Rtl, Align::Right(RIGHT), baseline);
        page.append(&mut foot.ops);
    }
    c.pages
}

fn header(c: &mut Composer, facts: &Facts, logo: Option<(u32, u32)>) {
    if let Some((w, h)) = logo.filter(|(w, h)| *w > 0 && *h > 0) {
        let scale = (150.0 / w as f32).min(48.0 / h as f32);
        c.ops.push(Op::Logo { x: MARGIN, y: c.y, w: w as f32 * scale, h: h as f32 * scale });
        c.y += h as f32 * scale + 10.0;
    }
    let title = labels::title(facts.kind, facts.simplified);
    c.fixed(title.0, Style(18.0, Weight::Bold, ACCENT), Direction::Auto, Align::Left(MARGIN), c.y + 18.0);
    c.fixed(title.1, Style(19.0, Weight::Bold, ACCENT), Direction::Rtl, Align::Right(RIGHT), c.y + 18.0);
    c.y += 28.0;
    c.fill(MARGIN, c.y, CONTENT, 1.5, ACCENT);
    c.y += 10.0;

    // The document's particulars on the left, its QR code on the right.
    let top = c.y;
    c.ops.push(Op::Qr { x: RIGHT - QR_SIZE, y: top, size: QR_SIZE });
    let right = RIGHT - QR_SIZE - 16.0;
    let value_x = MARGIN + 96.0;
    let value_width = right - 84.0 - value_x;
    let issued = match &facts.issue_time {
        Some(t) => format!("{} {t}", facts.issue_date),
        None => facts.issue_date.clone(),
    };
    let mut rows: Vec<(Label, String)> =
        vec![(labels::NUMBER, facts.number.clone()), (labels::ISSUE_DATE, issued)];
    if let Some(d) = &facts.supply_date {
        rows.push((labels::SUPPLY_DATE, d.clone()));
    }
    if let Some(r) = &facts.billing_reference {
        rows.push((labels::ORIGINAL, r.clone()));
    }
    if let Some(r) = &facts.reason {
        rows.push((labels::REASON, r.clone()));
    }
    rows.push((labels::CURRENCY, facts.currency.clone()));
    if let Some(code) = &facts.payment_means {
        let named =
            labels::payment_means(code).map_or_else(|| code.clone(), |(en, ar)| format!("{en} · {ar}"));
        rows.push((labels::PAYMENT, named));
    }
    if let Some(icv) = &facts.icv {
        rows.push((labels::ICV, icv.clone()));
    }
    if let Some(uuid) = &facts.uuid {
        rows.push((labels::UUID, uuid.clone()));
    }
    for (label, value) in rows {
        let values = wrap(&value, 9.0, Weight::Regular, Direction::Auto, value_width);
        c.label(label, MARGIN, right, c.y + 10.0, Style(8.0, Weight::Regular, MUTED));
        for line in values {
            c.line(line, Align::Left(value_x), c.y + 10.0, INK);
            c.y += 13.0;
        }
    }
    c.y = c.y.max(top + QR_SIZE) + 12.0;
    if !facts.notes.is_empty() {
        c.label(labels::NOTES, MARGIN, RIGHT, c.y + 9.0, Style(8.0, Weight::Regular, MUTED));
        c.y += 12.0;
        for note in &facts.notes {
            for line in wrap(note, 9.0, Weight::Regular, Direction::Auto, CONTENT) {
                let at = if is_rtl(note) { Align::Right(RIGHT) } else { Align::Left(MARGIN) };
                c.line(line, at, c.y + 9.0, INK);
                c.y += 12.0;
            }
        }
        c.y += 8.0;
    }
}

/// Whether a value reads right to left (then it is aligned right).
fn is_rtl(s: &str) -> bool {
    super::text::first_strong_is_rtl(s)
}

/// A field's value lines, wrapped once and aligned by the value's own direction.
type Field = (Label, Vec<(Line, bool)>);

fn parties(c: &mut Composer, facts: &Facts) {
    let width = (CONTENT - 12.0) / 2.0;
    let boxes: Vec<Vec<Field>> = [&facts.seller, &facts.buyer]
        .into_iter()
        .map(|party| {
            party_fields(party)
                .into_iter()
                .map(|(label, values)| {
                    let lines = values
                        .iter()
                        .flat_map(|v| {
                            let rtl = is_rtl(v);
                            wrap(v, 9.0, Weight::Regular, Direction::Auto, width - 12.0)
                                .into_iter()
                                .map(move |l| (l, rtl))
                        })
                        .collect();
                    (label, lines)
                })
                .collect()
        })
        .collect();
    let heights = boxes
        .iter()
        .map(|fields| fields.iter().map(|(_, lines)| 14.0 + 12.0 * lines.len() as f32).sum::<f32>());
    let height = 20.0 + heights.fold(0.0, f32::max) + 4.0;
    c.room(height);
    let top = c.y;
    for (i, (fields, title)) in boxes.into_iter().zip([labels::SELLER, labels::BUYER]).enumerate() {
        let x = MARGIN + i as f32 * (width + 12.0);
        c.fill(x, top, width, 18.0, BAND);
        c.label(title, x + 6.0, x + width - 6.0, top + 13.0, Style(10.0, Weight::Bold, ACCENT));
        let mut y = top + 20.0;
        if fields.is_empty() {
            c.text("—", Style(9.0, Weight::Regular, MUTED), Direction::Auto, Align::Left(x + 6.0), y + 12.0);
        }
        for (label, lines) in fields {
            c.label(label, x + 6.0, x + width - 6.0, y + 9.0, Style(7.0, Weight::Regular, MUTED));
            y += 11.0;
            for (line, rtl) in lines {
                let align = if rtl { Align::Right(x + width - 6.0) } else { Align::Left(x + 6.0) };
                c.line(line, align, y + 9.5, INK);
                y += 12.0;
            }
            y += 3.0;
        }
        c.ops.push(Op::Frame { x, y: top, w: width, h: height, color: RULE });
    }
    c.y = top + height + 14.0;
}

fn party_fields(p: &Party) -> Vec<(Label, Vec<String>)> {
    let mut fields = Vec::new();
    if let Some(n) = &p.name {
        fields.push((labels::NAME, vec![n.clone()]));
    }
    if let Some(v) = &p.vat {
        fields.push((labels::VAT_NUMBER, vec![v.clone()]));
    }
    for (scheme, id) in &p.ids {
        fields.push((scheme_label(scheme), vec![id.clone()]));
    }
    if !p.address.is_empty() {
        fields.push((labels::ADDRESS, p.address.clone()));
    }
    fields
}

/// ZATCA's other seller and buyer identifiers (BR-KSA-08, BR-KSA-14).
fn scheme_label(scheme: &str) -> Label {
    match scheme {
        "CRN" => ("Commercial registration", "السجل التجاري"),
        "MOM" => ("MOMRA licence", "رخصة وزارة الشؤون البلدية"),
        "MLS" => ("MHRSD licence", "رخصة وزارة الموارد البشرية"),
        "700" => ("700 number", "الرقم الموحد 700"),
        "SAG" => ("MISA licence", "رخصة وزارة الاستثمار"),
        "NAT" => ("National ID", "الهوية الوطنية"),
        "IQA" => ("Iqama number", "رقم الإقامة"),
        "PAS" => ("Passport number", "رقم جواز السفر"),
        "GCC" => ("GCC ID", "هوية مواطن خليجي"),
        "TIN" => ("Tax identification number", "الرقم المميز"),
        _ => ("Other ID", "معرف آخر"),
    }
}

/// Column left edges and widths of the lines table.
const COLUMNS: [(Label, f32, bool); 9] = [
    (labels::LINE_NO, 20.0, false),
    (labels::DESCRIPTION, 129.0, false),
    (labels::QUANTITY, 64.0, true),
    (labels::UNIT_PRICE, 52.0, true),
    (labels::DISCOUNT, 46.0, true),
    (labels::VAT_RATE, 42.0, true),
    (labels::NET, 56.0, true),
    (labels::VAT_AMOUNT, 54.0, true),
    (labels::LINE_TOTAL, 60.28, true),
];

fn table_header(c: &mut Composer) {
    let top = c.y;
    c.fill(MARGIN, top, CONTENT, 26.0, BAND);
    let mut x = MARGIN;
    for (label, width, numeric) in COLUMNS {
        let at = |dx: f32| if numeric { Align::Right(x + width - 4.0) } else { Align::Left(x + dx) };
        c.fixed(label.0, Style(7.5, Weight::Bold, ACCENT), Direction::Auto, at(4.0), top + 10.5);
        c.fixed(label.1, Style(8.0, Weight::Bold, ACCENT), Direction::Rtl, at(4.0), top + 21.5);
        x += width;
    }
    c.y += 26.0;
}

fn lines(c: &mut Composer, facts: &Facts) {
    c.room(26.0 + 18.0);
    table_header(c);
    for (n, line) in facts.lines.iter().enumerate() {
        let mut description = wrap(&line.name, 8.5, Weight::Regular, Direction::Auto, COLUMNS[1].1 - 8.0);
        let height = 6.0 + 11.0 * description.len().max(1) as f32;
        if c.room(height) {
            table_header(c);
        }
        if n % 2 == 1 {
            c.fill(MARGIN, c.y, CONTENT, height, STRIPE);
        }
        let baseline = c.y + 11.5;
        let cells = [
            Some(line.id.as_str()),
            None,
            Some(line.quantity.as_str()),
            Some(line.unit_price.as_str()),
            Some(line.discount.as_deref().unwrap_or("")),
            Some(line.vat_rate.as_str()),
            Some(line.net.as_str()),
            Some(line.vat.as_deref().unwrap_or("")),
            Some(line.total.as_deref().unwrap_or("")),
        ];
        let mut x = MARGIN;
        for ((_, width, numeric), cell) in COLUMNS.iter().zip(cells) {
            match cell {
                Some(text) => {
                    let at = if *numeric { Align::Right(x + width - 4.0) } else { Align::Left(x + 4.0) };
                    c.text(text, Style(8.5, Weight::Regular, INK), Direction::Auto, at, baseline);
                }
                None => {
                    let rtl = is_rtl(&line.name);
                    let mut y = baseline;
                    for l in description.drain(..) {
                        let at = if rtl { Align::Right(x + width - 4.0) } else { Align::Left(x + 4.0) };
                        c.line(l, at, y, INK);
                        y += 11.0;
                    }
                }
            }
            x += width;
        }
        c.y += height;
    }
    c.fill(MARGIN, c.y, CONTENT, 0.75, RULE);
    c.y += 14.0;
}

fn allowance_charges(c: &mut Composer, facts: &Facts) {
    if facts.allowance_charges.is_empty() {
        return;
    }
    c.room(20.0 + 14.0 * facts.allowance_charges.len() as f32);
    c.label(labels::ALLOWANCES_CHARGES, MARGIN, RIGHT, c.y + 10.0, Style(9.0, Weight::Bold, ACCENT));
    c.y += 16.0;
    for ac in &facts.allowance_charges {
        let kind = if ac.charge { labels::CHARGE } else { labels::ALLOWANCE };
        let baseline = c.y + 10.0;
        c.text(
            &format!("{} · {}", kind.0, kind.1),
            Style(8.5, Weight::Regular, INK),
            Direction::Auto,
            Align::Left(MARGIN + 4.0),
            baseline,
        );
        c.text(
            &ac.reason,
            Style(8.5, Weight::Regular, INK),
            Direction::Auto,
            Align::Left(MARGIN + 110.0),
            baseline,
        );
        c.text(
            &ac.category,
            Style(8.5, Weight::Regular, MUTED),
            Direction::Auto,
            Align::Right(RIGHT - 110.0),
            baseline,
        );
        c.text(
            &ac.amount,
            Style(8.5, Weight::Regular, INK),
            Direction::Auto,
            Align::Right(RIGHT - 4.0),
            baseline,
        );
        c.y += 14.0;
    }
    c.y += 10.0;
}

fn totals(c: &mut Composer, facts: &Facts) {
    let t = &facts.totals;
    let optional = [
        (labels::TOTAL_EXCL, &t.line_extension),
        (labels::TOTAL_ALLOWANCES, &t.allowances),
        (labels::TOTAL_CHARGES, &t.charges),
        (labels::TOTAL_TAXABLE, &t.tax_exclusive),
        (labels::TOTAL_VAT, &t.vat),
        (labels::TOTAL_INCL, &t.tax_inclusive),
        (labels::PREPAID, &t.prepaid),
        (labels::ROUNDING, &t.rounding),
    ];
    let mut rows: Vec<(Label, &str, bool)> =
        optional.iter().filter_map(|(label, value)| Some((*label, value.as_deref()?, false))).collect();
    rows.push((labels::PAYABLE, t.payable.as_str(), true));
    if let Some(sar) = &t.vat_in_sar {
        rows.push((labels::VAT_IN_SAR, sar.as_str(), false));
    }
    let vat_height =
        26.0 + facts.vat_rows.iter().map(|r| if r.exemption.is_some() { 26.0 } else { 14.0 }).sum::<f32>();
    let totals_height = 17.0 * rows.len() as f32 + 6.0;
    c.room(vat_height.max(totals_height) + 20.0);
    let top = c.y;

    // The VAT breakdown on the left.
    let left_width = 244.0;
    c.label(labels::VAT_BREAKDOWN, MARGIN, MARGIN + left_width, top + 9.0, Style(9.0, Weight::Bold, ACCENT));
    let mut y = top + 14.0;
    c.fill(MARGIN, y, left_width, 24.0, BAND);
    let columns: [(Label, f32); 4] =
        [(labels::CATEGORY, 50.0), (labels::RATE, 44.0), (labels::TAXABLE, 82.0), (labels::VAT_AMOUNT, 68.0)];
    let mut x = MARGIN;
    for (k, (label, width)) in columns.iter().enumerate() {
        let at = if k >= 1 { Align::Right(x + width - 4.0) } else { Align::Left(x + 4.0) };
        c.fixed(label.0, Style(7.5, Weight::Bold, ACCENT), Direction::Auto, at, y + 9.5);
        c.fixed(label.1, Style(8.0, Weight::Bold, ACCENT), Direction::Rtl, at, y + 20.0);
        x += width;
    }
    y += 24.0;
    for row in &facts.vat_rows {
        let cells = [&row.category, &row.rate, &row.taxable, &row.vat];
        let mut x = MARGIN;
        for (k, ((_, width), cell)) in columns.iter().zip(cells).enumerate() {
            let at = if k >= 1 { Align::Right(x + width - 4.0) } else { Align::Left(x + 4.0) };
            c.text(cell, Style(8.5, Weight::Regular, INK), Direction::Auto, at, y + 10.5);
            x += width;
        }
        y += 14.0;
        if let Some(reason) = &row.exemption {
            let at = if is_rtl(reason) {
                Align::Right(MARGIN + left_width - 4.0)
            } else {
                Align::Left(MARGIN + 4.0)
            };
            for line in
                wrap(reason, 7.5, Weight::Regular, Direction::Auto, left_width - 8.0).into_iter().take(1)
            {
                c.line(line, at, y + 9.0, MUTED);
            }
            y += 12.0;
        }
    }

    // The totals on the right, the amount due highlighted.
    let x0 = MARGIN + left_width + 16.0;
    let width = RIGHT - x0;
    let mut y = top;
    for (label, value, strong) in rows {
        let weight = if strong { Weight::Bold } else { Weight::Regular };
        if strong {
            c.fill(x0, y, width, 17.0, BAND);
        }
        c.fixed(
            label.0,
            Style(8.0, weight, if strong { ACCENT } else { MUTED }),
            Direction::Auto,
            Align::Left(x0 + 4.0),
            y + 11.5,
        );
        c.fixed(
            label.1,
            Style(8.5, weight, if strong { ACCENT } else { MUTED }),
            Direction::Rtl,
            Align::Right(x0 + width - 96.0),
            y + 11.5,
        );
        c.text(value, Style(9.0, weight, INK), Direction::Auto, Align::Right(RIGHT - 4.0), y + 11.5);
        y += 17.0;
        c.fill(x0, y, width, 0.5, RULE);
    }
    c.y = y.max(top + vat_height + 14.0) + 16.0;
}

fn closing(c: &mut Composer, invoice_hash: &str, footer: Option<&str>) {
    let footer_lines =
        footer.map(|f| wrap(f, 8.5, Weight::Regular, Direction::Auto, CONTENT)).unwrap_or_default();
    c.room(48.0 + 12.0 * footer_lines.len() as f32);
    c.fill(MARGIN, c.y, CONTENT, 0.75, RULE);
    c.y += 6.0;
    c.label(labels::INVOICE_HASH, MARGIN, RIGHT, c.y + 9.0, Style(7.5, Weight::Regular, MUTED));
    c.text(
        invoice_hash,
        Style(8.0, Weight::Regular, INK),
        Direction::Auto,
        Align::Center(MARGIN + CONTENT / 2.0),
        c.y + 9.0,
    );
    c.y += 14.0;
    c.fixed(
        labels::EMBEDDED.0,
        Style(7.5, Weight::Regular, MUTED),
        Direction::Auto,
        Align::Left(MARGIN),
        c.y + 9.0,
    );
    c.fixed(
        labels::EMBEDDED.1,
        Style(8.0, Weight::Regular, MUTED),
        Direction::Rtl,
        Align::Right(RIGHT),
        c.y + 9.0,
    );
    c.y += 18.0;
    let rtl = footer.is_some_and(is_rtl);
    for line in footer_lines {
        c.line(
            line,
            if rtl { Align::Right(RIGHT) } else { Align::Center(MARGIN + CONTENT / 2.0) },
            c.y + 9.0,
            INK,
        );
        c.y += 12.0;
    }
}
