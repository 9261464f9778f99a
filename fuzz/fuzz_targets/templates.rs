//! Template files: any bytes listed as each kind never panic, and no record claims bytes
//! past the end of the file.
#![no_main]
use bioport::formats::zk_templates::{list_templates, TemplateKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for kind in [
        TemplateKind::Fingerprint,
        TemplateKind::FingerprintV10,
        TemplateKind::Face,
    ] {
        list_templates(kind, data);
    }
});
