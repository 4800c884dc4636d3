//! The manifest-head skim: what a rendered Kubernetes manifest says about
//! itself (apiVersion, kind, metadata name and namespace, hook), read
//! without building a values tree.

use std::borrow::Cow;
use std::collections::HashSet;

use saphyr_parser::ScalarStyle;

use crate::fast;
use crate::load::{Ev, Events, MAX_DEPTH, MAX_NODES};
use crate::scalar::plain_is_string;

/// What a Kubernetes manifest says about itself: the fields strata needs to
/// name, check and order it. A field is `Some` only when it is a non-empty
/// string, as [`load_one`](crate::load_one) would type it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestHead {
    /// `apiVersion`.
    pub api_version: Option<String>,
    /// `kind`.
    pub kind: Option<String>,
    /// `metadata.name`.
    pub name: Option<String>,
    /// `metadata.namespace`.
    pub namespace: Option<String>,
    /// Whether `metadata.annotations` has a `helm.sh/hook` key.
    pub hook: bool,
}

/// Read the head of one YAML document that is a map, in one pass over the
/// parser's events without building a values tree (rendered output is
/// checked this way: building and dropping a tree per document was most of
/// the cost of checking it).
///
/// Returns `None` whenever the document is not a plain, valid,
/// single-document map: syntax errors, duplicate keys, anchors and aliases,
/// tags, `<<` merge keys, non-string keys, excessive depth, empty or scalar
/// documents. Callers then use [`load_one`](crate::load_one), which gives the exact result or
/// diagnostic; so `Some` always agrees with what [`load_one`](crate::load_one) would read.
pub fn manifest_head(src: &str) -> Option<ManifestHead> {
    // Most rendered documents are in the fast reader's subset: read them
    // line by line, without events.
    fast::head(src).or_else(|| head_by_events(src))
}

/// [`manifest_head`] by walking events pulled from either reader: for
/// documents outside the fast reader's subset (flow collections, …) or
/// with large mappings.
fn head_by_events(src: &str) -> Option<ManifestHead> {
    Events::read(src, |events| {
        Skim {
            events,
            nodes: 0,
            spare: Vec::new(),
        }
        .head()
        .ok_or(())
    })
    .ok()
}

impl<'a> Skim<'a> {
    fn head(&mut self) -> Option<ManifestHead> {
        if !matches!(self.next()?, Ev::StreamStart) {
            return None;
        }
        if !matches!(self.next()?, Ev::DocumentStart) {
            return None;
        }
        if !matches!(self.next()?, Ev::PLAIN_MAP) {
            return None;
        }
        let mut head = ManifestHead::default();
        let mut keys = self.keys();
        while let Some(key) = self.key(&mut keys)? {
            match &*key {
                "apiVersion" => head.api_version = self.string_or_skip(1)?,
                "kind" => head.kind = self.string_or_skip(1)?,
                "metadata" => match self.next()? {
                    Ev::PLAIN_MAP => self.metadata(&mut head)?,
                    ev => self.skip(ev, 1)?,
                },
                _ => {
                    let ev = self.next()?;
                    self.skip(ev, 1)?;
                }
            }
        }
        match self.next()? {
            Ev::DocumentEnd => {}
            _ => return None,
        }
        match self.next()? {
            Ev::StreamEnd => Some(head),
            _ => None,
        }
    }
}

/// The keys of one mapping, to refuse duplicates: a short list scanned
/// linearly (manifests' maps are small), a hash set past that.
#[derive(Default)]
struct Keys<'a> {
    few: Vec<Cow<'a, str>>,
    many: Option<HashSet<Cow<'a, str>>>,
}

impl<'a> Keys<'a> {
    const FEW: usize = 16;

    /// Record `key`; false if the mapping already has it.
    fn insert(&mut self, key: Cow<'a, str>) -> bool {
        if self.few.len() < Self::FEW {
            if self.few.contains(&key) {
                return false;
            }
            self.few.push(key);
            return true;
        }
        self.many
            .get_or_insert_with(|| self.few.iter().cloned().collect())
            .insert(key)
    }
}

