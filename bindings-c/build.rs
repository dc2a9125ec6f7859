//! Writes include/qayd.h with cbindgen. The header is committed; `make test` fails when the
//! committed copy differs from the regenerated one.

use std::path::PathBuf;

fn main() {
    let crate_dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    // The whole directory: cbindgen follows lib.rs into its modules (onboard, api, engine).
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    // Give the shared library the versioned name the Makefile installs it under: SONAME
    // libqayd.so.MAJOR (the workspace version's major), file libqayd.so.MAJOR.MINOR.PATCH.
    let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap();
    println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libqayd.so.{major}");
    let config = cbindgen::Config::from_file(crate_dir.join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        // lib.rs and the modules it declares: no `cargo metadata` run, no parsing of dependencies.
        .with_src(crate_dir.join("src/lib.rs"))
        .with_config(config)
        .generate()
        .expect("cbindgen could not generate include/qayd.h");
    // Only touches the file when its content changes.
    bindings.write_to_file(crate_dir.join("include/qayd.h"));
}
