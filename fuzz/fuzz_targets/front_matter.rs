//! Fuzzes `load::front_matter::split`: never panics, and every offset it returns lies inside
//! the input and agrees with the slices it returns.
#![no_main]

use infrabrief::load::front_matter::split;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match split("content/briefs/fuzz.md", text) {
        Ok(parts) => {
            assert!(parts.front_matter_offset <= text.len());
            assert!(parts.body_offset <= text.len());
            assert!(parts.opening.end <= text.len() && parts.opening.start <= parts.opening.end);
            assert_eq!(&text[parts.body_offset..], parts.body);
            assert!(text[parts.front_matter_offset..].starts_with(parts.front_matter));
            assert!(parts.front_matter_offset + parts.front_matter.len() <= parts.body_offset);
        }
        Err(diagnostic) => {
            if let Some(span) = diagnostic.span {
                assert!(span.start <= span.end && span.end <= text.len(), "{span:?} in {} bytes", text.len());
            }
        }
    }
    assert_eq!(split("a.md", text).is_ok(), split("a.md", text).is_ok());
});
