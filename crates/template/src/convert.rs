//! Between strata's values tree and minijinja's values.
//!
//! Values go in once per render ([`to_template`]); filters that print YAML
//! or JSON bring template values back ([`from_template`]). Integers stay
//! 64-bit integers both ways; maps keep their order.

use minijinja::value::{Value as TValue, ValueKind};
use minijinja::{Error as TError, ErrorKind};
use strata_chart::value::{Map, Node, Origin, Value};

/// A values node as a template value (origins are not carried over).
pub fn to_template(node: &Node) -> TValue {
    value_to_template(&node.value)
}

/// A value (without origin) as a template value.
pub fn value_to_template(value: &Value) -> TValue {
    match value {
        Value::Null => TValue::from(()),
        Value::Bool(b) => TValue::from(*b),
        Value::Int(i) => TValue::from(*i),
        Value::Float(f) => TValue::from(*f),
        Value::Str(s) => TValue::from(s.as_str()),
        Value::Seq(items) => items.iter().map(to_template).collect::<Vec<_>>().into(),
        // `&str` keys: minijinja copies a key's text anyway (or keeps a
        // short one inline), so a String copy of it would be wasted.
        Value::Map(map) => TValue::from_iter(map.iter().map(|(k, v)| (k.as_str(), to_template(v)))),
    }
}

/// A template value as a strata value, for printing as YAML. Undefined
/// values are an error (strictness); functions and other objects that are
/// neither lists nor maps print as their string form.
pub fn from_template(value: &TValue) -> Result<Value, TError> {
    Ok(match value.kind() {
        ValueKind::Undefined => {
            return Err(TError::new(
                ErrorKind::UndefinedError,
                "cannot convert an undefined value",
            ))
        }
        ValueKind::None => Value::Null,
        ValueKind::Bool => Value::Bool(value.is_true()),
        ValueKind::Number => {
            if value.is_integer() {
                match value.as_i64() {
                    Some(i) => Value::Int(i),
                    // Beyond i64 (i128/u64 arithmetic results): keep the digits.
                    None => Value::Float(f64::try_from(value.clone()).unwrap_or(f64::NAN)),
                }
            } else {
                Value::Float(f64::try_from(value.clone()).unwrap_or(f64::NAN))
            }
        }
        ValueKind::String => Value::Str(value.as_str().unwrap_or_default().to_string()),
        ValueKind::Bytes => {
            Value::Str(String::from_utf8_lossy(value.as_bytes().unwrap_or_default()).into_owned())
        }
        ValueKind::Seq | ValueKind::Iterable => {
            let mut items = Vec::new();
            for item in value.try_iter()? {
                items.push(Node::new(from_template(&item)?, Origin::Generated));
            }
            Value::Seq(items)
        }
        ValueKind::Map => {
            let mut map = Map::default();
            for key in value.try_iter()? {
                let item = value.get_item(&key)?;
                let key = match key.as_str() {
                    Some(s) => s.to_string(),
                    None => key.to_string(),
                };
                map.insert(key, Node::new(from_template(&item)?, Origin::Generated));
            }
            Value::Map(map)
        }
        _ => Value::Str(value.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn round_trip_keeps_ints_order_and_types() {
        let src = "b: 1\na: [12345678901, 1.5, true, null, x]\nc: {z: 1, y: 2}\n";
        let node = strata_chart::yaml::load_values(src, &Arc::from("t.yaml")).unwrap();
        let t = to_template(&node);
        assert_eq!(
            t.get_attr("a")
                .unwrap()
                .get_item_by_index(0)
                .unwrap()
                .as_i64(),
            Some(12345678901)
        );
        let back = from_template(&t).unwrap();
        assert_eq!(
            strata_chart::yaml::to_yaml(&back),
            "b: 1\na:\n- 12345678901\n- 1.5\n- true\n- null\n- x\nc:\n  z: 1\n  \"y\": 2\n"
        );
    }

    #[test]
    fn undefined_does_not_convert() {
        assert!(from_template(&TValue::UNDEFINED).is_err());
    }
}
