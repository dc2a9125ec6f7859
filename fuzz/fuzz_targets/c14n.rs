//! Canonicalisation of any well-formed document, both modes, must not panic and must be stable:
//! canonicalising the canonical form again changes nothing.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qayd::__internal::xml::c14n::{Mode, canonicalize};

fuzz_target!(|data: &[u8]| {
    let Ok(document) = qayd::__internal::xml::parse(data) else { return };
    for mode in [Mode::Inclusive, Mode::Exclusive] {
        let mut once = Vec::new();
        canonicalize(document.root(), mode, &|_| false, &mut once);
        if let Ok(again_doc) = qayd::__internal::xml::parse(&once) {
            let mut twice = Vec::new();
            canonicalize(again_doc.root(), mode, &|_| false, &mut twice);
            assert_eq!(once, twice);
        }
    }
});
