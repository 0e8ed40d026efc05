//! House rules checked on every `cargo test`: module docs, IO at the edges, the theme list.

use crate::common::{repo, walk};

fn sources() -> Vec<(String, String)> {
    walk(&repo().join("src"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| {
            let relative = p.strip_prefix(repo()).expect("inside repo").to_string_lossy().replace('\\', "/");
            (relative, std::fs::read_to_string(&p).expect("read source"))
        })
        .collect()
}

#[test]
fn every_source_file_opens_with_a_module_doc() {
    let missing: Vec<String> =
        sources().into_iter().filter(|(_, text)| !text.starts_with("//!")).map(|(p, _)| p).collect();
    assert!(missing.is_empty(), "files without a //! paragraph: {missing:?}");
}

#[test]
fn only_the_edges_touch_the_file_system() {
    let allowed = ["src/load/", "src/output.rs", "src/cmd/", "src/main.rs"];
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| !allowed.iter().any(|a| path.starts_with(a)))
        .filter(|(_, text)| text.contains("std::fs") || text.contains("fs::read") || text.contains("File::"))
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "file system access outside load/output/cmd: {offenders:?}");
}

#[test]
fn only_cmd_and_main_print() {
    let allowed = ["src/cmd/", "src/main.rs"];
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| !allowed.iter().any(|a| path.starts_with(a)))
        .filter(|(_, text)| {
            text.contains("println!")
                || text.contains("eprintln!")
                || text.contains("print!(")
                || text.contains("eprint!(")
        })
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "printing outside cmd/main: {offenders:?}");
}

#[test]
fn the_built_in_theme_lists_every_template_and_static_file() {
    let theme = std::fs::read_to_string(repo().join("src/render/theme.rs")).expect("theme.rs");
    for folder in ["templates", "static"] {
        let root = repo().join(folder);
        for file in walk(&root).into_iter().filter(|p| p.is_file()) {
            let relative = file.strip_prefix(&root).expect("inside").to_string_lossy().replace('\\', "/");
            let include = format!("../../{folder}/{relative}");
            assert!(theme.contains(&include), "{folder}/{relative} is not embedded in src/render/theme.rs");
        }
    }
}

#[test]
fn no_unwrap_in_library_code() {
    let offenders: Vec<String> = sources()
        .into_iter()
        .filter(|(_, text)| {
            let code = text.split("#[cfg(test)]").next().unwrap_or(text);
            code.contains(".unwrap()")
        })
        .map(|(p, _)| p)
        .collect();
    assert!(offenders.is_empty(), "unwrap() outside tests: {offenders:?}");
}
