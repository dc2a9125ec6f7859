//! Renders one stamped document as PDF N times: the driver for instruction counts of
//! `qayd::pdf::render` (`valgrind --tool=callgrind`, repeatable where wall-clock time on a shared
//! machine is not; subtract a run of N=1 to leave out loading the fonts).
//!
//! `pdf_loop [N] [FILE]` — FILE defaults to the SDK's standard invoice sample. Run from the
//! repository root.
fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(100);
    let file = args.next().unwrap_or_else(|| {
        "tests/vectors/sdk-R3.4.8/Data/Samples/Standard/Invoice/Standard_Invoice.xml".into()
    });
    let xml = std::fs::read(&file).expect("readable document");
    let options = qayd::pdf::PdfOptions::default();
    let bytes: usize = (0..n).map(|_| qayd::pdf::render(&xml, &options).expect("renders").len()).sum();
    println!("{n} renders, {bytes} bytes");
}
