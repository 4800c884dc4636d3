//! Between strata's values tree and minijinja's values.
//!
//! Values go to the templates without being copied ([`to_template`]): a
//! map or a list is an object that views its place in the tree, and an
//! entry becomes a template value when a template reads it (each template
//! of a large chart reads a few dozen values out of thousands).
//! Filters that print YAML or JSON bring template values back
//! ([`from_template`]), straight from the tree for a view. Integers stay
//! 64-bit integers both ways; maps keep their order.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use minijinja::value::{Enumerator, Object, ObjectExt, ObjectRepr, Value as TValue, ValueKind};
use minijinja::{Error as TError, ErrorKind};
use strata_chart::reads::ReadSet;
use strata_chart::value::{Map, Node, Origin, Value};

/// A values tree as a template value (origins are not carried over): a
/// scalar as itself, a map or a list as a view of the tree, which keeps
/// the tree alive.
pub(crate) fn to_template(tree: impl Into<Arc<Node>>) -> TValue {
    let tree: Arc<Node> = tree.into();
    match scalar(&tree.value) {
        Some(v) => v,
        None => View::value(Arc::clone(&tree), Box::default(), &tree),
    }
}

/// Where a values tree's reads are recorded: the set shared by every view
/// of one render, and where the tree sits in the top chart's values (a
/// subchart's tree is `values.<name>` of its parent's).
#[derive(Debug)]
pub(crate) struct Recorder {
    prefix: Vec<String>,
    reads: Arc<Mutex<ReadSet>>,
}

impl Recorder {
    /// A recorder for a tree at `prefix`, into `reads`.
    pub(crate) fn new(prefix: Vec<String>, reads: Arc<Mutex<ReadSet>>) -> Arc<Recorder> {
        Arc::new(Recorder { prefix, reads })
    }

    fn record(&self, path: &[&str], whole: bool) {
        // `global` is copied down from the parent: a subchart reading
        // `global.x` reads the parent's.
        let full: Vec<&str> = if path.first() == Some(&strata_chart::merge::GLOBAL_KEY) {
            path.to_vec()
        } else {
            self.prefix
                .iter()
                .map(String::as_str)
                .chain(path.iter().copied())
                .collect()
        };
        // A poisoned lock only means another render panicked; the set is
        // still a set.
        let mut reads = self.reads.lock().unwrap_or_else(|p| p.into_inner());
        if whole {
            reads.whole(&full);
        } else {
            reads.key(&full);
        }
    }
}

/// A values tree as a template value whose reads are recorded.
pub(crate) fn to_template_recorded(tree: impl Into<Arc<Node>>, rec: Arc<Recorder>) -> TValue {
    let tree: Arc<Node> = tree.into();
    match scalar(&tree.value) {
        Some(v) => v,
        None => {
            let mut view = View::new(Arc::clone(&tree), Box::default(), &tree);
            view.rec = Some(rec);
            TValue::from_object(view)
        }
    }
}

/// The tree node behind a template value, when it is a view of one. The
/// caller takes the subtree as a whole (prints or converts it): it counts
/// as read.
pub(crate) fn tree_of(value: &TValue) -> Option<&Node> {
    let view = value.downcast_object_ref::<View>()?;
    view.record_once(None);
    view.node()
}

/// A scalar as a template value; `None` for a map or a list.
fn scalar(value: &Value) -> Option<TValue> {
    Some(match value {
        Value::Null => TValue::from(()),
        Value::Bool(b) => TValue::from(*b),
        Value::Int(i) => TValue::from(*i),
        Value::Float(f) => TValue::from(*f),
        Value::Str(s) => TValue::from(s.as_str()),
        Value::Seq(_) | Value::Map(_) => return None,
    })
}

