//! The parser of Go's text/template: tokens into a compact tree, function
//! names resolved once, variables checked as Go checks them
//! (`text/template/parse/parse.go`, rule by rule, with its messages).

use crate::lex::{self, Tok, Token};
use crate::HashMap;
use std::sync::Arc;

pub(crate) type Pos = u32;

/// How deeply parentheses and control structures may nest: deeper input
/// is refused instead of exhausting the stack.
pub(crate) const MAX_NESTING: usize = 500;

/// The stack the parser may use for nesting (frames are larger in debug
/// builds, so the level count alone is not enough).
const PARSE_STACK_LIMIT: usize = 512 << 10;

/// text/template's builtins and Helm's engine functions, run by the
/// executor itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Index,
    Slice,
    Len,
    Print,
    Printf,
    Println,
    Html,
    Js,
    Urlquery,
    Call,
    Include,
    Tpl,
    Required,
    Fail,
}

impl Builtin {
    pub(crate) fn by_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "len" => Builtin::Len,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "call" => Builtin::Call,
            "include" => Builtin::Include,
            "tpl" => Builtin::Tpl,
            "required" => Builtin::Required,
            "fail" => Builtin::Fail,
            _ => return None,
        })
    }

    /// Helm's engine functions: they win over a library function of the
    /// same name (Sprig's own `fail`).
    pub(crate) fn is_engine(self) -> bool {
        matches!(
            self,
            Builtin::Include | Builtin::Tpl | Builtin::Required | Builtin::Fail
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum FuncRef {
    Builtin(Builtin),
    User(u32),
}

/// A numeric constant as Go's `idealConstant` makes it a value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Const {
    Int(i64),
    Float(f64),
    /// Fits only an unsigned 64-bit integer: "overflows int" when used.
    Overflow,
}

#[derive(Debug)]
pub(crate) enum Arg {
    /// `.a.b`
    Field(Pos, Box<[Box<str>]>),
    /// `$x.a.b`: the variable's id in this tree, then its name and fields.
    Var(Pos, u32, Box<[Box<str>]>),
    /// `(pipe).a.b`, `fn.a`
    Chain(Pos, Box<Arg>, Box<[Box<str>]>),
    Ident(Pos, FuncRef, Box<str>),
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    /// Position, length of the literal's text, value.
    Num(Pos, u32, Const),
    Str(Pos, u32, Box<str>),
    Pipe(Box<Pipe>),
}

impl Arg {
    pub(crate) fn pos(&self) -> Pos {
        match self {
            Arg::Field(p, _)
            | Arg::Var(p, _, _)
            | Arg::Chain(p, _, _)
            | Arg::Ident(p, _, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Num(p, _, _)
            | Arg::Str(p, _, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

#[derive(Debug)]
pub(crate) struct Cmd {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

#[derive(Debug)]
pub(crate) struct Decl {
    pub id: u32,
    pub name: Box<str>,
}

#[derive(Debug)]
pub(crate) struct Pipe {
    pub pos: Pos,
    pub is_assign: bool,
    pub decl: Vec<Decl>,
    pub cmds: Vec<Cmd>,
}

#[derive(Debug)]
pub(crate) struct Control {
    pub pos: Pos,
    pub pipe: Pipe,
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
}

#[derive(Debug)]
pub(crate) struct TemplateCall {
    pub pos: Pos,
    pub name: Box<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub(crate) enum Node {
    /// A range of the tree's source.
    Text(u32, u32),
    Action(Pipe),
    If(Box<Control>),
    With(Box<Control>),
    Range(Box<Control>),
    Template(Box<TemplateCall>),
    Break,
    Continue,
}

/// One template: a file's body or a `define`.
#[derive(Debug)]
pub(crate) struct Tree {
    /// The name it is called by.
    pub name: Arc<str>,
    /// The name of the file it was parsed from (Go's ParseName).
    pub parse_name: Arc<str>,
    pub src: Arc<str>,
    pub root: Vec<Node>,
}

impl Tree {
    /// Go's `IsEmptyTree`: only blank text (and comments).
    pub(crate) fn is_empty(&self) -> bool {
        self.root.iter().all(|n| match n {
            Node::Text(a, b) => self.src[*a as usize..*b as usize]
                .bytes()
                .all(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')),
            _ => false,
        })
    }

    /// 1-based line and 0-based byte column (Go's) of a position.
    pub(crate) fn line_col(&self, pos: Pos) -> (usize, usize) {
        line_col(&self.src, pos)
    }
}

pub(crate) fn line_col(src: &str, pos: Pos) -> (usize, usize) {
    let pos = (pos as usize).min(src.len());
    let before = &src.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|&&c| c == b'\n').count();
    let col = match before.iter().rposition(|&c| c == b'\n') {
        Some(nl) => pos - nl - 1,
        None => pos,
    };
    (line, col)
}

/// A parse failure: Go's message and the token at fault.
#[derive(Debug)]
pub(crate) struct ParseError {
    pub message: String,
    pub line: usize,
    /// 0-based byte column of the token at fault.
    pub column: usize,
    pub len: u32,
}

pub(crate) struct Parsed {
    /// The file's own tree first, then its `define`s and `block`s in order.
    pub trees: Vec<Tree>,
}

/// Resolves a function name at parse time.
pub(crate) trait FuncLookup {
    fn lookup(&self, name: &str) -> Option<FuncRef>;
}

pub(crate) fn parse(name: &str, src: &str, funcs: &dyn FuncLookup) -> Result<Parsed, ParseError> {
    let break_ok = funcs
        .lookup("break")
        .is_none_or(|f| !matches!(f, FuncRef::User(_)));
    let continue_ok = funcs
        .lookup("continue")
        .is_none_or(|f| !matches!(f, FuncRef::User(_)));
    let lexed = lex::lex(src, break_ok, continue_ok);
    let src: Arc<str> = Arc::from(src);
    let parse_name: Arc<str> = Arc::from(name);
    let mut p = Parser {
        src: &src,
        toks: &lexed.tokens,
        lex_error: &lexed.error,
        idx: 0,
        last: 0,
        funcs,
        vars: vec!["$".into()],
        var_ids: vec![0],
        ids: HashMap::from_iter([("$".to_string(), 0)]),
        range_depth: 0,
        action_line: 0,
        depth: 0,
        stack_base: {
            let marker = 0u8;
            std::hint::black_box(&marker) as *const u8 as usize
        },
        trees: Vec::new(),
        parse_name: parse_name.clone(),
    };
    let root = p.parse_top()?;
    let main = Tree {
        name: Arc::from(name),
        parse_name: parse_name.clone(),
        src: src.clone(),
        root,
    };
    let mut trees = Vec::with_capacity(p.trees.len() + 1);
    trees.push(main);
    trees.append(&mut p.trees);
    Ok(Parsed { trees })
}

struct Parser<'a> {
    src: &'a Arc<str>,
    toks: &'a [Token],
    lex_error: &'a str,
    idx: usize,
    /// The last token handed out (Go's `token[0]`), for error lines.
    last: usize,
    funcs: &'a dyn FuncLookup,
    vars: Vec<Box<str>>,
    var_ids: Vec<u32>,
    ids: HashMap<String, u32>,
    range_depth: usize,
    action_line: u32,
    depth: usize,
    stack_base: usize,
    trees: Vec<Tree>,
    parse_name: Arc<str>,
}

type PResult<T> = Result<T, ParseError>;

impl<'a> Parser<'a> {
    fn tok(&self, i: usize) -> Token {
        // The lexer always ends with Eof or Error; stay on it.
        self.toks[i.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.tok(self.idx);
        self.last = self.idx.min(self.toks.len() - 1);
        if self.idx < self.toks.len() {
            self.idx += 1;
        }
        t
    }

    fn peek(&self) -> Token {
        self.tok(self.idx)
    }

    fn backup(&mut self) {
        self.idx = self.idx.saturating_sub(1);
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.tok != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn text(&self, t: &Token) -> &'a str {
        let src: &'a str = self.src;
        &src[t.start as usize..t.end as usize]
    }

    fn error_at(&self, t: Token, message: String) -> ParseError {
        ParseError {
            message,
            line: t.line as usize,
            column: line_col(self.src, t.start).1,
            len: (t.end - t.start).max(1),
        }
    }

    fn errorf(&self, message: String) -> ParseError {
        let t = self.tok(self.last);
        self.error_at(t, message)
    }

    fn unexpected(&self, t: Token, context: &str) -> ParseError {
        if t.tok == Tok::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != t.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if self.lex_error.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.error_at(t, format!("{}{}", self.lex_error, extra));
        }
        let what = lex::describe(self.src, &t, self.lex_error);
        self.error_at(t, format!("unexpected {what} in {context}"))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        let marker = 0u8;
        let here = std::hint::black_box(&marker) as *const u8 as usize;
        if self.depth > MAX_NESTING || self.stack_base.abs_diff(here) > PARSE_STACK_LIMIT {
            return Err(self.errorf(format!(
                "nesting deeper than {MAX_NESTING} levels of parentheses and blocks (or than the stack allows)"
            )));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn var_id(&mut self, name: &str) -> u32 {
        let next = self.ids.len() as u32;
        *self.ids.entry(name.to_string()).or_insert(next)
    }

    fn parse_top(&mut self) -> PResult<Vec<Node>> {
        let mut root = Vec::new();
        while self.peek().tok != Tok::Eof {
            if self.peek().tok == Tok::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().tok == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Item::Node(n) => root.push(n),
                Item::End(t) => return Err(self.error_at(t, "unexpected {{end}}".to_string())),
                Item::Else(t) => return Err(self.error_at(t, "unexpected {{else}}".to_string())),
                Item::Skip => {}
            }
        }
        Ok(root)
    }

    /// A fresh variable scope for a `define` or `block` body.
    fn with_fresh_vars<T>(&mut self, f: impl FnOnce(&mut Self) -> PResult<T>) -> PResult<T> {
        let vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let ids = std::mem::replace(&mut self.var_ids, vec![0]);
        let range_depth = std::mem::replace(&mut self.range_depth, 0);
        let r = f(self);
        self.vars = vars;
        self.var_ids = ids;
        self.range_depth = range_depth;
        r
    }

    fn add_tree(&mut self, name: &str, root: Vec<Node>) -> PResult<()> {
        let tree = Tree {
            name: Arc::from(name),
            parse_name: self.parse_name.clone(),
            src: self.src.clone(),
            root,
        };
        if let Some(i) = self.trees.iter().position(|t| &*t.name == name) {
            if self.trees[i].is_empty() {
                self.trees[i] = tree;
            } else if !tree.is_empty() {
                return Err(self.errorf(format!(
                    "template: multiple definition of template {}",
                    crate::fmt::quote(name)
                )));
            }
            return Ok(());
        }
        self.trees.push(tree);
        Ok(())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let t = self.next_non_space();
        if t.tok != Tok::String && t.tok != Tok::RawString {
            return Err(self.unexpected(t, context));
        }
        let name = self.unquote(t)?;
        let t = self.next_non_space();
        if t.tok != Tok::RightDelim {
            return Err(self.unexpected(t, context));
        }
        let root = self.with_fresh_vars(|p| {
            let (list, end) = p.item_list()?;
            if let End::Else(t) = end {
                return Err(p.error_at(t, format!("unexpected {{{{else}}}} in {context}")));
            }
            Ok(list)
        })?;
        self.add_tree(&name, root)
    }

    fn unquote(&self, t: Token) -> PResult<String> {
        let text = self.text(&t);
        unquote(text).ok_or_else(|| self.error_at(t, "invalid syntax".to_string()))
    }

    /// Nodes up to `{{end}}` or `{{else}}`.
    fn item_list(&mut self) -> PResult<(Vec<Node>, End)> {
        let mut list = Vec::new();
        while self.peek_non_space().tok != Tok::Eof {
            match self.text_or_action()? {
                Item::Node(n) => list.push(n),
                Item::End(_) => return Ok((list, End::End)),
                Item::Else(t) => return Ok((list, End::Else(t))),
                Item::Skip => {}
            }
        }
        Err(self.errorf("unexpected EOF".to_string()))
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Text => Ok(Item::Node(Node::Text(t.start, t.end))),
            Tok::LeftDelim => {
                self.action_line = t.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            Tok::Comment => Ok(Item::Skip),
            _ => Err(self.unexpected(t, "input")),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.tok {
            Tok::Block => return self.block_control().map(Item::Node),
            Tok::Break | Tok::Continue => {
                let what = if t.tok == Tok::Break {
                    "break"
                } else {
                    "continue"
                };
                let n = self.next_non_space();
                if n.tok != Tok::RightDelim {
                    return Err(self.unexpected(n, &format!("{{{{{what}}}}}")));
                }
                if self.range_depth == 0 {
                    return Err(self.errorf(format!("{{{{{what}}}}} outside {{{{range}}}}")));
                }
                return Ok(Item::Node(if t.tok == Tok::Break {
                    Node::Break
                } else {
                    Node::Continue
                }));
            }
            Tok::Else => {
                let peek = self.peek_non_space();
                if peek.tok == Tok::If || peek.tok == Tok::With {
                    return Ok(Item::Else(peek));
                }
                let n = self.next_non_space();
                if n.tok != Tok::RightDelim {
                    return Err(self.unexpected(n, "else"));
                }
                return Ok(Item::Else(t));
            }
            Tok::End => {
                let n = self.next_non_space();
                if n.tok != Tok::RightDelim {
                    return Err(self.unexpected(n, "end"));
                }
                return Ok(Item::End(t));
            }
            Tok::If => {
                return self
                    .control("if")
                    .map(|c| Item::Node(Node::If(Box::new(c))))
            }
            Tok::Range => {
                return self
                    .control("range")
                    .map(|c| Item::Node(Node::Range(Box::new(c))))
            }
            Tok::With => {
                return self
                    .control("with")
                    .map(|c| Item::Node(Node::With(Box::new(c))))
            }
            Tok::Template => return self.template_control().map(Item::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Item::Node(Node::Action(pipe)))
    }

    fn control(&mut self, context: &str) -> PResult<Control> {
        self.enter()?;
        let mark = self.vars.len();
        let r = self.control_inner(context);
        self.vars.truncate(mark);
        self.var_ids.truncate(mark);
        self.leave();
        r
    }

    fn control_inner(&mut self, context: &str) -> PResult<Control> {
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let r = self.item_list();
        if context == "range" {
            self.range_depth -= 1;
        }
        let (list, next) = r?;
        let mut else_list = None;
        if let End::Else(else_tok) = next {
            let pt = self.peek();
            if context == "if" && pt.tok == Tok::If {
                self.next();
                let c = self.control("if")?;
                let _ = else_tok;
                else_list = Some(vec![Node::If(Box::new(c))]);
            } else if context == "with" && pt.tok == Tok::With {
                self.next();
                let c = self.control("with")?;
                else_list = Some(vec![Node::With(Box::new(c))]);
            } else {
                let (l, next) = self.item_list()?;
                if let End::Else(t) = next {
                    return Err(self.error_at(t, "expected end; found {{else}}".to_string()));
                }
                else_list = Some(l);
            }
        }
        Ok(Control {
            pos: pipe.pos,
            pipe,
            list,
            else_list,
        })
    }

    fn template_name(&mut self, t: Token, context: &str) -> PResult<String> {
        match t.tok {
            Tok::String | Tok::RawString => self.unquote(t),
            _ => Err(self.unexpected(t, context)),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let t = self.next_non_space();
        let name = self.template_name(t, context)?;
        let pipe = if self.next_non_space().tok != Tok::RightDelim {
            self.backup();
            Some(self.pipeline(context, Tok::RightDelim)?)
        } else {
            None
        };
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.start,
            name: name.into(),
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let t = self.next_non_space();
        let name = self.template_name(t, context)?;
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        self.enter()?;
        let root = self.with_fresh_vars(|p| {
            let (list, end) = p.item_list()?;
            if let End::Else(t) = end {
                return Err(p.error_at(t, format!("unexpected {{{{else}}}} in {context}")));
            }
            Ok(list)
        });
        self.leave();
        self.add_tree(&name, root?)?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.start,
            name: name.into(),
            pipe: Some(pipe),
        })))
    }

    fn declare(&mut self, v: Token) -> Decl {
        let name = self.text(&v);
        let id = self.var_id(name);
        self.vars.push(name.into());
        self.var_ids.push(id);
        Decl {
            id,
            name: name.into(),
        }
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        let start = self.peek_non_space();
        let mut pipe = Pipe {
            pos: start.start,
            is_assign: false,
            decl: Vec::new(),
            cmds: Vec::new(),
        };
        loop {
            let v = self.peek_non_space();
            if v.tok != Tok::Variable {
                break;
            }
            let save = self.idx;
            self.next();
            let next = self.peek_non_space();
            if next.tok == Tok::Assign || next.tok == Tok::Declare {
                pipe.is_assign = next.tok == Tok::Assign;
                self.next_non_space();
                // Go records an assigned name as known too; assigning a
                // variable never declared fails when executed.
                let name = self.text(&v);
                let existing = self.vars.iter().rposition(|n| &**n == name);
                let d = match (pipe.is_assign, existing) {
                    (true, Some(i)) => {
                        let id = self.var_ids[i];
                        self.vars.push(name.into());
                        self.var_ids.push(id);
                        Decl {
                            id,
                            name: name.into(),
                        }
                    }
                    _ => self.declare(v),
                };
                pipe.decl.push(d);
                break;
            } else if next.tok == Tok::Char && self.text(&next) == "," {
                self.next_non_space();
                let d = self.declare(v);
                pipe.decl.push(d);
                if context == "range" && pipe.decl.len() < 2 {
                    match self.peek_non_space().tok {
                        Tok::Variable | Tok::RightDelim | Tok::RightParen => continue,
                        _ => return Err(self.errorf("range can only initialize variables".into())),
                    }
                }
                return Err(self.errorf(format!("too many declarations in {context}")));
            } else {
                self.idx = save;
                break;
            }
        }
        loop {
            let t = self.next_non_space();
            if t.tok == end {
                if pipe.cmds.is_empty() {
                    return Err(self.errorf(format!("missing value for {context}")));
                }
                for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
                    if matches!(
                        c.args.first(),
                        Some(
                            Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Num(..) | Arg::Str(..)
                        )
                    ) {
                        return Err(self.errorf(format!(
                            "non executable command in pipeline stage {}",
                            i + 1
                        )));
                    }
                }
                return Ok(pipe);
            }
            match t.tok {
                Tok::Bool
                | Tok::CharConst
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return Err(self.unexpected(t, context)),
            }
        }
    }

    fn command(&mut self) -> PResult<Cmd> {
        let pos = self.peek_non_space().start;
        let mut args = Vec::new();
        loop {
            self.peek_non_space();
            if let Some(a) = self.operand()? {
                args.push(a);
            }
            let t = self.next();
            match t.tok {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return Err(self.unexpected(t, "operand")),
            }
            break;
        }
        if args.is_empty() {
            return Err(self.errorf("empty command".to_string()));
        }
        Ok(Cmd { pos, args })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().tok != Tok::Field {
            return Ok(Some(node));
        }
        let chain_pos = self.peek().start;
        let mut fields: Vec<Box<str>> = Vec::new();
        while self.peek().tok == Tok::Field {
            let t = self.next();
            fields.push(self.text(&t)[1..].into());
        }
        Ok(Some(match node {
            // Go places the merged node at the first chained field.
            Arg::Field(_, idents) => {
                let mut v = idents.into_vec();
                v.extend(fields);
                Arg::Field(chain_pos, v.into())
            }
            Arg::Var(_, id, idents) => {
                let mut v = idents.into_vec();
                v.extend(fields);
                Arg::Var(chain_pos, id, v.into())
            }
            Arg::Bool(..) | Arg::Str(..) | Arg::Num(..) | Arg::Nil(_) | Arg::Dot(_) => {
                let s = crate::exec::arg_string(self.src, &node);
                return Err(
                    self.errorf(format!("unexpected . after term {}", crate::fmt::quote(&s)))
                );
            }
            other => Arg::Chain(chain_pos, Box::new(other), fields.into()),
        }))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        let text = self.text(&t);
        Ok(Some(match t.tok {
            Tok::Identifier => match self.funcs.lookup(text) {
                Some(f) => Arg::Ident(t.start, f, text.into()),
                None => {
                    return Err(
                        self.errorf(format!("function {} not defined", crate::fmt::quote(text)))
                    )
                }
            },
            Tok::Dot => Arg::Dot(t.start),
            Tok::Nil => Arg::Nil(t.start),
            Tok::Variable => {
                let Some(i) = self.vars.iter().rposition(|n| &**n == text) else {
                    return Err(
                        self.errorf(format!("undefined variable {}", crate::fmt::quote(text)))
                    );
                };
                Arg::Var(
                    t.start,
                    self.var_ids[i],
                    vec![Box::<str>::from(text)].into(),
                )
            }
            Tok::Field => Arg::Field(t.start, vec![Box::<str>::from(&text[1..])].into()),
            Tok::Bool => Arg::Bool(t.start, text == "true"),
            Tok::CharConst | Tok::Number => {
                let c = number(text, t.tok == Tok::CharConst).map_err(|m| self.errorf(m))?;
                Arg::Num(t.start, t.end - t.start, c)
            }
            Tok::LeftParen => {
                self.enter()?;
                let p = self.pipeline("parenthesized pipeline", Tok::RightParen);
                self.leave();
                Arg::Pipe(Box::new(p?))
            }
            Tok::String | Tok::RawString => {
                let s = self.unquote(t)?;
                Arg::Str(t.start, t.end - t.start, s.into())
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

enum Item {
    Node(Node),
    End(Token),
    Else(Token),
    Skip,
}

enum End {
    End,
    Else(Token),
}

/// Go's strconv.Unquote for the literals the lexer produces.
pub(crate) fn unquote(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if b.len() < 2 {
        return None;
    }
    if b[0] == b'`' {
        if b[b.len() - 1] != b'`' {
            return None;
        }
        // Go drops carriage returns from raw strings.
        return Some(text[1..text.len() - 1].replace('\r', ""));
    }
    if b[0] != b'"' || b[b.len() - 1] != b'"' {
        return None;
    }
    let inner = &text[1..text.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while !rest.is_empty() {
        let (c, tail) = unquote_char(rest, b'"')?;
        out.push_str(&c);
        rest = tail;
    }
    Some(out)
}

/// One (possibly escaped) character of a quoted literal; the character
/// as text (an invalid `\xNN` byte as U+FFFD, since strings are UTF-8 here).
fn unquote_char(s: &str, quote: u8) -> Option<(String, &str)> {
    let b = s.as_bytes();
    let c = s.chars().next()?;
    if c as u32 == quote as u32 && (quote == b'\'' || quote == b'"') {
        return None;
    }
    if c != '\\' {
        if c == '\n' {
            return None;
        }
        return Some((c.to_string(), &s[c.len_utf8()..]));
    }
    if b.len() < 2 {
        return None;
    }
    let e = b[1];
    // A multi-byte character after the backslash is no escape.
    let rest = s.get(2..)?;
    let simple = match e {
        b'a' => Some('\x07'),
        b'b' => Some('\x08'),
        b'f' => Some('\x0c'),
        b'n' => Some('\n'),
        b'r' => Some('\r'),
        b't' => Some('\t'),
        b'v' => Some('\x0b'),
        b'\\' => Some('\\'),
        b'\'' | b'"' => {
            if e != quote {
                return None;
            }
            Some(e as char)
        }
        _ => None,
    };
    if let Some(c) = simple {
        return Some((c.to_string(), rest));
    }
    let hex = |n: usize| -> Option<(u32, &str)> {
        if rest.len() < n || !rest.is_char_boundary(n) {
            return None;
        }
        let v = u32::from_str_radix(&rest[..n], 16).ok()?;
        if !rest[..n].bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some((v, &rest[n..]))
    };
    match e {
        b'x' => {
            let (v, tail) = hex(2)?;
            let c = char::from_u32(v)?;
            // A lone byte ≥ 0x80 is not UTF-8 on its own.
            Some((
                if v < 0x80 {
                    c.to_string()
                } else {
                    "\u{FFFD}".to_string()
                },
                tail,
            ))
        }
        b'u' => {
            let (v, tail) = hex(4)?;
            Some((char::from_u32(v)?.to_string(), tail))
        }
        b'U' => {
            let (v, tail) = hex(8)?;
            Some((char::from_u32(v)?.to_string(), tail))
        }
        b'0'..=b'7' => {
            // Three octal digits: bytes, so a multi-byte character after
            // the backslash is refused rather than cut.
            let digits = b.get(1..4)?;
            if !digits.iter().all(|c| (b'0'..=b'7').contains(c)) {
                return None;
            }
            let v = digits.iter().fold(0u32, |n, c| n * 8 + (c - b'0') as u32);
            if v > 255 {
                return None;
            }
            let c = char::from_u32(v)?;
            Some((
                if v < 0x80 {
                    c.to_string()
                } else {
                    "\u{FFFD}".to_string()
                },
                &s[4..],
            ))
        }
        _ => None,
    }
}

/// Go's `newNumber` then `idealConstant`.
fn number(text: &str, is_char: bool) -> Result<Const, String> {
    if is_char {
        let inner = &text[1..];
        // strconv.UnquoteChar's failure is "invalid syntax"; a character
        // followed by more than the closing quote is malformed.
        let Some((c, tail)) = unquote_char(inner, b'\'') else {
            return Err("invalid syntax".to_string());
        };
        return match c.chars().next() {
            Some(r) if tail == "'" => Ok(Const::Int(r as i64)),
            _ => Err(format!("malformed character constant: {text}")),
        };
    }
    if text.ends_with('i') {
        return Err(format!(
            "illegal number syntax: {}",
            crate::fmt::quote(text)
        ));
    }
    let int = parse_go_int(text);
    match int {
        Some(IntVal::I(i)) => {
            let is_hex_int = is_hex_int(text);
            if !is_hex_int && text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Ok(Const::Float(i as f64));
            }
            Ok(Const::Int(i))
        }
        Some(IntVal::U) => Ok(Const::Overflow),
        None => match parse_go_float(text) {
            Some(f) => {
                if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                    return Err(format!("integer overflow: {}", crate::fmt::quote(text)));
                }
                if f.is_infinite() {
                    return Err(format!(
                        "illegal number syntax: {}",
                        crate::fmt::quote(text)
                    ));
                }
                Ok(Const::Float(f))
            }
            None => Err(format!(
                "illegal number syntax: {}",
                crate::fmt::quote(text)
            )),
        },
    }
}

fn is_hex_int(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() > 2 && b[0] == b'0' && (b[1] == b'x' || b[1] == b'X') && !s.contains(['p', 'P'])
}

enum IntVal {
    I(i64),
    /// Fits u64 only.
    U,
}

/// strconv.ParseInt/ParseUint with base 0: prefixes, `_` separators.
fn parse_go_int(text: &str) -> Option<IntVal> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !underscore_ok(body) {
        return None;
    }
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    let digits: String = digits.chars().filter(|&c| c != '_').collect();
    if digits.is_empty() {
        return None;
    }
    let v = u64::from_str_radix(&digits, radix).ok()?;
    if neg {
        if v <= i64::MAX as u64 + 1 {
            return Some(IntVal::I((v as i128).wrapping_neg() as i64));
        }
        return None;
    }
    if v <= i64::MAX as u64 {
        Some(IntVal::I(v as i64))
    } else {
        Some(IntVal::U)
    }
}

fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1] | 0x20, b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1] | 0x20 == b'x';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && (c | 0x20).is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// strconv.ParseFloat: decimal and hexadecimal forms, `_` separators.
fn parse_go_float(text: &str) -> Option<f64> {
    let (neg, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if !underscore_ok(body) {
        return None;
    }
    let clean: String = body.chars().filter(|&c| c != '_').collect();
    let lower = clean.to_ascii_lowercase();
    let v = if let Some(h) = lower.strip_prefix("0x") {
        let (mant, exp) = h.split_once('p')?;
        let exp: i32 = exp.parse().ok()?;
        let (ip, fp) = mant.split_once('.').unwrap_or((mant, ""));
        if ip.is_empty() && fp.is_empty() {
            return None;
        }
        let mut m = 0f64;
        for c in ip.chars() {
            m = m * 16.0 + c.to_digit(16)? as f64;
        }
        let mut scale = 1.0 / 16.0;
        for c in fp.chars() {
            m += c.to_digit(16)? as f64 * scale;
            scale /= 16.0;
        }
        m * 2f64.powi(exp)
    } else {
        if lower.is_empty()
            || !lower
                .bytes()
                .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'+' | b'-'))
        {
            return None;
        }
        lower.parse::<f64>().ok()?
    };
    Some(if neg { -v } else { v })
}
