//! Fuzzes `render::shortcode::find`: never panics, deterministic, and every span it returns
//! lies inside the body (shortcodes in order, each from `{{` to `}}`, names and arguments inside).
#![no_main]

use infrabrief::render::shortcode::find;
use libfuzzer_sys::fuzz_target;

/// With `INFRABRIEF_FUZZ_KNOWN_BUGS=1`, error spans one byte past the end (a known bug, tested
/// in tests/suite/properties.rs) are tolerated so the fuzzer can look for other problems.
fn slack() -> usize {
    usize::from(std::env::var_os("INFRABRIEF_FUZZ_KNOWN_BUGS").is_some())
}

fuzz_target!(|body: &str| {
    let (shortcodes, errors) = find(body);
    let mut last_end = 0;
    for shortcode in &shortcodes {
        let span = shortcode.span.clone();
        assert!(span.start >= last_end && span.end <= body.len(), "{span:?}");
        assert!(body[span.clone()].starts_with("{{") && body[span.clone()].ends_with("}}"));
        assert!(shortcode.name_span.start >= span.start && shortcode.name_span.end <= span.end);
        assert_eq!(&body[shortcode.name_span.clone()], shortcode.name);
        for arg in &shortcode.args {
            assert!(arg.key_span.start >= span.start && arg.key_span.end <= span.end);
            assert!(arg.value_span.start >= span.start && arg.value_span.end <= span.end);
            assert_eq!(&body[arg.key_span.clone()], arg.key);
        }
        last_end = span.end;
    }
    for error in &errors {
        assert!(error.span.start <= error.span.end, "{:?}", error.span);
        assert!(
            error.span.end <= body.len() + slack(),
            "error span {:?} past the end of {} bytes",
            error.span,
            body.len()
        );
    }
    assert_eq!(find(body), (shortcodes, errors), "deterministic");
});
