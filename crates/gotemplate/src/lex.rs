//! The lexer of Go's text/template: the whole file into a token list.
//!
//! It follows Go's `text/template/parse/lex.go` rule by rule (delimiters,
//! trim markers that need a space beside the dash, comments, numbers,
//! quoted strings), and stops at the first error with Go's wording: the
//! parser reports it when it reaches that token, as Go's does.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tok {
    Text,
    LeftDelim,
    RightDelim,
    Space,
    Comment,
    Pipe,
    Declare,
    Assign,
    /// A printable ASCII character that is no other token (`,` in `range
    /// $i, $v :=`).
    Char,
    LeftParen,
    RightParen,
    String,
    RawString,
    CharConst,
    Number,
    Bool,
    Field,
    Variable,
    Identifier,
    Eof,
    Error,
    // Keywords (Go prints them as `<word>`).
    Block,
    Break,
    Continue,
    Define,
    Dot,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Tok {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Define
                | Tok::Dot
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

/// One token. `start..end` is its text in the source (for `Text`, after
/// trimming); an error token's message is in `Lexed::error`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: u32,
    pub end: u32,
    pub line: u32,
}

pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    pub error: String,
}

/// Go's `item.String()`, used in "unexpected X in Y" messages.
pub(crate) fn describe(src: &str, t: &Token, error: &str) -> String {
    let text = &src[t.start as usize..t.end as usize];
    match t.tok {
        Tok::Eof => "EOF".to_string(),
        Tok::Error => error.to_string(),
        k if k.is_keyword() => format!("<{text}>"),
        _ if text.chars().count() > 10 => {
            let head: String = text.chars().take(10).collect();
            format!("{}...", crate::fmt::quote(&head))
        }
        _ => crate::fmt::quote(text),
    }
}

const LEFT: &[u8] = b"{{";
const RIGHT: &[u8] = b"}}";

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || c.is_numeric()
}

fn has_left_trim(s: &[u8]) -> bool {
    s.len() >= 2 && s[0] == b'-' && is_space(s[1])
}

fn has_right_trim(s: &[u8]) -> bool {
    s.len() >= 2 && is_space(s[0]) && s[1] == b'-'
}

struct Lexer<'a> {
    src: &'a str,
    b: &'a [u8],
    pos: usize,
    start: usize,
    line: u32,
    start_line: u32,
    paren: i32,
    out: Vec<Token>,
    error: String,
    break_ok: bool,
    continue_ok: bool,
}

pub(crate) fn lex(src: &str, break_ok: bool, continue_ok: bool) -> Lexed {
    let mut l = Lexer {
        src,
        b: src.as_bytes(),
        pos: 0,
        start: 0,
        line: 1,
        start_line: 1,
        paren: 0,
        out: Vec::with_capacity(src.len() / 4 + 4),
        error: String::new(),
        break_ok,
        continue_ok,
    };
    l.run();
    Lexed {
        tokens: l.out,
        error: l.error,
    }
}

impl<'a> Lexer<'a> {
    fn emit(&mut self, tok: Tok) {
        self.out.push(Token {
            tok,
            start: self.start as u32,
            end: self.pos as u32,
            line: self.start_line,
        });
        self.ignore();
    }

    fn ignore(&mut self) {
        self.line +=
            memchr::memchr_iter(b'\n', &self.b[self.start.min(self.pos)..self.pos]).count() as u32;
        self.start = self.pos;
        self.start_line = self.line;
    }

