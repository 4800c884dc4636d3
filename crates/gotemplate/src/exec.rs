//! The executor: walks a parsed tree with a dot value, as Go's
//! `text/template/exec.go` does, with Helm's settings (`missingkey=zero`,
//! or `missingkey=error` when strict) and Helm's engine functions
//! (`include`, `tpl`, `required`, `fail`).
//!
//! Go distinguishes an absent value (an invalid `reflect.Value`) from a
//! nil held in an `interface{}` (a map entry that is null, a list element):
//! `.a.b` on the second is a "nil pointer evaluating interface {}.b" error,
//! on the first nothing. Values carry that as a `boxed` flag where it
//! matters: field chains, range elements, the dot and variables. A pipeline's
//! result is always unboxed, as Go unwraps `interface{}` after each command.

use crate::fmt::{quote, type_name};
use crate::parse::{self, Arg, Builtin, Cmd, Const, Control, FuncRef, Node, Pipe, Pos, Tree};
use crate::HashMap;
use crate::{Error, ErrorKind, Options, Set, Value};
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

/// The name of Helm's root template: `tpl` templates are parsed under it
/// and "no template" errors name it.
pub(crate) const ROOT_NAME: &str = "gotpl";

/// Helm's limit of nested `include`s of one name.
const MAX_INCLUDE: usize = 1000;

/// How much of the thread's stack nested templates and parentheses may use
/// before execution stops with a Budget error instead of overflowing (a
/// spawned thread has 2 MiB by default).
const STACK_LIMIT: usize = 1 << 20;

fn stack_address() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// Errors are boxed inside the executor: results stay small on the hot path.
type Res<T> = Result<T, Box<Error>>;

#[derive(Clone)]
struct Dot {
    v: Value,
    boxed: bool,
}

struct Var {
    id: u32,
    v: Value,
    boxed: bool,
}

enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct Exec<'a> {
    set: &'a Set,
    opts: &'a Options,
    out: String,
    vars: Vec<Var>,
    frame: usize,
    steps: u64,
    depth: usize,
    stack_base: usize,
    includes: HashMap<String, usize>,
    /// Templates defined by `tpl` strings being executed, innermost last.
    overlays: Vec<Rc<HashMap<String, Arc<Tree>>>>,
}

