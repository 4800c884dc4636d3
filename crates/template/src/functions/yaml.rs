//! `toyaml` straight from template values, for the maps and lists values
//! files are made of, without first building a strata [`Value`] tree (an
//! ordered map per map, hashed keys, an origin per node).
//!
//! The layout is `strata_yaml::to_yaml`'s, decided the same way:
//! scalars go through `from_template` and `scalar_text`, and the block
//! layout below mirrors that module's `emit_map`/`emit_seq`, and block
//! strings are printed by its `emit_block_str`.
//! A map with a key that is not a string (where two keys could print the
//! same and the tree would merge them) is left to the tree: `None`.
//! The tests compare both ways on many values.

use minijinja::value::{Value as TValue, ValueKind};
use minijinja::Error as TError;
use strata_chart::Value;
use strata_yaml::{emit_block_str, is_block_candidate, quote_if_needed, scalar_text};

use crate::convert::from_template;

/// A map or list as block YAML, ending in a newline; `None` when the
/// caller must go through the value tree (anything else, or a map with a
/// key that is not a string).
pub(crate) fn to_yaml(v: &TValue) -> Result<Option<String>, TError> {
    let mut out = String::new();
    let done = match Node::of(v)? {
        Node::Map(keys) => emit_map(&mut out, v, &keys, 0, false)?,
        Node::Seq(items) => emit_seq(&mut out, &items, 0, false)?,
        Node::Scalar => false,
    };
    Ok(done.then_some(out))
}

/// A template value as the tree would see it: a non-empty map (its keys),
/// a non-empty list (its items), or anything else.
enum Node {
    Map(Vec<TValue>),
    Seq(Vec<TValue>),
    Scalar,
}

impl Node {
    fn of(v: &TValue) -> Result<Node, TError> {
        Ok(match v.kind() {
            ValueKind::Map => {
                // Iterated once: an object's keys may be computed.
                let keys: Vec<TValue> = v.try_iter()?.collect();
                if keys.is_empty() {
                    Node::Scalar
                } else {
                    Node::Map(keys)
                }
            }
            ValueKind::Seq | ValueKind::Iterable => {
                let items: Vec<TValue> = v.try_iter()?.collect();
                if items.is_empty() {
                    Node::Scalar
                } else {
                    Node::Seq(items)
                }
            }
            _ => Node::Scalar,
        })
    }
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// Returns false (and leaves `out` to be dropped) for a non-string key.
fn emit_map(
    out: &mut String,
    map: &TValue,
    keys: &[TValue],
    ind: usize,
    first_inline: bool,
) -> Result<bool, TError> {
    for (i, key) in keys.iter().enumerate() {
        let Some(k) = key.as_str() else {
            return Ok(false);
        };
        let item = map.get_item(key)?;
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str(&quote_if_needed(k));
        out.push(':');
        let done = match Node::of(&item)? {
            Node::Map(keys) => {
                out.push('\n');
                emit_map(out, &item, &keys, ind + 2, false)?
            }
            Node::Seq(items) => {
                out.push('\n');
                emit_seq(out, &items, ind, false)?
            }
            Node::Scalar => {
                out.push(' ');
                emit_scalar(out, &item, ind + 2)?;
                true
            }
        };
        if !done {
            return Ok(false);
        }
    }
    Ok(true)
}

fn emit_seq(
    out: &mut String,
    items: &[TValue],
    ind: usize,
    first_inline: bool,
) -> Result<bool, TError> {
    for (i, item) in items.iter().enumerate() {
        if !(i == 0 && first_inline) {
            indent(out, ind);
        }
        out.push_str("- ");
        let done = match Node::of(item)? {
            Node::Map(keys) => emit_map(out, item, &keys, ind + 2, true)?,
            Node::Seq(items) => emit_seq(out, &items, ind + 2, true)?,
            Node::Scalar => {
                emit_scalar(out, item, ind + 2)?;
                true
            }
        };
        if !done {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A scalar (or an empty map or list) and its newline; a multi-line
/// string as a literal block indented by `ind`.
fn emit_scalar(out: &mut String, v: &TValue, ind: usize) -> Result<(), TError> {
    match from_template(v)? {
        Value::Str(s) if is_block_candidate(&s) => emit_block_str(out, &s, ind),
        other => {
            out.push_str(&scalar_text(&other));
            out.push('\n');
        }
    }
    Ok(())
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