/// A map or a list of a values tree, for the templates: found from the
/// root by the index of each entry on the way (a map's entries in order, a
/// list's items), with no reference into the tree held.
struct View {
    tree: Arc<Node>,
    path: Box<[usize]>,
    /// Whether this is a map (else a list).
    map: bool,
    /// Its number of entries.
    len: usize,
    /// The maps and lists among the entries as views, each made when first
    /// read and then kept, so that one read twice is the same object (`is
    /// sameas`), as when the whole tree was converted up front. Made when
    /// the first is read: a map of scalars needs none. Scalars are made
    /// anew on each read (they have no identity).
    views: OnceLock<Box<[OnceLock<TValue>]>>,
    /// Where reads are recorded, if anywhere.
    rec: Option<Arc<Recorder>>,
    /// When reads are recorded: which entries (and, last, the whole view)
    /// were recorded already, so a key read again (a helper called for
    /// every document) is not recorded again. Made at the first record.
    recorded: OnceLock<Box<[AtomicBool]>>,
}

impl View {
    fn new(tree: Arc<Node>, path: Box<[usize]>, node: &Node) -> View {
        let (map, len) = match &node.value {
            Value::Map(m) => (true, m.len()),
            Value::Seq(s) => (false, s.len()),
            _ => (false, 0),
        };
        View {
            tree,
            path,
            map,
            len,
            views: OnceLock::new(),
            rec: None,
            recorded: OnceLock::new(),
        }
    }

    /// `node` (a map or a list, at `path` in `tree`) as a template value.
    fn value(tree: Arc<Node>, path: Box<[usize]>, node: &Node) -> TValue {
        TValue::from_object(View::new(tree, path, node))
    }

    /// Entry `key` of map `m` (this view's), its read recorded.
    fn lookup(&self, m: &Map, key: &str) -> Option<TValue> {
        match find(m, key) {
            Some((i, node)) => {
                self.record_once(Some(i));
                Some(self.item(i, node))
            }
            None => {
                // A key looked up and absent: rare, recorded each time.
                self.record(Some(key), false);
                None
            }
        }
    }

    /// Record the read of entry `i` (`None`: of the whole view) unless it
    /// was recorded before.
    fn record_once(&self, i: Option<usize>) {
        if self.rec.is_none() {
            return;
        }
        let flags = self
            .recorded
            .get_or_init(|| (0..=self.len).map(|_| AtomicBool::new(false)).collect());
        let slot = i.unwrap_or(self.len);
        if flags
            .get(slot)
            .is_some_and(|f| f.swap(true, Ordering::Relaxed))
        {
            return;
        }
        match i {
            Some(i) => {
                let key = self
                    .node()
                    .and_then(Node::as_map)
                    .and_then(|m| m.get_index(i))
                    .map(|(k, _)| k.as_str());
                if let Some(key) = key {
                    self.record(Some(key), false);
                }
            }
            None => self.record(None, true),
        }
    }

    /// Record a read of key `key` of this map (`None`: of this whole
    /// subtree when `whole`), when reads are recorded.
    fn record(&self, key: Option<&str>, whole: bool) {
        let Some(rec) = &self.rec else {
            return;
        };
        let mut names: Vec<std::borrow::Cow<'_, str>> = Vec::with_capacity(self.path.len() + 1);
        let mut node: &Node = &self.tree;
        for &i in self.path.iter() {
            node = match &node.value {
                Value::Map(m) => match m.get_index(i) {
                    Some((k, n)) => {
                        names.push(k.as_str().into());
                        n
                    }
                    None => return,
                },
                Value::Seq(s) => match s.get(i) {
                    Some(n) => {
                        names.push(i.to_string().into());
                        n
                    }
                    None => return,
                },
                _ => return,
            };
        }
        let mut path: Vec<&str> = names.iter().map(|n| n.as_ref()).collect();
        path.extend(key);
        rec.record(&path, whole);
    }

