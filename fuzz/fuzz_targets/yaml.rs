//! Any text as a values file, a manifest and an edit outline.
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use strata_yaml as yaml;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file: Arc<str> = Arc::from("fuzz.yaml");
    if let Ok(node) = yaml::load_values(text, &file) {
        // What loads, prints and loads again to the same values.
        let again = yaml::to_yaml(&node.value);
        let back = yaml::load_values(&again, &file);
        assert!(back.is_ok(), "emitted YAML does not load:\n{again}");
    }
    let _ = yaml::load_one(text, &file);
    let _ = yaml::outline(text);
    let _ = yaml::aliased_anchors(text);
});
