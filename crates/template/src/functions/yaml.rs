//! `toyaml` straight from template values, for the maps and lists values
//! files are made of, without first building a strata [`Value`] tree (an
//! ordered map per map, hashed keys, an origin per node).
//!
//! The emitter is strata-yaml's, the one that prints values
//! ([`strata_yaml::emit`]); template values give it their shape here, and
//! their scalars go through `from_template` as the tree's would.
//! A map with a key that is not a string (where two keys could print the
//! same and the tree would merge them) is left to the tree: `None`.
//! The tests compare both ways on many values.

use std::borrow::Cow;

use minijinja::value::{Value as TValue, ValueKind};
use minijinja::Error as TError;
use strata_yaml::{Emit, Shape};

use crate::convert::from_template;

/// A map or list as block YAML, ending in a newline; `None` when the
/// caller must go through the value tree (anything else, or a map with a
/// key that is not a string).
pub(crate) fn to_yaml(v: &TValue) -> Result<Option<String>, TError> {
    if !matches!(
        v.kind(),
        ValueKind::Map | ValueKind::Seq | ValueKind::Iterable
    ) {
        return Ok(None);
    }
    match strata_yaml::emit(&Node(v.clone())) {
        Ok(text) => Ok(Some(text)),
        Err(Stop::NotStringKey) => Ok(None),
        Err(Stop::Template(e)) => Err(e),
    }
}

/// A template value as the emitter sees it.
#[derive(Clone)]
struct Node(TValue);

/// Why printing stopped.
enum Stop {
    /// A map key that is not a string: the tree prints it.
    NotStringKey,
    Template(TError),
}

impl From<TError> for Stop {
    fn from(e: TError) -> Self {
        Stop::Template(e)
    }
}

impl Emit for Node {
    type Error = Stop;

    fn shape(&self) -> Result<Shape<'_, Node>, Stop> {
        let v = &self.0;
        Ok(match v.kind() {
            ValueKind::Map => {
                // Iterated once: an object's keys may be computed.
                let keys: Vec<TValue> = v.try_iter()?.collect();
                if keys.is_empty() {
                    return Ok(Shape::Scalar(Cow::Owned(from_template(v)?)));
                }
                let mut entries = Vec::with_capacity(keys.len());
                for key in keys {
                    let Some(k) = key.as_str() else {
                        return Err(Stop::NotStringKey);
                    };
                    let k = k.to_string();
                    entries.push((Cow::Owned(k), Cow::Owned(Node(v.get_item(&key)?))));
                }
                Shape::Map(entries)
            }
            ValueKind::Seq | ValueKind::Iterable => {
                let items: Vec<TValue> = v.try_iter()?.collect();
                if items.is_empty() {
                    return Ok(Shape::Scalar(Cow::Owned(from_template(v)?)));
                }
                Shape::Seq(items.into_iter().map(|i| Cow::Owned(Node(i))).collect())
            }
            _ => Shape::Scalar(Cow::Owned(from_template(v)?)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn both(v: &TValue) -> (Option<String>, String) {
        let fast = to_yaml(v).unwrap();
        let slow = strata_yaml::to_yaml(&from_template(v).unwrap());
        (fast, slow)
    }

    #[test]
    fn same_text_as_the_value_tree() {
        let docs = [
            "a: 1\nb: [x, \"y z\", 'on', null, true, 1.5, 2.0, -3, 0x10]\nc: {}\nd: []\ne: {f: {g: [h, [i, [j]], {k: l, m: [n]}]}}\n",
            "list:\n- a\n- {b: c, d: [e, f]}\n- [g, [h]]\n- []\n- {}\n- \"\"\n- \"multi\\nline\\n\"\n- \"keep\\n\\n\"\n- \"strip\\nme\"\n- \" lead\\nspace\"\n- \"trail \\nspace\"\n",
            "block:\n  text: |\n    line one\n    line two\n  nested:\n    - |-\n      x\n      y\n'yes': 'no'\n\"1\": 2\nkey with spaces: \"#comment\"\n\"colon: x\": \"- dash\"\nunicode: \"héllo ✓\"\ntab: \"a\\tb\"\nbom: \"\\ufeffx\\ny\"\n",
            "resources:\n  limits: {cpu: 500m, memory: 256Mi}\n  requests: {cpu: 100m, memory: 128Mi}\n",
        ];
        for doc in docs {
            let node = strata_yaml::load_one(doc, &Arc::from("t.yaml"))
                .unwrap()
                .unwrap();
            let v = crate::convert::to_template(node.clone());
            let (fast, slow) = both(&v);
            assert_eq!(fast.as_deref(), Some(slow.as_str()), "{doc}");
            for (_, child) in node.as_map().into_iter().flatten() {
                let v = crate::convert::to_template(child.clone());
                let (fast, slow) = both(&v);
                if let Some(fast) = fast {
                    assert_eq!(fast, slow, "{doc}");
                }
            }
        }
    }

    #[test]
    fn maps_with_keys_that_are_not_strings_go_through_the_tree() {
        let v = TValue::from_iter([(TValue::from(1), TValue::from("a"))]);
        assert_eq!(to_yaml(&v).unwrap(), None);
        let v = TValue::from(vec![TValue::from("x"), v]);
        assert_eq!(to_yaml(&v).unwrap(), None);
        assert_eq!(to_yaml(&TValue::from("s")).unwrap(), None);
    }

    #[test]
    fn undefined_inside_is_the_same_error() {
        let v = TValue::from_iter([("a", TValue::UNDEFINED)]);
        let fast = to_yaml(&v).unwrap_err();
        let slow = from_template(&v).unwrap_err();
        assert_eq!(fast.to_string(), slow.to_string());
    }
}