    /// The node viewed (always found: the tree does not change).
    fn node(&self) -> Option<&Node> {
        let mut node: &Node = &self.tree;
        for &i in self.path.iter() {
            node = match &node.value {
                Value::Map(m) => m.get_index(i)?.1,
                Value::Seq(s) => s.get(i)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Entry `i`, which is `node`, as a template value.
    fn item(&self, i: usize, node: &Node) -> TValue {
        if let Some(v) = scalar(&node.value) {
            return v;
        }
        let make = || {
            let mut path = Vec::with_capacity(self.path.len() + 1);
            path.extend_from_slice(&self.path);
            path.push(i);
            let mut view = View::new(Arc::clone(&self.tree), path.into(), node);
            view.rec = self.rec.clone();
            TValue::from_object(view)
        };
        let views = self
            .views
            .get_or_init(|| (0..self.len).map(|_| OnceLock::new()).collect());
        match views.get(i) {
            Some(slot) => slot.get_or_init(make).clone(),
            None => make(),
        }
    }
}

/// Entry `key` of `map` and its index. A small map (most of a values
/// tree) is searched in order, which is cheaper than hashing the key.
fn find<'a>(map: &'a Map, key: &str) -> Option<(usize, &'a Node)> {
    if map.len() <= 8 {
        map.iter()
            .enumerate()
            .find_map(|(i, (k, node))| (k == key).then_some((i, node)))
    } else {
        map.get_full(key).map(|(i, _, node)| (i, node))
    }
}

/// Not the tree (megabytes): where in it.
impl fmt::Debug for View {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("View")
            .field("path", &self.path)
            .field("recorded", &self.rec.is_some())
            .field("len", &self.len)
            .finish()
    }
}

/// As minijinja's own maps (`IndexMap` of values) and lists (`Vec`):
/// string keys, indices as `usize`, the same enumerations.
impl Object for View {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        if self.map {
            ObjectRepr::Map
        } else {
            ObjectRepr::Seq
        }
    }