impl<'a> Exec<'a> {
    pub(crate) fn new(set: &'a Set, opts: &'a Options) -> Exec<'a> {
        Exec {
            set,
            opts,
            out: String::new(),
            vars: Vec::new(),
            frame: 0,
            steps: 0,
            depth: 0,
            stack_base: stack_address(),
            includes: HashMap::default(),
            overlays: Vec::new(),
        }
    }

    pub(crate) fn run(mut self, tree: &Tree, dot: Value) -> Result<String, Error> {
        self.exec_tree(tree, dot).map_err(|e| *e)?;
        Ok(self.out)
    }

    fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.templates.get(name).cloned()
    }

    /// Runs a template with a fresh variable scope (`$` = dot), writing to
    /// the current output.
    fn exec_tree(&mut self, tree: &Tree, dot: Value) -> Res<()> {
        let base = self.vars.len();
        let frame = std::mem::replace(&mut self.frame, base);
        self.vars.push(Var {
            id: 0,
            v: dot.clone(),
            boxed: false,
        });
        let r = self.walk(
            tree,
            &tree.root,
            &Dot {
                v: dot,
                boxed: false,
            },
        );
        self.vars.truncate(base);
        self.frame = frame;
        r.map(|_| ())
    }

    // ---- errors ----

    fn error(&self, tree: &Tree, pos: Pos, ctx: &str, msg: &str) -> Box<Error> {
        let (line, col) = tree.line_col(pos);
        // The source from `pos` on spells the end of `ctx`: all of it, or
        // (Go points at the field that failed, `.b` of `.a.b`) the part
        // from there on; 1 where it is spelt otherwise.
        let rest = tree.src.get(pos as usize..).unwrap_or("");
        let extent = ctx
            .char_indices()
            .find(|(i, _)| rest.starts_with(&ctx[*i..]))
            .map_or(1, |(i, _)| ctx.len() - i);
        Box::new(Error {
            kind: ErrorKind::Exec,
            template: tree.parse_name.to_string(),
            line,
            column: col + 1,
            len: ctx.len().max(1),
            extent: extent.max(1),
            message: format!("executing {} at <{}>: {}", quote(&tree.name), ctx, msg),
        })
    }

    fn err_arg(&self, tree: &Tree, arg: &Arg, msg: &str) -> Box<Error> {
        self.error(tree, arg.pos(), &arg_string(&tree.src, arg), msg)
    }

    /// An error of a field step. After `(pipeline).field`, Go reports at the
    /// node it evaluated last inside the pipeline, not at the chain.
    fn err_field(&self, tree: &Tree, node: &Arg, msg: &str) -> Box<Error> {
        if let Arg::Chain(_, base, _) = node {
            if let Arg::Pipe(p) = &**base {
                let (pos, ctx) = last_node(&tree.src, p);
                return self.error(tree, pos, &ctx, msg);
            }
        }
        self.err_arg(tree, node, msg)
    }

    fn err_cmd(&self, tree: &Tree, cmd: &Cmd, msg: &str) -> Box<Error> {
        self.error(tree, cmd.pos, &cmd_string(&tree.src, cmd), msg)
    }

    fn budget(&self, tree: &Tree, pos: Pos, msg: String) -> Box<Error> {
        let (line, col) = tree.line_col(pos);
        Box::new(Error {
            kind: ErrorKind::Budget,
            template: tree.parse_name.to_string(),
            line,
            column: col + 1,
            len: 1,
            extent: 1,
            message: msg,
        })
    }

    /// Stops before nested execution would exhaust the stack.
    fn check_stack(&self, tree: &Tree, pos: Pos) -> Res<()> {
        if self.stack_base.abs_diff(stack_address()) > STACK_LIMIT {
            return Err(self.budget(
                tree,
                pos,
                format!(
                    "templates nested too deeply (depth {}): the stack budget is exhausted",
                    self.depth
                ),
            ));
        }
        Ok(())
    }

    fn step(&mut self, tree: &Tree, pos: Pos) -> Res<()> {
        self.steps += 1;
        if self.steps > self.opts.max_steps {
            return Err(self.budget(
                tree,
                pos,
                format!(
                    "exceeded the budget of {} evaluation steps",
                    self.opts.max_steps
                ),
            ));
        }
        Ok(())
    }

    fn check_out(&self, tree: &Tree, pos: Pos) -> Res<()> {
        if self.out.len() > self.opts.max_bytes {
            return Err(self.budget(
                tree,
                pos,
                format!("output exceeds the budget of {} bytes", self.opts.max_bytes),
            ));
        }
        Ok(())
    }

    fn check_size(&self, tree: &Tree, pos: Pos, v: &Value) -> Res<()> {
        let n = match v {
            Value::String(s) => s.len(),
            Value::Bytes(b) => b.len(),
            _ => 0,
        };
        if n > self.opts.max_bytes {
            return Err(self.budget(
                tree,
                pos,
                format!(
                    "a string of {n} bytes exceeds the budget of {} bytes",
                    self.opts.max_bytes
                ),
            ));
        }
        Ok(())
    }

    // ---- walking ----

    fn walk(&mut self, tree: &Tree, nodes: &[Node], dot: &Dot) -> Res<Flow> {
        for n in nodes {
            match n {
                Node::Text(a, b) => {
                    self.out.push_str(&tree.src[*a as usize..*b as usize]);
                    self.check_out(tree, *a)?;
                }
                Node::Action(pipe) => {
                    self.step(tree, pipe.pos)?;
                    let v = self.eval_pipeline(tree, dot, pipe)?;
                    if pipe.decl.is_empty() {
                        print_value(&mut self.out, &v);
                        self.check_out(tree, pipe.pos)?;
                    }
                }
                Node::If(c) | Node::With(c) => {
                    let is_with = matches!(n, Node::With(_));
                    self.step(tree, c.pos)?;
                    let mark = self.vars.len();
                    let r = self.walk_if_with(tree, dot, c, is_with);
                    self.vars.truncate(mark);
                    match r? {
                        Flow::Normal => {}
                        f => return Ok(f),
                    }
                }
                Node::Range(c) => {
                    self.step(tree, c.pos)?;
                    let mark = self.vars.len();
                    let r = self.walk_range(tree, dot, c);
                    self.vars.truncate(mark);
                    r?;
                }
                Node::Template(t) => {
                    self.step(tree, t.pos)?;
                    let Some(target) = self.lookup(&t.name) else {
                        return Err(self.error(
                            tree,
                            t.pos,
                            &node_string(&tree.src, n),
                            &format!("template {} not defined", quote(&t.name)),
                        ));
                    };
                    self.check_stack(tree, t.pos)?;
                    if self.depth >= self.opts.max_depth {
                        return Err(self.budget(
                            tree,
                            t.pos,
                            format!("exceeded maximum template depth ({})", self.opts.max_depth),
                        ));
                    }
                    let new_dot = match &t.pipe {
                        Some(p) => self.eval_pipeline(tree, dot, p)?,
                        None => Value::Nil,
                    };
                    self.depth += 1;
                    let r = self.exec_tree(&target, new_dot);
                    self.depth -= 1;
                    r?;
                }
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
            }
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, tree: &Tree, dot: &Dot, c: &Control, is_with: bool) -> Res<Flow> {
        let v = self.eval_pipeline(tree, dot, &c.pipe)?;
        if v.truthy() {
            if is_with {
                let d = Dot { v, boxed: false };
                return self.walk(tree, &c.list, &d);
            }
            return self.walk(tree, &c.list, dot);
        }
        if let Some(e) = &c.else_list {
            return self.walk(tree, e, dot);
        }
        Ok(Flow::Normal)
    }

    fn walk_range(&mut self, tree: &Tree, dot: &Dot, c: &Control) -> Res<()> {
        let val = self.eval_pipeline(tree, dot, &c.pipe)?;
        // A caller's map or slice type (Helm's `.Files.Glob` result, a
        // map of paths to bytes) ranges as the value it stands for.
        let val = match val {
            Value::Object(o) => match o.to_value() {
                v @ (Value::Map(_) | Value::List(_)) => v,
                _ => Value::Object(o),
            },
            v => v,
        };
        let mark = self.vars.len();
        let ndecl = c.pipe.decl.len();
        let mut ran = false;
        // One iteration: set the variables, walk, drop the body's variables.
        macro_rules! iteration {
            ($index:expr, $elem:expr, $boxed:expr) => {{
                ran = true;
                self.step(tree, c.pos)?;
                let index: Value = $index;
                let elem: Value = $elem;
                if ndecl > 0 {
                    if c.pipe.is_assign {
                        if ndecl > 1 {
                            self.set_var(tree, &c.pipe, 0, index.clone(), false)?;
                            self.set_var(tree, &c.pipe, 1, elem.clone(), $boxed)?;
                        } else {
                            self.set_var(tree, &c.pipe, 0, elem.clone(), $boxed)?;
                        }
                    } else {
                        let n = self.vars.len();
                        self.vars[n - 1].v = elem.clone();
                        self.vars[n - 1].boxed = $boxed;
                        if ndecl > 1 {
                            self.vars[n - 2].v = index;
                            self.vars[n - 2].boxed = false;
                        }
                    }
                }
                let d = Dot {
                    v: elem,
                    boxed: $boxed,
                };
                let r = self.walk(tree, &c.list, &d);
                self.vars.truncate(mark);
                if let Flow::Break = r? {
                    break;
                }
            }};
        }
        match &val {
            Value::List(l) =>
            {
                #[allow(clippy::never_loop)]
                for (i, e) in l.iter().enumerate() {
                    iteration!(Value::Int(i as i64), e.clone(), true);
                }
            }
            Value::Bytes(b) => {
                for (i, e) in b.iter().enumerate() {
                    iteration!(Value::Int(i as i64), Value::Int(*e as i64), false);
                }
            }
            Value::Map(m) => {
                // Iterate over a snapshot: the body may change the map.
                let entries: Vec<(String, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                for (k, e) in entries {
                    iteration!(Value::str(&k), e, true);
                }
            }
            Value::Int(n) | Value::Int64(n) => {
                if ndecl > 1 {
                    let (pos, ctx) = last_node(&tree.src, &c.pipe);
                    return Err(self.error(
                        tree,
                        pos,
                        &ctx,
                        &format!(
                            "can't use {} to iterate over more than one variable",
                            crate::fmt::sprint(std::slice::from_ref(&val))
                        ),
                    ));
                }
                let is64 = matches!(val, Value::Int64(_));
                for i in 0..*n {
                    let v = if is64 { Value::Int64(i) } else { Value::Int(i) };
                    iteration!(v.clone(), v, false);
                }
            }
            Value::Nil => {}
            other => {
                let (pos, ctx) = last_node(&tree.src, &c.pipe);
                return Err(self.error(
                    tree,
                    pos,
                    &ctx,
                    &format!(
                        "range can't iterate over {}",
                        crate::fmt::sprint(std::slice::from_ref(other))
                    ),
                ));
            }
        }
        if !ran {
            if let Some(e) = &c.else_list {
                self.walk(tree, e, dot)?;
            }
        }
        Ok(())
    }

    fn set_var(&mut self, tree: &Tree, pipe: &Pipe, i: usize, v: Value, boxed: bool) -> Res<()> {
        let d = &pipe.decl[i];
        for var in self.vars[self.frame..].iter_mut().rev() {
            if var.id == d.id {
                var.v = v;
                var.boxed = boxed;
                return Ok(());
            }
        }
        let (pos, ctx) = last_node(&tree.src, pipe);
        Err(self.error(tree, pos, &ctx, &format!("undefined variable: {}", d.name)))
    }

    fn var_value(&self, tree: &Tree, arg: &Arg, id: u32, name: &str) -> Res<(Value, bool)> {
        for var in self.vars[self.frame..].iter().rev() {
            if var.id == id {
                return Ok((var.v.clone(), var.boxed));
            }
        }
        Err(self.err_arg(tree, arg, &format!("undefined variable: {name}")))
    }

    // ---- evaluation ----

    fn eval_pipeline(&mut self, tree: &Tree, dot: &Dot, pipe: &Pipe) -> Res<Value> {
        self.check_stack(tree, pipe.pos)?;
        let mut value: Option<Value> = None;
        for cmd in &pipe.cmds {
            let (v, _) = self.eval_cmd(tree, dot, cmd, value.take())?;
            value = Some(v);
        }
        let value = value.unwrap_or_default();
        for (i, d) in pipe.decl.iter().enumerate() {
            if pipe.is_assign {
                self.set_var(tree, pipe, i, value.clone(), false)?;
            } else {
                self.vars.push(Var {
                    id: d.id,
                    v: value.clone(),
                    boxed: false,
                });
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, tree: &Tree, cmd: &Cmd, final_: &Option<Value>) -> Res<()> {
        if cmd.args.len() > 1 || final_.is_some() {
            let first = &cmd.args[0];
            return Err(self.err_arg(
                tree,
                first,
                &format!(
                    "can't give argument to non-function {}",
                    arg_string(&tree.src, first)
                ),
            ));
        }
        Ok(())
    }

    fn eval_cmd(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        cmd: &Cmd,
        final_: Option<Value>,
    ) -> Res<(Value, bool)> {
        self.step(tree, cmd.pos)?;
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, idents) => self.eval_field_chain(
                tree,
                dot,
                first,
                (dot.v.clone(), dot.boxed),
                idents,
                cmd,
                final_,
            ),
            Arg::Chain(_, node, idents) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.err_arg(
                        tree,
                        first,
                        &format!(
                            "indirection through explicit nil in {}",
                            arg_string(&tree.src, first)
                        ),
                    ));
                }
                let recv = self.eval_arg(tree, dot, node)?;
                self.eval_field_chain(tree, dot, first, (recv, false), idents, cmd, final_)
            }
            Arg::Ident(_, f, name) => self
                .call_func(tree, dot, first, *f, name, cmd, final_)
                .map(|v| (v, false)),
            Arg::Pipe(p) => {
                self.not_a_function(tree, cmd, &final_)?;
                self.eval_pipeline(tree, dot, p).map(|v| (v, false))
            }
            Arg::Var(_, id, idents) => {
                let recv = self.var_value(tree, first, *id, &idents[0])?;
                if idents.len() == 1 {
                    self.not_a_function(tree, cmd, &final_)?;
                    return Ok(recv);
                }
                self.eval_field_chain(tree, dot, first, recv, &idents[1..], cmd, final_)
            }
            _ => {
                self.not_a_function(tree, cmd, &final_)?;
                match first {
                    Arg::Dot(_) => Ok((dot.v.clone(), dot.boxed)),
                    Arg::Nil(_) => Err(self.err_arg(tree, first, "nil is not a command")),
                    _ => self.eval_arg(tree, dot, first).map(|v| (v, false)),
                }
            }
        }
    }

    /// An argument's value (Go's evalArg for an `interface{}` parameter).
    fn eval_arg(&mut self, tree: &Tree, dot: &Dot, arg: &Arg) -> Res<Value> {
        match arg {
            Arg::Dot(_) => Ok(dot.v.clone()),
            Arg::Nil(_) => Ok(Value::Nil),
            Arg::Bool(_, b) => Ok(Value::Bool(*b)),
            Arg::Str(_, _, s) => Ok(Value::str(s)),
            Arg::Num(_, len, c) => match c {
                Const::Int(i) => Ok(Value::Int(*i)),
                Const::Float(f) => Ok(Value::Float(*f)),
                Const::Overflow => {
                    let text = &tree.src[arg.pos() as usize..(arg.pos() + len) as usize];
                    Err(self.err_arg(tree, arg, &format!("{text} overflows int")))
                }
            },
            Arg::Field(_, idents) => {
                let recv = (dot.v.clone(), dot.boxed);
                self.eval_chain_noargs(tree, dot, arg, recv, idents)
            }
            Arg::Var(_, id, idents) => {
                let recv = self.var_value(tree, arg, *id, &idents[0])?;
                if idents.len() == 1 {
                    return Ok(recv.0);
                }
                self.eval_chain_noargs(tree, dot, arg, recv, &idents[1..])
            }
            Arg::Chain(_, node, idents) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.err_arg(
                        tree,
                        arg,
                        &format!(
                            "indirection through explicit nil in {}",
                            arg_string(&tree.src, arg)
                        ),
                    ));
                }
                let recv = self.eval_arg(tree, dot, node)?;
                self.eval_chain_noargs(tree, dot, arg, (recv, false), idents)
            }
            Arg::Pipe(p) => self.eval_pipeline(tree, dot, p),
            Arg::Ident(_, f, name) => {
                let cmd = Cmd {
                    pos: arg.pos(),
                    args: Vec::new(),
                };
                self.call_func(tree, dot, arg, *f, name, &cmd, None)
            }
        }
    }

    fn eval_chain_noargs(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        node: &Arg,
        mut recv: (Value, bool),
        idents: &[Box<str>],
    ) -> Res<Value> {
        for name in idents {
            recv = self.eval_field(tree, dot, node, recv, name, None)?;
        }
        Ok(recv.0)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        node: &Arg,
        mut recv: (Value, bool),
        idents: &[Box<str>],
        cmd: &Cmd,
        final_: Option<Value>,
    ) -> Res<(Value, bool)> {
        let n = idents.len();
        for name in &idents[..n - 1] {
            recv = self.eval_field(tree, dot, node, recv, name, None)?;
        }
        let has_args = cmd.args.len() > 1 || final_.is_some();
        let call = if has_args { Some((cmd, final_)) } else { None };
        self.eval_field(tree, dot, node, recv, &idents[n - 1], call)
    }

    /// One `.name` step on a receiver; `call` carries the command whose
    /// remaining words are a method's arguments.
    fn eval_field(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        node: &Arg,
        recv: (Value, bool),
        name: &str,
        call: Option<(&Cmd, Option<Value>)>,
    ) -> Res<(Value, bool)> {
        let (v, boxed) = recv;
        match v {
            Value::Nil if !boxed => {
                if self.opts.strict {
                    return Err(self.err_field(
                        tree,
                        node,
                        &format!("nil data; no entry for key {}", quote(name)),
                    ));
                }
                Ok((Value::Nil, false))
            }
            Value::Nil => Err(self.err_field(
                tree,
                node,
                &format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Map(m) => {
                if call.is_some() {
                    return Err(self.err_field(
                        tree,
                        node,
                        &format!("{name} is not a method but has arguments"),
                    ));
                }
                let got = m.borrow().get(name).cloned();
                match got {
                    Some(v) => Ok((v, true)),
                    None if self.opts.strict => Err(self.err_field(
                        tree,
                        node,
                        &format!("map has no entry for key {}", quote(name)),
                    )),
                    None => Ok((Value::Nil, true)),
                }
            }
            Value::Object(o) => {
                match call {
                    None => {
                        if let Some(f) = o.field(name) {
                            let boxed = matches!(f, Value::Nil);
                            return Ok((f, boxed));
                        }
                        if let Some(r) = o.call(name, &[]) {
                            return self.method_result(tree, node, name, r, None);
                        }
                    }
                    Some((cmd, final_)) => {
                        let mut args = Vec::with_capacity(cmd.args.len());
                        for a in &cmd.args[1..] {
                            args.push(self.eval_arg(tree, dot, a)?);
                        }
                        if let Some(f) = final_ {
                            args.push(f);
                        }
                        if let Some(r) = o.call(name, &args) {
                            return self.method_result(tree, node, name, r, Some(cmd));
                        }
                        if o.field(name).is_some() {
                            return Err(self.err_field(
                                tree,
                                node,
                                &format!("{name} has arguments but cannot be invoked as function"),
                            ));
                        }
                    }
                }
                Err(self.err_field(
                    tree,
                    node,
                    &format!("can't evaluate field {name} in type {}", o.type_name()),
                ))
            }
            other => {
                let t = if boxed {
                    "interface {}".to_string()
                } else {
                    type_name(&other)
                };
                Err(self.err_field(
                    tree,
                    node,
                    &format!("can't evaluate field {name} in type {t}"),
                ))
            }
        }
    }

    fn method_result(
        &self,
        tree: &Tree,
        node: &Arg,
        name: &str,
        r: Result<Value, String>,
        cmd: Option<&Cmd>,
    ) -> Res<(Value, bool)> {
        match r {
            Ok(v) => {
                self.check_size(tree, node.pos(), &v)?;
                Ok((v, false))
            }
            Err(m) if m.starts_with("wrong number of args") => Err(self.err_arg(tree, node, &m)),
            Err(m) => {
                let msg = format!("error calling {name}: {m}");
                Err(match cmd {
                    Some(c) => self.err_cmd(tree, c, &msg),
                    None => self.err_arg(tree, node, &msg),
                })
            }
        }
    }

    /// The evaluated arguments of a call (the final pipeline value last).
    fn args(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        cmd: &Cmd,
        final_: Option<Value>,
    ) -> Res<Vec<Value>> {
        let n = cmd.args.len().saturating_sub(1) + final_.is_some() as usize;
        let mut out = Vec::with_capacity(n);
        for a in cmd.args.iter().skip(1) {
            out.push(self.eval_arg(tree, dot, a)?);
        }
        if let Some(f) = final_ {
            out.push(f);
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn call_func(
        &mut self,
        tree: &Tree,
        dot: &Dot,
        ident: &Arg,
        f: FuncRef,
        name: &str,
        cmd: &Cmd,
        final_: Option<Value>,
    ) -> Res<Value> {
        let nargs = cmd.args.len().saturating_sub(1) + final_.is_some() as usize;
        let b = match f {
            FuncRef::User(i) => {
                let args = self.args(tree, dot, cmd, final_)?;
                let func = &self.set.funcs[i as usize].1;
                return match func(&args) {
                    Ok(v) => {
                        self.check_size(tree, cmd.pos, &v)?;
                        Ok(v)
                    }
                    // Argument count and type errors of library functions
                    // (funcs/mod.rs): Go reports them without "error calling".
                    Err(m)
                        if m.starts_with("wrong number of args for ")
                            || m.starts_with("wrong type for value; ")
                            || m.starts_with("invalid value; expected ") =>
                    {
                        Err(self.err_arg(tree, ident, &m))
                    }
                    Err(m) => Err(self.err_cmd(tree, cmd, &format!("error calling {name}: {m}"))),
                };
            }
            FuncRef::Builtin(b) => b,
        };
        let want = |this: &Self, n: usize| -> Res<()> {
            if nargs != n {
                return Err(this.err_arg(
                    tree,
                    ident,
                    &format!("wrong number of args for {name}: want {n} got {nargs}"),
                ));
            }
            Ok(())
        };
        let want_at_least = |this: &Self, n: usize| -> Res<()> {
            if nargs < n {
                return Err(this.err_arg(
                    tree,
                    ident,
                    &format!("wrong number of args for {name}: want at least {n} got {nargs}"),
                ));
            }
            Ok(())
        };
        let calling =
            |this: &Self, m: &str| this.err_cmd(tree, cmd, &format!("error calling {name}: {m}"));
        match b {
            Builtin::And | Builtin::Or => {
                want_at_least(self, 1)?;
                let is_or = b == Builtin::Or;
                let mut last = Value::Nil;
                for a in &cmd.args[1..] {
                    let v = self.eval_arg(tree, dot, a)?;
                    if v.truthy() == is_or {
                        return Ok(v);
                    }
                    last = v;
                }
                if let Some(f) = final_ {
                    return Ok(f);
                }
                Ok(last)
            }
            Builtin::Not => {
                want(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                Ok(Value::Bool(!a[0].truthy()))
            }
            Builtin::Eq => {
                want_at_least(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                eq(&a[0], &a[1..])
                    .map(Value::Bool)
                    .map_err(|m| calling(self, &m))
            }
            Builtin::Ne => {
                want(self, 2)?;
                let a = self.args(tree, dot, cmd, final_)?;
                eq(&a[0], &a[1..])
                    .map(|t| Value::Bool(!t))
                    .map_err(|m| calling(self, &m))
            }
            Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                want(self, 2)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let r = match b {
                    Builtin::Lt => lt(&a[0], &a[1]),
                    Builtin::Le => le(&a[0], &a[1]),
                    Builtin::Gt => le(&a[0], &a[1]).map(|t| !t),
                    _ => lt(&a[0], &a[1]).map(|t| !t),
                };
                r.map(Value::Bool).map_err(|m| calling(self, &m))
            }
            Builtin::Index => {
                want_at_least(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                index(&a[0], &a[1..]).map_err(|m| calling(self, &m))
            }
            Builtin::Slice => {
                want_at_least(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                slice(&a[0], &a[1..]).map_err(|m| calling(self, &m))
            }
            Builtin::Len => {
                want(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                length(&a[0]).map(Value::Int).map_err(|m| calling(self, &m))
            }
            Builtin::Print | Builtin::Println => {
                let a = self.args(tree, dot, cmd, final_)?;
                let s = if b == Builtin::Print {
                    crate::fmt::sprint(&a)
                } else {
                    crate::fmt::sprintln(&a)
                };
                let v = Value::str(&s);
                self.check_size(tree, cmd.pos, &v)?;
                Ok(v)
            }
            Builtin::Printf => {
                want_at_least(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let format = self.string_arg(tree, cmd, &a, 0)?;
                let s = crate::fmt::sprintf(&format, &a[1..]);
                let v = Value::str(&s);
                self.check_size(tree, cmd.pos, &v)?;
                Ok(v)
            }
            Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                let a = self.args(tree, dot, cmd, final_)?;
                let s = eval_args(&a);
                Ok(Value::str(&match b {
                    Builtin::Html => html_escape(&s),
                    Builtin::Js => js_escape(&s),
                    _ => query_escape(&s),
                }))
            }
            Builtin::Call => {
                want_at_least(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let what = cmd
                    .args
                    .get(1)
                    .map(|x| arg_string(&tree.src, x))
                    .unwrap_or_default();
                Err(match &a[0] {
                    Value::Nil => calling(self, "call of nil"),
                    v => calling(
                        self,
                        &format!("non-function {what} of type {}", type_name(v)),
                    ),
                })
            }
            Builtin::Include => {
                want(self, 2)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let tname = self.string_arg(tree, cmd, &a, 0)?;
                self.include(tree, cmd, &tname, a[1].clone())
            }
            Builtin::Tpl => {
                want(self, 2)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let text = self.string_arg(tree, cmd, &a, 0)?;
                self.tpl(tree, cmd, &text, a[1].clone())
            }
            Builtin::Required => {
                want(self, 2)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let msg = self.string_arg(tree, cmd, &a, 0)?;
                match &a[1] {
                    Value::Nil => Err(self.helm_error(tree, cmd, ErrorKind::Required, msg)),
                    Value::String(s) if s.is_empty() => {
                        Err(self.helm_error(tree, cmd, ErrorKind::Required, msg))
                    }
                    v => Ok(v.clone()),
                }
            }
            Builtin::Fail => {
                want(self, 1)?;
                let a = self.args(tree, dot, cmd, final_)?;
                let msg = self.string_arg(tree, cmd, &a, 0)?;
                Err(self.helm_error(tree, cmd, ErrorKind::Fail, msg))
            }
        }
    }

    /// A `string` parameter: Go's conversion errors for anything else.
    fn string_arg(&self, tree: &Tree, cmd: &Cmd, a: &[Value], i: usize) -> Res<String> {
        let node = cmd.args.get(i + 1);
        let err = |m: String| match node {
            Some(n) => self.err_arg(tree, n, &m),
            None => self.err_cmd(tree, cmd, &m),
        };
        match (&a[i], node) {
            (Value::String(s), _) => Ok(s.to_string()),
            // Go converts literals by their node, values by their type.
            (_, Some(n @ (Arg::Num(..) | Arg::Bool(..)))) => Err(err(format!(
                "expected string; found {}",
                arg_string(&tree.src, n)
            ))),
            (_, Some(Arg::Nil(_))) => Err(err("cannot assign nil to string".to_string())),
            (Value::Nil, _) => Err(err("invalid value; expected string".to_string())),
            (v, _) => Err(err(format!(
                "wrong type for value; expected string; got {}",
                type_name(v)
            ))),
        }
    }

    fn helm_error(&self, tree: &Tree, cmd: &Cmd, kind: ErrorKind, msg: String) -> Box<Error> {
        let mut e = self.err_cmd(tree, cmd, "");
        e.kind = kind;
        e.message = msg;
        e
    }

    /// An error of a nested execution (include, tpl) as the caller's:
    /// Helm's own messages keep their text and take the caller's place;
    /// others are wrapped as Go wraps them.
    fn wrap(
        &self,
        tree: &Tree,
        cmd: &Cmd,
        name: &str,
        prefix: &str,
        inner: Box<Error>,
    ) -> Box<Error> {
        match inner.kind {
            ErrorKind::Fail | ErrorKind::Required => {
                let mut e = self.err_cmd(tree, cmd, "");
                e.kind = inner.kind;
                e.message = inner.message;
                e
            }
            ErrorKind::Budget => inner,
            _ => self.err_cmd(
                tree,
                cmd,
                &format!("error calling {name}: {prefix}{}", inner.go_string()),
            ),
        }
    }

    fn include(&mut self, tree: &Tree, cmd: &Cmd, name: &str, data: Value) -> Res<Value> {
        let count = self.includes.get(name).copied().unwrap_or(0);
        if count > MAX_INCLUDE {
            return Err(self.err_cmd(
                tree,
                cmd,
                &format!(
                    "error calling include: rendering template has a nested reference name: {name}: unable to execute template"
                ),
            ));
        }
        let Some(target) = self.lookup(name) else {
            return Err(self.err_cmd(
                tree,
                cmd,
                &format!(
                    "error calling include: template: no template {} associated with template {}",
                    quote(name),
                    quote(ROOT_NAME)
                ),
            ));
        };
        if self.depth >= self.opts.max_depth {
            return Err(self.budget(
                tree,
                cmd.pos,
                format!("exceeded maximum template depth ({})", self.opts.max_depth),
            ));
        }
        self.check_stack(tree, cmd.pos)?;
        match self.includes.get_mut(name) {
            Some(c) => *c += 1,
            None => {
                self.includes.insert(name.to_string(), 1);
            }
        }
        let saved = std::mem::take(&mut self.out);
        self.depth += 1;
        let r = self.exec_tree(&target, data);
        self.depth -= 1;
        let produced = std::mem::replace(&mut self.out, saved);
        if let Some(c) = self.includes.get_mut(name) {
            *c -= 1;
        }
        match r {
            Ok(()) => Ok(Value::String(Rc::from(produced))),
            Err(e) => Err(self.wrap(tree, cmd, "include", "", e)),
        }
    }

    fn tpl(&mut self, tree: &Tree, cmd: &Cmd, text: &str, data: Value) -> Res<Value> {
        self.check_stack(tree, cmd.pos)?;
        if self.depth >= self.opts.max_depth {
            return Err(self.budget(
                tree,
                cmd.pos,
                format!("exceeded maximum template depth ({})", self.opts.max_depth),
            ));
        }
        let parsed = match parse::parse(ROOT_NAME, text, self.set) {
            Ok(p) => p,
            Err(pe) => {
                let e = self.set.parse_error(ROOT_NAME, pe);
                return Err(self.err_cmd(
                    tree,
                    cmd,
                    &format!(
                        "error calling tpl: cannot parse template {}: {}",
                        quote(text),
                        e.go_string()
                    ),
                ));
            }
        };
        let mut overlay: HashMap<String, Arc<Tree>> = HashMap::default();
        let mut main = None;
        for (i, t) in parsed.trees.into_iter().enumerate() {
            let t = Arc::new(t);
            if i == 0 {
                main = Some(t.clone());
            }
            let keep_old = t.is_empty() && self.lookup(&t.name).is_some_and(|o| !o.is_empty());
            if !keep_old {
                overlay.insert(t.name.to_string(), t);
            }
        }
        let Some(main) = main else {
            return Ok(Value::str(""));
        };
        self.overlays.push(Rc::new(overlay));
        let saved = std::mem::take(&mut self.out);
        self.depth += 1;
        let r = self.exec_tree(&main, data);
        self.depth -= 1;
        let produced = std::mem::replace(&mut self.out, saved);
        self.overlays.pop();
        match r {
            Ok(()) => Ok(Value::str(&produced.replace("<no value>", ""))),
            Err(e) => Err(self.wrap(
                tree,
                cmd,
                "tpl",
                &format!("error during tpl function execution for {}: ", quote(text)),
                e,
            )),
        }
    }
}

/// How an action prints its value: Go's printValue (an absent value is
/// `<no value>`; a value whose pointer is a `fmt.Stringer` prints its
/// `String()`), then `%v`.
pub(crate) fn print_value(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("<no value>"),
        Value::String(s) => out.push_str(s),
        Value::Object(o) => match o.string() {
            Some(text) => out.push_str(&text),
            None => crate::fmt::write_value(out, v),
        },
        v => crate::fmt::write_value(out, v),
    }
}

// ---- builtins ----

#[derive(PartialEq, Eq, Clone, Copy)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Float,
    String,
}

fn basic_kind(v: &Value) -> Kind {
    match v {
        Value::Bool(_) => Kind::Bool,
        Value::Int(_) | Value::Int64(_) => Kind::Int,
        Value::Float(_) => Kind::Float,
        Value::String(_) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn eq(a: &Value, rest: &[Value]) -> Result<bool, String> {
    if rest.is_empty() {
        return Err("missing argument for comparison".to_string());
    }
    let k1 = basic_kind(a);
    for b in rest {
        let k2 = basic_kind(b);
        let truth = if k1 != k2 {
            if !matches!(a, Value::Nil) && !matches!(b, Value::Nil) {
                return Err(format!(
                    "incompatible types for comparison: {} and {}",
                    type_name(a),
                    type_name(b)
                ));
            }
            false
        } else {
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) => x == y,
                (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x == y,
                (Value::Float(x), Value::Float(y)) => x == y,
                (Value::String(x), Value::String(y)) => x == y,
                (Value::Nil, Value::Nil) => true,
                (Value::Nil, _) | (_, Value::Nil) => false,
                (Value::List(_), _) | (Value::Map(_), _) | (Value::Bytes(_), _) => {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        crate::fmt::sprintf("%s", std::slice::from_ref(a)),
                        type_name(a)
                    ));
                }
                (_, Value::List(_)) | (_, Value::Map(_)) | (_, Value::Bytes(_)) => {
                    return Err(format!(
                        "non-comparable type {}: {}",
                        crate::fmt::sprintf("%s", std::slice::from_ref(b)),
                        type_name(b)
                    ));
                }
                (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
                _ => false,
            }
        };
        if truth {
            return Ok(true);
        }
    }
    Ok(false)
}

fn lt(a: &Value, b: &Value) -> Result<bool, String> {
    let k1 = basic_kind(a);
    let k2 = basic_kind(b);
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err("invalid type for comparison".to_string());
    }
    if k1 != k2 {
        return Err(format!(
            "incompatible types for comparison: {} and {}",
            type_name(a),
            type_name(b)
        ));
    }
    Ok(match (a, b) {
        (Value::Int(x) | Value::Int64(x), Value::Int(y) | Value::Int64(y)) => x < y,
        (Value::Float(x), Value::Float(y)) => x < y,
        (Value::String(x), Value::String(y)) => x < y,
        _ => return Err("invalid type for comparison".to_string()),
    })
}

fn le(a: &Value, b: &Value) -> Result<bool, String> {
    if lt(a, b)? {
        return Ok(true);
    }
    eq(a, std::slice::from_ref(b))
}

fn index_arg(i: &Value, cap: usize) -> Result<usize, String> {
    let x = match i {
        Value::Int(x) | Value::Int64(x) => *x,
        Value::Nil => return Err("cannot index slice/array with nil".to_string()),
        v => {
            return Err(format!(
                "cannot index slice/array with type {}",
                type_name(v)
            ))
        }
    };
    if x < 0 || x as u64 > cap as u64 {
        return Err(format!("index out of range: {x}"));
    }
    Ok(x as usize)
}

fn index(item: &Value, idx: &[Value]) -> Result<Value, String> {
    if matches!(item, Value::Nil) {
        return Err("index of untyped nil".to_string());
    }
    let mut cur = item.clone();
    for i in idx {
        cur = match &cur {
            Value::Nil => return Err("index of nil pointer".to_string()),
            Value::List(l) => {
                let x = index_arg(i, l.len())?;
                match l.get(x) {
                    Some(v) => v.clone(),
                    None => return Err("reflect: slice index out of range".to_string()),
                }
            }
            Value::String(s) => {
                let x = index_arg(i, s.len())?;
                match s.as_bytes().get(x) {
                    Some(b) => Value::Int(*b as i64),
                    None => return Err("reflect: string index out of range".to_string()),
                }
            }
            Value::Bytes(b) => {
                let x = index_arg(i, b.len())?;
                match b.get(x) {
                    Some(b) => Value::Int(*b as i64),
                    None => return Err("reflect: slice index out of range".to_string()),
                }
            }
            Value::Map(m) => match i {
                Value::String(k) => m.borrow().get(&**k).cloned().unwrap_or(Value::Nil),
                Value::Nil => return Err("value is nil; should be of type string".to_string()),
                v => return Err(format!("value has type {}; should be string", type_name(v))),
            },
            v => return Err(format!("can't index item of type {}", type_name(v))),
        };
    }
    Ok(cur)
}

fn slice(item: &Value, idx: &[Value]) -> Result<Value, String> {
    if matches!(item, Value::Nil) {
        return Err("slice of untyped nil".to_string());
    }
    if idx.len() > 3 {
        return Err(format!("too many slice indexes: {}", idx.len()));
    }
    let len = match item {
        Value::String(s) => {
            if idx.len() == 3 {
                return Err("cannot 3-index slice a string".to_string());
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        v => return Err(format!("can't slice item of type {}", type_name(v))),
    };
    let mut ix = [0usize, len, len];
    for (k, i) in idx.iter().enumerate() {
        ix[k] = index_arg(i, len)?;
    }
    if ix[0] > ix[1] {
        return Err(format!("invalid slice index: {} > {}", ix[0], ix[1]));
    }
    if idx.len() == 3 && ix[1] > ix[2] {
        return Err(format!("invalid slice index: {} > {}", ix[1], ix[2]));
    }
    Ok(match item {
        Value::String(s) => match s.get(ix[0]..ix[1]) {
            Some(sub) => Value::str(sub),
            // Go slices bytes; a cut inside a character keeps the bytes.
            None => Value::str(&String::from_utf8_lossy(&s.as_bytes()[ix[0]..ix[1]])),
        },
        Value::List(l) => Value::list(l[ix[0]..ix[1]].to_vec()),
        Value::Bytes(b) => Value::Bytes(Rc::from(&b[ix[0]..ix[1]])),
        _ => Value::Nil,
    })
}

fn length(v: &Value) -> Result<i64, String> {
    Ok(match v {
        Value::Nil => return Err("len of nil pointer".to_string()),
        Value::String(s) => s.len() as i64,
        Value::Bytes(b) => b.len() as i64,
        Value::List(l) => l.len() as i64,
        Value::Map(m) => m.borrow().len() as i64,
        v => return Err(format!("len of type {}", type_name(v))),
    })
}

/// Go's evalArgs for html, js and urlquery.
fn eval_args(a: &[Value]) -> String {
    if let [Value::String(s)] = a {
        return s.to_string();
    }
    let printable: Vec<Value> = a
        .iter()
        .map(|v| match v {
            Value::Nil => Value::str("<no value>"),
            v => v.clone(),
        })
        .collect();
    crate::fmt::sprint(&printable)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\0' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u00{:02X}", c as u32);
            }
            c if (c as u32) < 0x80 => out.push(c),
            c if crate::fmt::is_print(c) => out.push(c),
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out
}

fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

// ---- Go's String() of nodes, for error contexts ----

/// The node Go's executor visited last in a pipeline, where it reports
/// errors raised after the pipeline ran (range, assignment).
fn last_node(src: &str, p: &Pipe) -> (Pos, String) {
    let Some(cmd) = p.cmds.last() else {
        return (p.pos, pipe_string(src, p));
    };
    let arg = if cmd.args.len() == 1 {
        &cmd.args[0]
    } else {
        &cmd.args[cmd.args.len() - 1]
    };
    match arg {
        Arg::Pipe(inner) => last_node(src, inner),
        a => (a.pos(), arg_string(src, a)),
    }
}

pub(crate) fn arg_string(src: &str, a: &Arg) -> String {
    let mut s = String::new();
    write_arg(&mut s, src, a);
    s
}

fn write_arg(s: &mut String, src: &str, a: &Arg) {
    match a {
        Arg::Field(_, idents) => {
            for i in idents.iter() {
                s.push('.');
                s.push_str(i);
            }
        }
        Arg::Var(_, _, idents) => s.push_str(&idents.join(".")),
        Arg::Chain(_, node, idents) => {
            if let Arg::Pipe(_) = **node {
                s.push('(');
                write_arg(s, src, node);
                s.push(')');
            } else {
                write_arg(s, src, node);
            }
            for i in idents.iter() {
                s.push('.');
                s.push_str(i);
            }
        }
        Arg::Ident(_, _, name) => s.push_str(name),
        Arg::Dot(_) => s.push('.'),
        Arg::Nil(_) => s.push_str("nil"),
        Arg::Bool(_, b) => s.push_str(if *b { "true" } else { "false" }),
        Arg::Num(p, len, _) | Arg::Str(p, len, _) => {
            s.push_str(src.get(*p as usize..(*p + *len) as usize).unwrap_or(""))
        }
        Arg::Pipe(p) => write_pipe(s, src, p),
    }
}

fn write_cmd(s: &mut String, src: &str, c: &Cmd) {
    for (i, a) in c.args.iter().enumerate() {
        if i > 0 {
            s.push(' ');
        }
        if let Arg::Pipe(_) = a {
            s.push('(');
            write_arg(s, src, a);
            s.push(')');
        } else {
            write_arg(s, src, a);
        }
    }
}

pub(crate) fn cmd_string(src: &str, c: &Cmd) -> String {
    let mut s = String::new();
    write_cmd(&mut s, src, c);
    s
}

fn write_pipe(s: &mut String, src: &str, p: &Pipe) {
    if !p.decl.is_empty() {
        for (i, d) in p.decl.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(&d.name);
        }
        s.push_str(if p.is_assign { " = " } else { " := " });
    }
    for (i, c) in p.cmds.iter().enumerate() {
        if i > 0 {
            s.push_str(" | ");
        }
        write_cmd(s, src, c);
    }
}

pub(crate) fn pipe_string(src: &str, p: &Pipe) -> String {
    let mut s = String::new();
    write_pipe(&mut s, src, p);
    s
}

fn write_list(s: &mut String, src: &str, l: &[Node]) {
    for n in l {
        write_node(s, src, n);
    }
}

fn write_control(s: &mut String, src: &str, kw: &str, c: &Control) {
    s.push_str("{{");
    s.push_str(kw);
    s.push(' ');
    write_pipe(s, src, &c.pipe);
    s.push_str("}}");
    write_list(s, src, &c.list);
    if let Some(e) = &c.else_list {
        s.push_str("{{else}}");
        write_list(s, src, e);
    }
    s.push_str("{{end}}");
}

fn write_node(s: &mut String, src: &str, n: &Node) {
    match n {
        Node::Text(a, b) => s.push_str(&src[*a as usize..*b as usize]),
        Node::Action(p) => {
            s.push_str("{{");
            write_pipe(s, src, p);
            s.push_str("}}");
        }
        Node::If(c) => write_control(s, src, "if", c),
        Node::With(c) => write_control(s, src, "with", c),
        Node::Range(c) => write_control(s, src, "range", c),
        Node::Template(t) => {
            s.push_str("{{template ");
            s.push_str(&quote(&t.name));
            if let Some(p) = &t.pipe {
                s.push(' ');
                write_pipe(s, src, p);
            }
            s.push_str("}}");
        }
        Node::Break => s.push_str("{{break}}"),
        Node::Continue => s.push_str("{{continue}}"),
    }
}

pub(crate) fn node_string(src: &str, n: &Node) -> String {
    let mut s = String::new();
    write_node(&mut s, src, n);
    s
}
