fn main() {
    let xml =
        std::fs::read("tests/vectors/sdk-R3.4.8/Data/Samples/Simplified/Invoice/Simplified_Invoice.xml")
            .unwrap();
    let n = 2000;
    let t = std::time::Instant::now();
    for _ in 0..n {
        let d = qayd::xml::parse(&xml).unwrap();
        std::hint::black_box(&d);
    }
    println!("parse {:?}", t.elapsed() / n);
    let d = qayd::xml::parse(&xml).unwrap();
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(qayd::stamp::hash::canonical_bytes(&d));
    }
    println!("c14n {:?}", t.elapsed() / n);
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(qayd::invoice_hash(&xml).unwrap());
    }
    println!("hash {:?}", t.elapsed() / n);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let d = roxmltree::Document::parse(std::str::from_utf8(&xml).unwrap()).unwrap();
        std::hint::black_box(&d);
    }
    println!("raw roxmltree {:?}", t.elapsed() / n);
}
