//! The `$filter` parser: recursive descent over OData's precedence (`or` < `and` < comparison
//! < arithmetic < unary), producing an untyped syntax tree. Lambdas, `in`, `has` and arithmetic
//! are recognised so the binder can drop or refuse them by name. Nesting depth and the number of
//! operators are bounded so that no input can exhaust the stack.

use super::lexer::{Lexer, Lit, Tok};
use crate::error::{ApiError, ApiResult};

const MAX_DEPTH: usize = 64;
/// Operators in one filter; longer `and` chains would make the evaluator's recursion too deep.
const MAX_OPERATORS: usize = 500;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

impl CmpOp {
    pub(super) fn from_word(word: &str) -> Option<CmpOp> {
        Some(match word {
            "eq" => CmpOp::Eq,
            "ne" => CmpOp::Ne,
            "gt" => CmpOp::Gt,
            "ge" => CmpOp::Ge,
            "lt" => CmpOp::Lt,
            "le" => CmpOp::Le,
            _ => return None,
        })
    }

    pub fn word(self) -> &'static str {
        match self {
            CmpOp::Eq => "eq",
            CmpOp::Ne => "ne",
            CmpOp::Gt => "gt",
            CmpOp::Ge => "ge",
            CmpOp::Lt => "lt",
            CmpOp::Le => "le",
        }
    }

    /// The operator kind name ODL uses in its messages.
    pub(super) fn kind_name(self) -> &'static str {
        match self {
            CmpOp::Eq => "Equal",
            CmpOp::Ne => "NotEqual",
            CmpOp::Gt => "GreaterThan",
            CmpOp::Ge => "GreaterThanOrEqual",
            CmpOp::Lt => "LessThan",
            CmpOp::Le => "LessThanOrEqual",
        }
    }

    /// `5 lt x` is `x gt 5`.
    pub(super) fn flipped(self) -> CmpOp {
        match self {
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            other => other,
        }
    }
}

/// Untyped syntax tree.
#[derive(Clone, Debug, PartialEq)]
pub enum Ast {
    Or(Box<Ast>, Box<Ast>),
    And(Box<Ast>, Box<Ast>),
    Not(Box<Ast>),
    Cmp(Box<Ast>, CmpOp, Box<Ast>),
    /// `has`, `in`, arithmetic: parsed so the error names them, never bound.
    Unsupported(String),
    Call(String, Vec<Ast>),
    Path(String),
    Lambda,
    Lit(Lit),
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<(usize, Tok)>,
    pos: usize,
    depth: usize,
    operators: usize,
}

