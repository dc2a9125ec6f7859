//! Readable invoices, judged by outside tools: veraPDF (the reference PDF/A validator) on every
//! document kind of the model and every SDK sample; poppler's `pdfdetach` for the embedded XML
//! (byte for byte, and it still verifies), `zbarimg` for the QR read off the rendered page, and
//! `pdftotext` for what a reader's tools see (seller VAT number, totals, the Arabic title in
//! logical order). A missing tool fails the test with its install line, never a silent pass.

mod model_support;

use model_support::*;
use qayd::__internal::stamp::InvoiceView;
use qayd::model::*;
use qayd::pdf::{PdfOptions, render};
use qayd::{StampOptions, stamp, verify};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(program: &str, args: &[&std::ffi::OsStr], install: &str) -> Output {
    let output = Command::new(program).args(args).output().unwrap_or_else(|e| {
        panic!("{program} is needed but could not be run ({e}); install it with `{install}`")
    });
    assert!(
        output.status.success(),
        "{program} {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn poppler(program: &str, args: &[&std::ffi::OsStr]) -> Output {
    run(program, args, "apt-get install -y poppler-utils")
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qayd-pdf-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Every family of the model (standard and simplified × invoice, credit note, debit note), one
/// of them in USD so the SAR tax total shows, and a long one that needs a second page.
fn model_documents() -> Vec<(String, Vec<u8>)> {
    let signer = sdk_signer();
    let plain = flag_sets().into_iter().next().unwrap();
    let mut out = Vec::new();
    let kinds = [InvoiceKind::Standard, InvoiceKind::Simplified];
    let types = [DocumentType::Invoice, DocumentType::CreditNote, DocumentType::DebitNote];
    for (k, kind) in kinds.into_iter().enumerate() {
        for (t, document_type) in types.into_iter().enumerate() {
            let n = 1 + 3 * k + t;
            let categories: &[VatCategory] = if n == 1 {
                &[VatCategory::Standard, VatCategory::ZeroRated, VatCategory::Exempt, VatCategory::OutOfScope]
            } else {
                &[VatCategory::Standard]
            };
            out.push((
                format!("{kind:?}-{document_type:?}-{n}"),
                build(n, kind, document_type, plain, categories),
            ));
        }
    }
    let mut long = build(9, InvoiceKind::Standard, DocumentType::Invoice, plain, &[VatCategory::Standard]);
    let line = long.lines[0].clone();
    long.lines = (0..70).map(|_| line.clone()).collect();
    out.push(("long-invoice".into(), long));
    out.into_iter()
        .map(|(label, inv)| {
            let xml = to_xml(&inv).unwrap_or_else(|e| panic!("{label}: {e}"));
            let options = StampOptions { signing_time: Some("2025-01-15T09:30:05".into()) };
            (label, stamp(&xml, &signer, &options).unwrap().xml)
        })
        .collect()
}

fn sdk_samples() -> Vec<(String, Vec<u8>)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "xml") {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(&data().join("Samples"), &mut paths);
    paths.sort();
    assert_eq!(paths.len(), 19, "the SDK R3.4.8 samples are missing or changed");
    paths
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), std::fs::read(&p).unwrap()))
        .collect()
}

fn all_documents() -> Vec<(String, Vec<u8>)> {
    let mut docs = model_documents();
    docs.extend(sdk_samples());
    docs
}

/// The names ZATCA gives the families (the spec's words, not the renderer's table).
fn arabic_title(xml: &[u8]) -> &'static str {
    let document = qayd::__internal::xml::parse(xml).unwrap();
    let view = InvoiceView::new(&document).unwrap();
    match (view.cbc("InvoiceTypeCode").unwrap(), view.is_simplified()) {
        ("388", false) => "فاتورة ضريبية",
        ("388", true) => "فاتورة ضريبية مبسطة",
        ("381", false) => "إشعار دائن",
        ("381", true) => "إشعار دائن مبسط",
        ("383", false) => "إشعار مدين",
        ("383", true) => "إشعار مدين مبسط",
        ("386", false) => "فاتورة ضريبية لدفعة مقدمة",
        ("386", true) => "فاتورة ضريبية مبسطة لدفعة مقدمة",
        (code, _) => panic!("unexpected type code {code}"),
    }
}

/// `pdftotext` output without the bidi embedding marks poppler puts around right-to-left runs.
fn page_text(pdf: &Path) -> String {
    let out = poppler("pdftotext", &[pdf.as_os_str(), "-".as_ref()]);
    String::from_utf8(out.stdout).unwrap().chars().filter(|c| !matches!(c, '\u{202A}'..='\u{202E}')).collect()
}