    fn get_value(self: &Arc<Self>, key: &TValue) -> Option<TValue> {
        match &self.node()?.value {
            Value::Map(m) => self.lookup(m, key.as_str()?),
            Value::Seq(s) => {
                let i = key.as_usize()?;
                Some(self.item(i, s.get(i)?))
            }
            _ => None,
        }
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<TValue> {
        match &self.node()?.value {
            Value::Map(m) => self.lookup(m, key),
            _ => self.get_value(&TValue::from(key)),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        // Iterating (a loop, `items()`, `dictsort`, printing) reads every
        // key below.
        self.record_once(None);
        if !self.map {
            return Enumerator::Seq(self.len);
        }
        self.mapped_rev_key_value_enumerator(|this| match this.node().and_then(Node::as_map) {
            Some(m) => Box::new(
                m.iter()
                    .enumerate()
                    .map(move |(i, (k, node))| (TValue::from(k.as_str()), this.item(i, node))),
            ),
            None => Box::new(std::iter::empty()),
        })
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(self.len)
    }
}

/// A template value as a strata value, for printing as YAML. Undefined
/// values are an error (strictness); functions and other objects that are
/// neither lists nor maps print as their string form.
pub(crate) fn from_template(value: &TValue) -> Result<Value, TError> {
    if let Some(node) = tree_of(value) {
        return Ok(node.value.clone());
    }
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
    use minijinja::{context, Environment};

    /// How values reached the templates before views: the whole tree
    /// converted up front into minijinja's own maps and lists.
    fn eager(node: &Node) -> TValue {
        match &node.value {
            Value::Seq(items) => items.iter().map(eager).collect::<Vec<_>>().into(),
            Value::Map(map) => TValue::from_iter(map.iter().map(|(k, v)| (k.as_str(), eager(v)))),
            v => scalar(v).unwrap_or_default(),
        }
    }

    const VALUES: &str = r#"name: web
replicas: 3
ratio: 1.5
whole: 2.0
big: 12345678901
neg: -4
flag: false
nothing: null
empty_s: ""
empty_m: {}
empty_l: []
list: [b, a, c]
nums: [3, 1, 2]
mixed: [1, x, null, true, 1.5, {k: v}, [n], "0755"]
image: {repository: nginx, tag: "1.25", pullPolicy: IfNotPresent}
labels: {tier: api, team: shop, "app.kubernetes.io/name": web}
resources:
  limits: {cpu: 500m, memory: 256Mi}
  requests: {cpu: 100m, memory: 128Mi}
env:
- {name: a, value: "1"}
- {name: b, value: two}
text: "line one\nline two\n"
nested: {a: {b: {c: [1, {d: deep}]}}}
dup: {x: 1}
dup2: {x: 1}
nan: {x: .nan}
sub: {enabled: true, values: {k: v}}
"0": zero
"#;

    /// Everything a template can do with `values`, one expression or
    /// statement at a time (errors are compared too).
    const CASES: &[&str] = &[
        "{{ values.name }} {{ values['name'] }} {{ values.image.repository }} {{ values.image['tag'] }}",
        "{{ values.resources.limits.cpu }} {{ values.nested.a.b.c[1].d }} {{ values.mixed[5].k }} {{ values.mixed[6][0] }}",
        "{{ values['0'] }} {{ values[0] is defined }} {{ values.list.0 is defined }} {{ values.list['0'] is defined }}",
        "{{ values.replicas }} {{ values.ratio }} {{ values.whole }} {{ values.big }} {{ values.big + 1 }} {{ values.neg | abs }} {{ values.ratio * 2 }}",
        "{{ values.flag }} {{ values.nothing }} {{ values.empty_s }}|",
        "{{ values.nope }}",
        "{{ values.nope.x }}",
        "{{ values.image.nope }}",
        "{{ values.list[7] }}",
        "{{ values.nope is defined }} {{ values.image.nope is undefined }} {{ values.list[7] is defined }} {{ values.name is defined }}",
        "{{ values.nope | default('d') }} {{ values.image.nope | default('d') }} {{ values.nothing | default('d') }} {{ values.empty_m | default('d') }} {{ values.empty_l | default('d') }} {{ values.empty_s | default('d') }} {{ values.flag | default(true) }}",
        "{{ values.image | default('d') | toyaml }} {{ values.list | default([]) | join(',') }}",
        "{{ values.list[0] }} {{ values.list[-1] }} {{ values.list[-3] }} {{ values.list[-4] is defined }} {{ values.name[0] }}",
        "{{ values.list[1:] | join(',') }} {{ values.list[::-1] | join(',') }} {{ values.list[:-1] | join(',') }} {{ values.list | first }} {{ values.list | last }} {{ values.list | join('-') }} {{ values.list | join }}",
        "{{ values.mixed | join(',') }}",
        "{{ values | length }} {{ values.list | length }} {{ values.image | length }} {{ values.empty_m | length }} {{ values.empty_l | length }} {{ values.name | length }}",
        "{% for k in values.image %}{{ k }};{% endfor %}",
        "{% for k in values %}{{ k }};{% endfor %}",
        "{% for k, v in values.image | items %}{{ k }}={{ v }};{% endfor %}",
        "{% for k, v in values.labels | dictsort %}{{ k }}={{ v }};{% endfor %}",
        "{% for k, v in values.labels | dictsort(reverse=true) %}{{ k }}={{ v }};{% endfor %}",
        "{{ values.image | dictsort(by='value') | tojson }}",
        "{% for x in values.list %}{{ loop.index }}:{{ x }}:{{ loop.revindex }}:{{ loop.first }}:{{ loop.last }}:{{ loop.length }};{% endfor %}",
        "{% for e in values.env %}{{ e.name }}={{ e.value | quote }};{% else %}none{% endfor %}",
        "{% for e in values.empty_l %}{{ e }}{% else %}none{% endfor %}{% for e in values.empty_m %}{{ e }}{% else %}none{% endfor %}",
        "{% for x in values.nums | sort %}{{ x }}{% endfor %} {{ values.list | sort | join }} {{ values.nums | sort(reverse=true) | join }}",
        "{% for k, v in values.image.items() %}{{ k }}={{ v }};{% endfor %}",
        "{{ values.image.keys() | join(',') }} {{ values.image.values() | join(',') }}",
        "{{ values.image.get('tag') }}",
        "{{ values.image is mapping }} {{ values.list is mapping }} {{ values.list is sequence }} {{ values.image is sequence }} {{ values.image is iterable }} {{ values.list is iterable }} {{ values.name is string }} {{ values.replicas is number }} {{ values.nothing is none }} {{ values.flag is boolean }} {{ values.image is defined }} {{ values.ratio is float }} {{ values.big is integer }}",
        "{{ values.image is sameas values.image }} {{ values.image is sameas values.dup }} {{ values.list is sameas values.list }} {{ values.name is sameas values.name }} {{ values.mixed[5] is sameas values.mixed[5] }} {{ values.env[1] is sameas values['env'][-1] }} {{ values.nested.a.b.c is sameas values.nested.a.b.c }}",
        "{{ values.dup == values.dup2 }} {{ values.dup == {'x': 1} }} {{ {'x': 1} == values.dup }} {{ values.list == ['b', 'a', 'c'] }} {{ values.nums != [3, 1, 2] }} {{ values.image == values.image }} {{ values.nan == values.nan }} {{ values.nan.x == values.nan.x }} {{ values.dup == values.image }} {{ values == values }}",
        "{{ values.nums < [4] }} {{ values.list > ['a'] }} {{ values.replicas > 2 }} {{ values.ratio >= 1.5 }} {{ values.dup < values.dup2 }} {{ values.nums | max }} {{ values.nums | min }} {{ values.nums | sum }}",
        "{{ [values.image, values.dup, values.dup2] | sort | tojson }} {{ [values.list, values.nums] | sort | tojson }}",
        "{{ [values.dup, values.dup2, values.image] | unique | list | length }} {{ values.list | unique | list | length }}",
        "{{ values | tojson }}",
        "{{ values.image | tojson(2) }} {{ values.mixed | tojson }} {{ values.name | tojson }} {{ values.empty_m | tojson }}",
        "{{ [values.env, values.empty_l, values.nothing] | tojson }}",
        "{{ values | toyaml }}",
        "x:{{ values.resources | toyaml | nindent(2) }}",
        "{{ values.text | toyaml }} {{ values.mixed | toyaml }} {{ values.empty_m | toyaml }} {{ values.empty_l | toyaml }} {{ values.replicas | toyaml }}",
        "{{ dict(values.image, extra=1) | toyaml }}",
        "{{ {'a': values.image, 'b': values.list, 'c': values.empty_m} | toyaml }} {{ [values.env, values.text] | toyaml }}",
        "{{ values.nope | toyaml }}",
        "{{ values.image | required('x') | toyaml }} {{ values.name | required('x') }}",
        "{{ 'name' in values }} {{ 'nope' in values }} {{ 'a' in values.list }} {{ 'z' in values.list }} {{ 'ngi' in values.image.repository }} {{ 'tag' in values.image }} {{ 1 in values.nums }}",
        "{{ values.image }}",
        "{{ values.list }}",
        "{{ values }}",
        "{{ values.image | string }} {{ values.list | string }} {{ values.mixed | string }}",
        "{{ values.mixed | pprint }}",
        "{{ values.image | quote }}",
        "{{ values.list | indent(2) }}",
        "{% macro m(x) %}{{ x.repository }}/{{ x | length }}/{{ x | toyaml }}{% endmacro %}{{ m(values.image) }}",
        "{% macro n(l) %}{% for i in l %}{{ i }}{% endfor %}{% endmacro %}{{ n(values.list) }}{{ n(values.empty_l) }}",
        "{% set img = values.image %}{{ img.tag }} {% set ns = namespace(x=values.list) %}{{ ns.x[1] }}",
        "{% if values.empty_m %}y{% else %}n{% endif %}{% if values.image %}y{% endif %}{% if values.empty_l %}y{% else %}n{% endif %}{% if values.list %}y{% endif %}{% if not values.nothing %}z{% endif %}",
        "{{ values.list | reverse | join(',') }} {{ values.image | reverse | join(',') }} {{ values.env | map(attribute='name') | join(',') }} {{ values.env | selectattr('name', 'eq', 'b') | map(attribute='value') | first }}",
        "{{ values.image | list | join(',') }} {{ values | list | join(',') }} {{ values.nums | batch(2) | list | tojson }} {{ values.env[0] | items | list | tojson }}",
        "{{ (values.list + ['d']) | join }} {{ (values.list * 2) | join }} {{ values.name ~ values.replicas }} {{ values.image['repository'] ~ values.labels['app.kubernetes.io/name'] }}",
        "{{ values.image.repository | upper }} {{ values.image | attr('tag') }} {{ values.nums | map('string') | join }} {{ values.labels | items | map('last') | join(',') }}",
        "{{ tpl('{{ values.name }}-{{ values.image.tag }}-{{ values.list | length }}') }}",
        "{{ values.text | indent(2) }}|{{ values.image.tag | float }}",
        "{{ values.image + 1 }}",
        "{{ values.list.nope() }}",
        "{{ values.image(1) }}",
        "{{ values.sub.values | toyaml }} {{ values.sub.enabled }}",
    ];

    fn run(env: &Environment<'_>, src: &str, values: &TValue) -> String {
        env.render_named_str("t.yaml", src, context! { values => values })
            .unwrap_or_else(|e| format!("ERR {:?} {} {:?}", e.kind(), e, e.line()))
    }

    #[test]
    fn views_render_as_the_values_converted_up_front() {
        if std::env::var_os("LAZY_SHOW").is_some() {
            let node = strata_yaml::load_values(VALUES, &Arc::from("v.yaml")).unwrap();
            let mut env = Environment::new();
            crate::engine::configure(&mut env);
            for case in CASES {
                eprintln!(
                    "{case}\n  => {}",
                    run(&env, case, &to_template(node.clone()))
                );
            }
        }
        let node = strata_yaml::load_values(VALUES, &Arc::from("v.yaml")).unwrap();
        let mut env = Environment::new();
        crate::engine::configure(&mut env);
        let lazy = to_template(node.clone());
        let up_front = eager(&node);
        let mut ok = Vec::new();
        for case in CASES {
            let want = run(&env, case, &up_front);
            assert_eq!(run(&env, case, &lazy), want, "{case}");
            // Fresh views too, read in another order.
            assert_eq!(run(&env, case, &to_template(node.clone())), want, "{case}");
            if !want.starts_with("ERR") {
                ok.push(*case);
            }
        }
        assert!(ok.len() > 40, "{ok:?}");
        // All of it in one template, in one render.
        let all = ok.join("\n");
        assert_eq!(run(&env, &all, &lazy), run(&env, &all, &up_front));
    }

    #[test]
    fn views_convert_back_as_the_values_converted_up_front() {
        let node = strata_yaml::load_values(VALUES, &Arc::from("v.yaml")).unwrap();
        let lazy = to_template(node.clone());
        let up_front = eager(&node);
        // Origins aside (and NaN, which equals nothing), as text.
        let text = |v: &TValue| {
            let back = from_template(v).unwrap();
            let json = Node::generated(back.clone()).to_json().to_string();
            (strata_yaml::to_yaml(&back), json)
        };
        assert_eq!(text(&lazy), text(&up_front));
        for (key, _) in node.as_map().into_iter().flatten() {
            let (a, b) = (lazy.get_attr(key).unwrap(), up_front.get_attr(key).unwrap());
            assert_eq!(text(&a), text(&b), "{key}");
        }
        assert_eq!(lazy.kind(), ValueKind::Map);
        assert_eq!(lazy.get_attr("list").unwrap().kind(), ValueKind::Seq);
        assert_eq!(to_template(Node::generated(Value::Int(3))), TValue::from(3));
    }

    #[test]
    fn round_trip_keeps_ints_order_and_types() {
        let src = "b: 1\na: [12345678901, 1.5, true, null, x]\nc: {z: 1, y: 2}\n";
        let node = strata_yaml::load_values(src, &Arc::from("t.yaml")).unwrap();
        for t in [to_template(node.clone()), eager(&node)] {
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
                strata_yaml::to_yaml(&back),
                "b: 1\na:\n- 12345678901\n- 1.5\n- true\n- null\n- x\nc:\n  z: 1\n  \"y\": 2\n"
            );
        }
    }

    /// What each way of reading values records: keys looked up (present
    /// or not), and subtrees read whole by iteration or conversion.
    #[test]
    fn reads_are_recorded_by_path() {
        let node = strata_yaml::load_values(VALUES, &Arc::from("v.yaml")).unwrap();
        let mut env = Environment::new();
        crate::engine::configure(&mut env);
        let cases: &[(&str, &[&str], &[&str])] = &[
            // (template, read, not read)
            (
                "{{ values.image.tag }}",
                &["image.tag"],
                &["image.repository", "name"],
            ),
            ("{{ values.nope | default(1) }}", &["nope"], &["image"]),
            (
                "{% for k in values.labels %}{{ k }}{% endfor %}",
                &["labels.tier", "labels.x.y"],
                &["image"],
            ),
            (
                "{{ values.resources | toyaml }}",
                &["resources.limits.cpu"],
                &["image"],
            ),
            (
                "{{ values.image | tojson }}",
                &["image.pullPolicy"],
                &["labels"],
            ),
            (
                "{% for k, v in values.image | items %}{% endfor %}",
                &["image.tag"],
                &["labels"],
            ),
            (
                "{% for k, v in values.labels | dictsort %}{% endfor %}",
                &["labels.team"],
                &["image"],
            ),
            (
                "{{ 'tag' in values.image }}",
                &["image.tag"],
                &["image.repository"],
            ),
            (
                "{% set i = values.nested.a %}{{ i.b.c[1].d }}",
                &["nested.a.b.c"],
                &["nested.x"],
            ),
            ("{{ values.image | length }}", &["image"], &["image.tag"]),
            ("{{ tpl('{{ values.name }}') }}", &["name"], &["image"]),
        ];
        for (src, read, unread) in cases {
            let reads = Arc::new(Mutex::new(ReadSet::new()));
            let v =
                to_template_recorded(node.clone(), Recorder::new(Vec::new(), Arc::clone(&reads)));
            let out = run(&env, src, &v);
            assert!(!out.starts_with("ERR"), "{src}: {out}");
            let reads = reads.lock().unwrap();
            for p in *read {
                let path = strata_chart::Path::parse(p);
                assert!(
                    reads.is_read(path.segments()),
                    "{src}: {p} should be read: {reads:?}"
                );
            }
            for p in *unread {
                let path = strata_chart::Path::parse(p);
                assert!(
                    !reads.is_read(path.segments()),
                    "{src}: {p} should not be read: {reads:?}"
                );
            }
        }
        // A subchart's tree records under its name; `global` stays global.
        let reads = Arc::new(Mutex::new(ReadSet::new()));
        let sub =
            strata_yaml::load_values("port: 1\nglobal: {env: x}\n", &Arc::from("s.yaml")).unwrap();
        let v = to_template_recorded(sub, Recorder::new(vec!["web".into()], Arc::clone(&reads)));
        run(&env, "{{ values.port }} {{ values.global.env }}", &v);
        let reads = reads.lock().unwrap();
        assert!(reads.is_read(&["web", "port"]));
        assert!(reads.is_read(&["global", "env"]));
        assert!(!reads.is_read(&["web", "global"]));
    }

    #[test]
    fn undefined_does_not_convert() {
        assert!(from_template(&TValue::UNDEFINED).is_err());
    }
}
