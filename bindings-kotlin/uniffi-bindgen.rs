//! `cargo run -p qayd-kotlin --features bindgen --bin uniffi-bindgen -- generate …`
fn main() {
    uniffi::uniffi_bindgen_main()
}