#[test]
fn embedded_xml_qr_and_text_survive_the_round_trip() {
    let dir = scratch("roundtrip");
    for (label, xml) in all_documents() {
        let pdf = dir.join(format!("{label}.pdf"));
        std::fs::write(&pdf, render(&xml, &PdfOptions::default()).unwrap_or_else(|e| panic!("{label}: {e}")))
            .unwrap();

        // The signed XML, extracted, is the input byte for byte and still verifies.
        let extracted = dir.join(format!("{label}.extracted.xml"));
        poppler(
            "pdfdetach",
            &["-save".as_ref(), "1".as_ref(), "-o".as_ref(), extracted.as_os_str(), pdf.as_os_str()],
        );
        let back = std::fs::read(&extracted).unwrap();
        assert!(back == xml, "{label}: the embedded XML differs from the input");
        let report = verify(&back).unwrap();
        assert!(report.valid, "{label}: {:?}", report.failures().collect::<Vec<_>>());

        // The QR read off the printed page is the document's.
        let image = dir.join(&label);
        poppler(
            "pdftoppm",
            &["-png", "-r", "150", "-f", "1", "-l", "1", "-singlefile"]
                .map(std::ffi::OsStr::new)
                .iter()
                .copied()
                .chain([pdf.as_os_str(), image.as_os_str()])
                .collect::<Vec<_>>(),
        );
        let png = image.with_extension("png");
        let scanned = run(
            "zbarimg",
            &["-q".as_ref(), "--raw".as_ref(), png.as_os_str()],
            "apt-get install -y zbar-tools",
        );
        let expected = qayd::qr_of_document(&xml).unwrap().unwrap();
        assert_eq!(String::from_utf8(scanned.stdout).unwrap().trim_end(), expected, "{label}: QR");

        // A reader's tools see the seller's VAT number, the totals and the Arabic title.
        let text = page_text(&pdf);
        let document = qayd::__internal::xml::parse(&xml).unwrap();
        let view = InvoiceView::new(&document).unwrap();
        let vat = view.seller_vat().unwrap();
        assert!(text.contains(vat), "{label}: seller VAT {vat} not in the text:\n{text}");
        let payable = view.payable_amount().unwrap();
        assert!(text.contains(payable), "{label}: payable {payable} not in the text");
        let tax = view.first_tax_amount().unwrap();
        assert!(text.contains(tax), "{label}: VAT total {tax} not in the text");
        let title = arabic_title(&xml);
        assert!(
            text.contains(title),
            "{label}: the Arabic title {title} (logical order) not in the text:\n{text}"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_foreign_currency_document_shows_the_vat_total_in_sar() {
    let (label, xml) =
        model_documents().into_iter().find(|(_, x)| String::from_utf8_lossy(x).contains(">USD<")).unwrap();
    let dir = scratch("sar");
    let pdf = dir.join("usd.pdf");
    std::fs::write(&pdf, render(&xml, &PdfOptions::default()).unwrap()).unwrap();
    let text = page_text(&pdf);
    let document = qayd::__internal::xml::parse(&xml).unwrap();
    let sar = document
        .descendants()
        .find(|n| n.tag_name().name() == "TaxAmount" && n.attribute("currencyID") == Some("SAR"))
        .and_then(|n| n.text())
        .unwrap();
    assert!(text.contains(&format!("{sar} SAR")), "{label}: SAR VAT total {sar} not in the text:\n{text}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn long_documents_continue_on_more_pages_with_the_table_header() {
    let (_, xml) = model_documents().into_iter().find(|(l, _)| l == "long-invoice").unwrap();
    let dir = scratch("long");
    let pdf = dir.join("long.pdf");
    std::fs::write(&pdf, render(&xml, &PdfOptions::default()).unwrap()).unwrap();
    let info = String::from_utf8(poppler("pdfinfo", &[pdf.as_os_str()]).stdout).unwrap();
    let pages: usize = info.lines().find_map(|l| l.strip_prefix("Pages:")).unwrap().trim().parse().unwrap();
    assert!(pages >= 2, "{info}");
    let last =
        poppler("pdftotext", &["-f".as_ref(), pages.to_string().as_ref(), pdf.as_os_str(), "-".as_ref()]);
    let last = String::from_utf8(last.stdout).unwrap();
    assert!(last.contains("Description") && last.contains("Amount due"), "{last}");
    // The running head names the document on every later page.
    let document = qayd::__internal::xml::parse(&xml).unwrap();
    let number = InvoiceView::new(&document).unwrap().cbc("ID").unwrap().to_owned();
    assert!(last.contains(&format!("Tax Invoice {number}")), "{last}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn logo_and_footer_are_drawn_and_the_output_is_deterministic() {
    let (_, xml) = sdk_samples().into_iter().next().unwrap();
    let options = PdfOptions {
        logo_png: Some(qayd::qr::render_png("logo", 4).unwrap()),
        footer: Some("IBAN SA03 8000 0000 6080 1016 7519 · شكراً لتعاملكم".into()),
    };
    let first = render(&xml, &options).unwrap();
    assert_eq!(first, render(&xml, &options).unwrap(), "same document, same PDF");
    assert_ne!(first, render(&xml, &PdfOptions::default()).unwrap());
    let dir = scratch("logo");
    let pdf = dir.join("logo.pdf");
    std::fs::write(&pdf, &first).unwrap();
    let text = page_text(&pdf);
    assert!(text.contains("IBAN SA03 8000 0000 6080 1016 7519"), "{text}");
    assert!(text.contains("شكراً لتعاملكم") || text.contains("شكرًا لتعاملكم"), "{text}");
    let plain = dir.join("plain.pdf");
    std::fs::write(&plain, render(&xml, &PdfOptions::default()).unwrap()).unwrap();
    // `pdfimages -list`: two header lines, then one line per image (the QR code, the logo).
    let images = |pdf: &Path| {
        let list = poppler("pdfimages", &["-list".as_ref(), pdf.as_os_str()]).stdout;
        String::from_utf8(list).unwrap().lines().count() - 2
    };
    assert_eq!((images(&plain), images(&pdf)), (1, 2), "the QR code, then the QR code and the logo");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_is_a_clear_error() {
    let (_, stamped) = sdk_samples().into_iter().next().unwrap();
    let unsigned = to_xml(&build(
        3,
        InvoiceKind::Standard,
        DocumentType::Invoice,
        flag_sets().into_iter().next().unwrap(),
        &[VatCategory::Standard],
    ))
    .unwrap();
    let cases: [(&[u8], PdfOptions, &str); 4] = [
        (&unsigned, PdfOptions::default(), "no QR code"),
        (b"not xml", PdfOptions::default(), "XML"),
        (b"<Order xmlns=\"urn:x\"/>", PdfOptions::default(), "<Invoice>"),
        (&stamped, PdfOptions { logo_png: Some(b"GIF89a".to_vec()), footer: None }, "logo"),
    ];
    for (input, options, expected) in cases {
        let error = render(input, &options).unwrap_err();
        assert!(error.to_string().contains(expected), "{expected}: {error}");
    }
    // A 200,000-character item name with no space to wrap at: cut, not a stall.
    let text = String::from_utf8(stamped).unwrap();
    let name = text.split("<cbc:Name>").nth(1).unwrap().split('<').next().unwrap();
    let huge =
        text.replacen(&format!("<cbc:Name>{name}<"), &format!("<cbc:Name>{}<", "x".repeat(200_000)), 1);
    let started = std::time::Instant::now();
    assert!(render(huge.as_bytes(), &PdfOptions::default()).unwrap().starts_with(b"%PDF"));
    assert!(started.elapsed() < std::time::Duration::from_secs(10), "{:?}", started.elapsed());
}

/// One JVM for every PDF: veraPDF's PDF/A-3B profile, built from Maven Central by the small
/// runner in tests/verapdf.
#[test]
fn verapdf_finds_no_pdfa3b_failure_in_any_document_kind() {
    let dir = scratch("verapdf");
    let mut files = Vec::new();
    for (label, xml) in all_documents() {
        let pdf = dir.join(format!("{label}.pdf"));
        std::fs::write(&pdf, render(&xml, &PdfOptions::default()).unwrap()).unwrap();
        files.push(pdf);
    }
    let (_, sample) = sdk_samples().into_iter().next().unwrap();
    let options = PdfOptions {
        logo_png: Some(qayd::qr::render_png("logo", 4).unwrap()),
        footer: Some("شكراً".into()),
    };
    let with_logo = dir.join("with-logo.pdf");
    std::fs::write(&with_logo, render(&sample, &options).unwrap()).unwrap();
    files.push(with_logo);
    // A foreign document with characters neither font has (they print as '?').
    let text = String::from_utf8(sample.clone()).unwrap();
    let name = text.split("<cbc:RegistrationName>").nth(1).unwrap().split('<').next().unwrap();
    let foreign = text.replacen(name, "樣品有限公司 😀", 1);
    let unusual = dir.join("unusual-characters.pdf");
    std::fs::write(&unusual, render(foreign.as_bytes(), &PdfOptions::default()).unwrap()).unwrap();
    files.push(unusual);

    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/verapdf");
    let classpath = dir.join("classpath.txt");
    let maven = "apt-get install -y maven openjdk-17-jdk-headless";
    run(
        "mvn",
        &["-q", "-B", "-f"]
            .map(std::ffi::OsStr::new)
            .iter()
            .copied()
            .chain([runner.join("pom.xml").as_os_str(), "dependency:build-classpath".as_ref()])
            .chain([format!("-Dmdep.outputFile={}", classpath.display()).as_ref()])
            .collect::<Vec<_>>(),
        maven,
    );
    let classpath = std::fs::read_to_string(&classpath).unwrap();
    let classes = dir.join("classes");
    run(
        "javac",
        &[
            "-d".as_ref(),
            classes.as_os_str(),
            "-cp".as_ref(),
            classpath.as_ref(),
            runner.join("Validate.java").as_os_str(),
        ],
        maven,
    );
    let classpath = format!("{classpath}:{}", classes.display());
    let output = Command::new("java")
        .args(["-cp", &classpath, "Validate"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("java is needed for veraPDF ({e}); install it with `{maven}`"));
    let report = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "veraPDF found PDF/A-3b failures:\n{report}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = format!("{} passed, 0 failed", files.len());
    assert!(report.lines().any(|l| l == summary), "veraPDF did not judge every file:\n{report}");
    std::fs::remove_dir_all(&dir).ok();
}