/// The event walker behind [`manifest_head`]: `None` means "not simple,
/// ask the loader".
struct Skim<'a> {
    events: Events<'a>,
    nodes: usize,
    /// Key lists of finished mappings, to reuse (one allocation per
    /// mapping of every document added up).
    spare: Vec<Keys<'a>>,
}

impl<'a> Skim<'a> {
    fn next(&mut self) -> Option<Ev<'a>> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return None;
        }
        match self.events.next()? {
            Ok((ev, _)) => Some(ev),
            Err(_) => None,
        }
    }

    /// The next key of the current mapping (`Ok(None)` at its end, `None`
    /// if the key is not a plain string or repeats one).
    fn key(&mut self, keys: &mut Keys<'a>) -> Option<Option<Cow<'a, str>>> {
        match self.next()? {
            Ev::MappingEnd => Some(None),
            Ev::Scalar {
                text,
                style,
                anchor: 0,
                tag: None,
            } => {
                let is_str = style != ScalarStyle::Plain || plain_is_string(&text);
                if !is_str || text == "<<" || !keys.insert(text.clone()) {
                    return None;
                }
                Some(Some(text))
            }
            _ => None,
        }
    }

    /// The next value as a non-empty string; anything else is skipped and
    /// reads as `None` (the outer `None`: not simple).
    fn string_or_skip(&mut self, depth: usize) -> Option<Option<String>> {
        match self.next()? {
            Ev::Scalar {
                text,
                style,
                anchor: 0,
                tag: None,
            } => {
                let is_str = style != ScalarStyle::Plain || plain_is_string(&text);
                Some((is_str && !text.is_empty()).then(|| text.into_owned()))
            }
            ev => {
                self.skip(ev, depth)?;
                Some(None)
            }
        }
    }

    /// An empty key list.
    fn keys(&mut self) -> Keys<'a> {
        self.spare.pop().unwrap_or_default()
    }

    /// A key list no longer needed.
    fn recycle(&mut self, mut keys: Keys<'a>) {
        keys.few.clear();
        keys.many = None;
        self.spare.push(keys);
    }

    fn metadata(&mut self, head: &mut ManifestHead) -> Option<()> {
        let mut keys = self.keys();
        while let Some(key) = self.key(&mut keys)? {
            match &*key {
                "name" => head.name = self.string_or_skip(2)?,
                "namespace" => head.namespace = self.string_or_skip(2)?,
                "annotations" => match self.next()? {
                    Ev::PLAIN_MAP => {
                        let mut keys = self.keys();
                        while let Some(k) = self.key(&mut keys)? {
                            head.hook |= k == "helm.sh/hook";
                            let ev = self.next()?;
                            self.skip(ev, 3)?;
                        }
                        self.recycle(keys);
                    }
                    ev => self.skip(ev, 2)?,
                },
                _ => {
                    let ev = self.next()?;
                    self.skip(ev, 2)?;
                }
            }
        }
        self.recycle(keys);
        Some(())
    }

    /// Walk past the node that `ev` starts, checking its keys.
    fn skip(&mut self, ev: Ev<'a>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        match ev {
            Ev::Scalar {
                anchor: 0,
                tag: None,
                ..
            } => Some(()),
            Ev::SequenceStart {
                anchor: 0,
                tagged: false,
            } => loop {
                match self.next()? {
                    Ev::SequenceEnd => return Some(()),
                    ev => self.skip(ev, depth + 1)?,
                }
            },
            Ev::PLAIN_MAP => {
                let mut keys = self.keys();
                while self.key(&mut keys)?.is_some() {
                    let ev = self.next()?;
                    self.skip(ev, depth + 1)?;
                }
                self.recycle(keys);
                Some(())
            }
            _ => None,
        }
    }
}