/// Parses `$filter` text into a syntax tree.
pub fn parse(text: &str) -> ApiResult<Ast> {
    let tokens = Lexer::tokens(text)?;
    let mut parser = Parser { text, tokens, pos: 0, depth: 0, operators: 0 };
    if parser.tokens.is_empty() {
        return Err(parser.error_at(0));
    }
    let ast = parser.or_expr()?;
    if parser.pos < parser.tokens.len() {
        return Err(parser.error_here());
    }
    Ok(ast)
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|(_, t)| t)
    }

    fn peek_word(&self) -> Option<&str> {
        match self.peek() {
            Some(Tok::Ident(word)) => Some(word),
            _ => None,
        }
    }

    fn position(&self) -> usize {
        self.tokens.get(self.pos).map(|(p, _)| *p).unwrap_or(self.text.len())
    }

    fn error_at(&self, position: usize) -> ApiError {
        ApiError::syntax(format!("Syntax error at position {position} in '{}'.", self.text))
    }

    fn error_here(&self) -> ApiError {
        self.error_at(self.position())
    }

    fn expect(&mut self, token: Tok) -> ApiResult<()> {
        if self.peek() == Some(&token) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error_here())
        }
    }

    fn count_operator(&mut self) -> ApiResult<()> {
        self.operators += 1;
        if self.operators > MAX_OPERATORS {
            return Err(ApiError::syntax(format!("The filter expression in '{}' has too many operators.", self.text)));
        }
        Ok(())
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> ApiResult<T>) -> ApiResult<T> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ApiError::syntax(format!("The filter expression in '{}' is nested too deeply.", self.text)));
        }
        let result = f(self);
        self.depth -= 1;
        result
    }

    fn or_expr(&mut self) -> ApiResult<Ast> {
        self.nested(|p| {
            let mut left = p.and_expr()?;
            while p.peek_word() == Some("or") {
                p.pos += 1;
                p.count_operator()?;
                let right = p.and_expr()?;
                left = Ast::Or(Box::new(left), Box::new(right));
            }
            Ok(left)
        })
    }

    fn and_expr(&mut self) -> ApiResult<Ast> {
        let mut left = self.cmp_expr()?;
        while self.peek_word() == Some("and") {
            self.pos += 1;
            self.count_operator()?;
            let right = self.cmp_expr()?;
            left = Ast::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn cmp_expr(&mut self) -> ApiResult<Ast> {
        let left = self.additive()?;
        let Some(word) = self.peek_word().map(str::to_string) else { return Ok(left) };
        if let Some(op) = CmpOp::from_word(&word) {
            self.pos += 1;
            let right = self.additive()?;
            return Ok(Ast::Cmp(Box::new(left), op, Box::new(right)));
        }
        if word == "has" || word == "in" {
            self.pos += 1;
            self.additive()?;
            return Ok(Ast::Unsupported(format!("The '{word}' operator")));
        }
        Ok(left)
    }

    fn additive(&mut self) -> ApiResult<Ast> {
        let mut left = self.unary()?;
        while let Some(word) = self.peek_word() {
            if !matches!(word, "add" | "sub" | "mul" | "div" | "divby" | "mod") {
                break;
            }
            let word = word.to_string();
            self.pos += 1;
            self.unary()?;
            left = Ast::Unsupported(format!("The arithmetic operator '{word}'"));
        }
        Ok(left)
    }

    fn unary(&mut self) -> ApiResult<Ast> {
        if self.peek_word() == Some("not") {
            self.pos += 1;
            let inner = self.nested(|p| p.unary())?;
            return Ok(Ast::Not(Box::new(inner)));
        }
        self.primary()
    }

    fn primary(&mut self) -> ApiResult<Ast> {
        let Some((position, token)) = self.tokens.get(self.pos).cloned() else {
            return Err(self.error_here());
        };
        self.pos += 1;
        match token {
            Tok::Open => {
                let inner = self.or_expr()?;
                if self.peek() == Some(&Tok::Comma) {
                    // A parenthesised list only appears after `in`.
                    while self.peek() == Some(&Tok::Comma) {
                        self.pos += 1;
                        self.or_expr()?;
                    }
                    self.expect(Tok::Close)?;
                    return Ok(Ast::Unsupported("A list of values".into()));
                }
                self.expect(Tok::Close)?;
                Ok(inner)
            }
            Tok::Lit(lit) => Ok(Ast::Lit(lit)),
            Tok::Ident(name) => {
                if matches!(name.as_str(), "and" | "or" | "eq" | "ne" | "gt" | "ge" | "lt" | "le") {
                    return Err(self.error_at(position));
                }
                if self.peek() == Some(&Tok::Open) {
                    self.pos += 1;
                    let args = self.arguments()?;
                    return Ok(Ast::Call(name, args));
                }
                self.path(name)
            }
            _ => Err(self.error_at(position)),
        }
    }

    fn arguments(&mut self) -> ApiResult<Vec<Ast>> {
        let mut args = Vec::new();
        if self.peek() == Some(&Tok::Close) {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.or_expr()?);
            match self.peek() {
                Some(Tok::Comma) => self.pos += 1,
                Some(Tok::Close) => {
                    self.pos += 1;
                    return Ok(args);
                }
                _ => return Err(self.error_here()),
            }
        }
    }

    /// `name`, `nav/name`, or a lambda `nav/any(x: …)` / `nav/all(x: …)`.
    fn path(&mut self, first: String) -> ApiResult<Ast> {
        let mut path = first;
        while self.peek() == Some(&Tok::Slash) {
            self.pos += 1;
            let Some((_, Tok::Ident(segment))) = self.tokens.get(self.pos).cloned() else {
                return Err(self.error_here());
            };
            self.pos += 1;
            if (segment == "any" || segment == "all") && self.peek() == Some(&Tok::Open) {
                self.pos += 1;
                self.lambda_body()?;
                return Ok(Ast::Lambda);
            }
            path.push('/');
            path.push_str(&segment);
        }
        Ok(Ast::Path(path))
    }

    /// `x: predicate)` or `)`; the predicate is parsed for syntax, then ignored.
    fn lambda_body(&mut self) -> ApiResult<()> {
        if self.peek() == Some(&Tok::Close) {
            self.pos += 1;
            return Ok(());
        }
        match self.tokens.get(self.pos).cloned() {
            Some((_, Tok::Ident(_))) => self.pos += 1,
            _ => return Err(self.error_here()),
        }
        self.expect(Tok::Colon)?;
        self.or_expr()?;
        self.expect(Tok::Close)
    }
}
