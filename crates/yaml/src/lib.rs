//! strata-yaml: the one place strata reads and writes YAML.
//!
//! - [`decode_utf8`]: file bytes as text (BOM dropped, bad UTF-8 located);
//! - [`load_values`], [`load_one`], [`load_stream`]: YAML into a values
//!   tree ([`Node`]) whose every node remembers where it came from, typed
//!   by YAML 1.2's core schema or, for Helm charts, YAML 1.1 ([`Typing`]);
//!   most texts are read by a fast line reader, the rest by saphyr-parser,
//!   with the same result;
//! - [`manifest_head`]: what a rendered manifest says about itself, without
//!   building a tree;
//! - [`outline`]: where keys and values are in a text, for in-place edits;
//! - [`to_yaml`]: the one emitter: block YAML as Helm's `toYaml` lays it
//!   out, quoting every string a YAML 1.1 reader would type otherwise.
//!
//! Errors are [`Diagnostic`]s with a file, line and column.

// Errors are diagnostics with locations and notes; they are returned on
// cold paths only, so their size does not matter.
#![allow(clippy::result_large_err)]

mod decode;
mod diag;
mod emit;
mod fast;
pub mod go;
mod head;
mod load;
mod outline;
mod scalar;
mod value;

// The fast reader (`fast`) speaks the loader's event types as `super::…`.
use load::{to_u32, Ev, Pos};

pub use decode::{decode_utf8, decode_utf8_owned, BOM};
pub use diag::{source_line, Code, Diagnostic, Location, Severity};
pub use emit::{double_quote, emit, quote_if_needed, scalar_text, to_yaml, Emit, Shape};
pub use head::{manifest_head, ManifestHead};
pub use load::{
    load_one, load_one_from_line, load_stream, load_values, load_values_typed, plain_scalars,
    PlainScalar, Typing, MAX_DEPTH, MAX_NODES,
};
pub use outline::{
    aliased_anchors, outline, AliasedAnchor, Outline, OutlineEntry, OutlineKind, Style,
};
pub use scalar::float_to_string;
pub use value::{Map, Node, Origin, Path, Value};
