//! Generates the C header with cbindgen into the build's own directory,
//! `target/<profile>/qayd-c/qayd.h`, never into the source tree. The header users compile
//! against is the committed `include/qayd.h`: `make -C bindings-c header` copies the generated
//! one there, and `make test` (the header check) fails while the two differ.

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
    // OUT_DIR is target/<profile>/build/qayd-c-<hash>/out: the copy goes to target/<profile>/qayd-c,
    // where the Makefile finds it. Only touches the file when its content changes.
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let profile_dir = out_dir.ancestors().nth(3).expect("OUT_DIR is target/<profile>/build/<crate>/out");
    bindings.write_to_file(profile_dir.join("qayd-c").join("qayd.h"));
}