    /// Moves `pos` forward without counting lines yet (`ignore`/`emit` do).
    fn peek_char(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn next_char(&mut self) -> Option<char> {
        let c = self.peek_char()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn errorf(&mut self, msg: String) {
        self.error = msg;
        self.out.push(Token {
            tok: Tok::Error,
            start: self.start as u32,
            end: self.start as u32,
            line: self.start_line,
        });
    }

    fn run(&mut self) {
        loop {
            // Text up to the next left delimiter.
            match memchr::memmem::find(&self.b[self.pos..], LEFT) {
                Some(x) => {
                    let delim = self.pos + x;
                    let mut end = delim;
                    let after = delim + LEFT.len();
                    if has_left_trim(&self.b[after..]) {
                        while end > self.pos && is_space(self.b[end - 1]) {
                            end -= 1;
                        }
                    }
                    self.pos = end;
                    if end > self.start {
                        self.emit(Tok::Text);
                    }
                    self.pos = delim;
                    self.ignore();
                    if !self.left_delim() {
                        return;
                    }
                }
                None => {
                    self.pos = self.b.len();
                    if self.pos > self.start {
                        self.emit(Tok::Text);
                    }
                    self.emit(Tok::Eof);
                    return;
                }
            }
        }
    }

    /// At `{{`: a comment or an action. False when lexing stopped.
    fn left_delim(&mut self) -> bool {
        self.pos += LEFT.len();
        let trim = has_left_trim(&self.b[self.pos..]);
        let after = if trim { 2 } else { 0 };
        if self.b[self.pos + after..].starts_with(b"/*") {
            self.pos += after;
            self.ignore();
            return self.comment();
        }
        self.emit(Tok::LeftDelim);
        self.pos += after;
        self.ignore();
        self.paren = 0;
        self.inside_action()
    }

    fn comment(&mut self) -> bool {
        let Some(i) = memchr::memmem::find(&self.b[self.pos..], b"*/") else {
            self.errorf("unclosed comment".to_string());
            return false;
        };
        self.pos += i + 2;
        let (delim, trim) = self.at_right_delim();
        if !delim {
            self.errorf("comment ends before closing delimiter".to_string());
            return false;
        }
        self.emit(Tok::Comment);
        if trim {
            self.pos += 2;
        }
        self.pos += RIGHT.len();
        if trim {
            self.skip_left_space();
        }
        self.ignore();
        true
    }

    fn skip_left_space(&mut self) {
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
        }
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let rest = &self.b[self.pos..];
        if has_right_trim(rest) && rest[2..].starts_with(RIGHT) {
            return (true, true);
        }
        if rest.starts_with(RIGHT) {
            return (true, false);
        }
        (false, false)
    }

    fn right_delim(&mut self, trim: bool) {
        if trim {
            self.pos += 2;
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Tok::RightDelim);
        if trim {
            self.skip_left_space();
            self.ignore();
        }
    }

    /// Tokens of one action up to and including its `}}`.
    fn inside_action(&mut self) -> bool {
        loop {
            let (delim, trim) = self.at_right_delim();
            if delim {
                if self.paren == 0 {
                    self.right_delim(trim);
                    return true;
                }
                self.errorf("unclosed left paren".to_string());
                return false;
            }
            let Some(r) = self.next_char() else {
                self.errorf("unclosed action".to_string());
                return false;
            };
            match r {
                ' ' | '\t' | '\r' | '\n' => {
                    self.pos -= 1;
                    self.space();
                }
                '=' => self.emit(Tok::Assign),
                ':' => {
                    if self.next_char() != Some('=') {
                        self.errorf("expected :=".to_string());
                        return false;
                    }
                    self.emit(Tok::Declare);
                }
                '|' => self.emit(Tok::Pipe),
                '"' => {
                    if !self.quote() {
                        return false;
                    }
                }
                '`' => {
                    let Some(i) = self.src[self.pos..].find('`') else {
                        self.errorf("unterminated raw quoted string".to_string());
                        return false;
                    };
                    self.pos += i + 1;
                    self.emit(Tok::RawString);
                }
                '$' => {
                    if !self.field_or_var(Tok::Variable) {
                        return false;
                    }
                }
                '\'' => {
                    if !self.char_const() {
                        return false;
                    }
                }
                '.' => {
                    if self.pos < self.b.len() && self.b[self.pos].is_ascii_digit() {
                        self.pos -= 1;
                        if !self.number() {
                            return false;
                        }
                    } else if !self.field_or_var(Tok::Field) {
                        return false;
                    }
                }
                '+' | '-' | '0'..='9' => {
                    self.pos -= 1;
                    if !self.number() {
                        return false;
                    }
                }
                c if is_alnum(c) => {
                    self.pos -= c.len_utf8();
                    if !self.identifier() {
                        return false;
                    }
                }
                '(' => {
                    self.paren += 1;
                    self.emit(Tok::LeftParen);
                }
                ')' => {
                    self.paren -= 1;
                    if self.paren < 0 {
                        self.errorf("unexpected right paren".to_string());
                        return false;
                    }
                    self.emit(Tok::RightParen);
                }
                c if c.is_ascii() && !c.is_ascii_control() => self.emit(Tok::Char),
                c => {
                    self.errorf(format!(
                        "unrecognized character in action: {}",
                        crate::fmt::unicode_hash(c)
                    ));
                    return false;
                }
            }
        }
    }

    fn space(&mut self) {
        let mut n = 0;
        while self.pos < self.b.len() && is_space(self.b[self.pos]) {
            self.pos += 1;
            n += 1;
        }
        // A space followed by "-}}" belongs to the trim marker.
        if has_right_trim(&self.b[self.pos - 1..]) && self.b[self.pos + 1..].starts_with(RIGHT) {
            self.pos -= 1;
            if n == 1 {
                return;
            }
        }
        self.emit(Tok::Space);
    }

    fn at_terminator(&self) -> bool {
        let Some(r) = self.peek_char() else {
            return true;
        };
        if matches!(
            r,
            ' ' | '\t' | '\r' | '\n' | '.' | ',' | '|' | ':' | ')' | '('
        ) {
            return true;
        }
        self.b[self.pos..].starts_with(RIGHT)
    }

    fn field_or_var(&mut self, tok: Tok) -> bool {
        if self.at_terminator() {
            self.emit(if tok == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return true;
        }
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\0');
            self.errorf(format!("bad character {}", crate::fmt::unicode_hash(c)));
            return false;
        }
        self.emit(tok);
        true
    }

    fn identifier(&mut self) -> bool {
        while let Some(c) = self.peek_char() {
            if !is_alnum(c) {
                break;
            }
            self.pos += c.len_utf8();
        }
        if !self.at_terminator() {
            let c = self.peek_char().unwrap_or('\0');
            self.errorf(format!("bad character {}", crate::fmt::unicode_hash(c)));
            return false;
        }
        let word = &self.src[self.start..self.pos];
        let tok = match word {
            "block" => Tok::Block,
            "break" if self.break_ok => Tok::Break,
            "continue" if self.continue_ok => Tok::Continue,
            "define" => Tok::Define,
            "else" => Tok::Else,
            "end" => Tok::End,
            "if" => Tok::If,
            "range" => Tok::Range,
            "nil" => Tok::Nil,
            "template" => Tok::Template,
            "with" => Tok::With,
            "true" | "false" => Tok::Bool,
            _ => Tok::Identifier,
        };
        self.emit(tok);
        true
    }

    fn char_const(&mut self) -> bool {
        loop {
            match self.next_char() {
                Some('\\') => {
                    if self.next_char().is_some_and(|c| c != '\n') {
                        continue;
                    }
                    self.errorf("unterminated character constant".to_string());
                    return false;
                }
                None | Some('\n') => {
                    self.errorf("unterminated character constant".to_string());
                    return false;
                }
                Some('\'') => break,
                Some(_) => {}
            }
        }
        self.emit(Tok::CharConst);
        true
    }

    fn quote(&mut self) -> bool {
        loop {
            match self.next_char() {
                Some('\\') => {
                    if self.next_char().is_some_and(|c| c != '\n') {
                        continue;
                    }
                    self.errorf("unterminated quoted string".to_string());
                    return false;
                }
                None | Some('\n') => {
                    self.errorf("unterminated quoted string".to_string());
                    return false;
                }
                Some('"') => break,
                Some(_) => {}
            }
        }
        self.emit(Tok::String);
        true
    }

    fn accept(&mut self, valid: &[u8]) -> bool {
        if self.pos < self.b.len() && valid.contains(&self.b[self.pos]) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn accept_run(&mut self, valid: &[u8]) {
        while self.accept(valid) {}
    }

    fn number(&mut self) -> bool {
        if !self.scan_number() {
            let text = self.src[self.start..self.pos].to_string();
            self.errorf(format!("bad number syntax: {}", crate::fmt::quote(&text)));
            return false;
        }
        if matches!(self.peek_char(), Some('+' | '-')) {
            // Go lexes a complex constant here; strata has no complex
            // numbers and says so as a bad number.
            if !self.scan_number() || self.b[self.pos - 1] != b'i' {
                let text = self.src[self.start..self.pos].to_string();
                self.errorf(format!("bad number syntax: {}", crate::fmt::quote(&text)));
                return false;
            }
        }
        self.emit(Tok::Number);
        true
    }

    fn scan_number(&mut self) -> bool {
        self.accept(b"+-");
        let mut digits: &[u8] = b"0123456789_";
        if self.accept(b"0") {
            if self.accept(b"xX") {
                digits = b"0123456789abcdefABCDEF_";
            } else if self.accept(b"oO") {
                digits = b"01234567_";
            } else if self.accept(b"bB") {
                digits = b"01_";
            }
        }
        self.accept_run(digits);
        if self.accept(b".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept(b"eE") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        if digits.len() == 23 && self.accept(b"pP") {
            self.accept(b"+-");
            self.accept_run(b"0123456789_");
        }
        self.accept(b"i");
        if let Some(c) = self.peek_char() {
            if is_alnum(c) {
                self.pos += c.len_utf8();
                return false;
            }
        }
        true
    }
}
