//! `$filter`: text is lexed (`lexer`) and parsed (`parser`) into a syntax tree, then bound here
//! to what BC can actually run against a table: comparisons of one property with a literal
//! (`eq ne gt ge lt le`), `and`, `or` on a single field, `contains`/`startswith`/`endswith`
//! (case-insensitive, as BC's wildcard filters are), `tolower`/`toupper` (case-insensitive
//! comparison). Lambda operators are silently dropped, as BC does; `or` across fields and
//! everything else (`not`, arithmetic, `in`, other functions, navigation paths) is rejected with a
//! 400 in BC's format. Arbitrary input never panics.

mod lexer;
mod parser;

use std::fmt;

use chrono::Utc;
use rust_decimal::Decimal;
use uuid::Uuid;

pub use lexer::Lit;
pub use parser::{parse, Ast, CmpOp};

use super::schema::{Prop, SetDef, Ty};
use super::value::{blank_date, blank_datetime, Val};
use crate::error::{ApiError, ApiResult};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFn {
    Contains,
    StartsWith,
    EndsWith,
}

impl TextFn {
    fn name(self) -> &'static str {
        match self {
            TextFn::Contains => "contains",
            TextFn::StartsWith => "startswith",
            TextFn::EndsWith => "endswith",
        }
    }
}

/// A filter BC can run.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Cmp { prop: &'static Prop, op: CmpOp, value: Val<'static>, fold_case: bool },
    Text { prop: &'static Prop, func: TextFn, needle: String },
}

/// Parses and binds `$filter` against an entity set. `None` when everything was dropped (a
/// lone lambda).
pub fn bind_filter(text: &str, def: &'static SetDef) -> ApiResult<Option<Expr>> {
    let ast = parse(text)?;
    let expr = Binder { def, text }.bind(&ast)?;
    if let Some(expr) = &expr {
        check_or_fields(expr)?;
    }
    Ok(expr)
}

struct Binder<'a> {
    def: &'static SetDef,
    text: &'a str,
}

impl Binder<'_> {
    fn bind(&self, ast: &Ast) -> ApiResult<Option<Expr>> {
        match ast {
            Ast::Lambda => Ok(None),
            Ast::And(a, b) => Ok(combine(self.bind(a)?, self.bind(b)?, Expr::And)),
            Ast::Or(a, b) => Ok(combine(self.bind(a)?, self.bind(b)?, Expr::Or)),
            Ast::Not(_) => Err(unsupported("The 'not' operator")),
            Ast::Unsupported(what) => Err(unsupported(what)),
            Ast::Cmp(left, op, right) => self.comparison(left, *op, right).map(Some),
            Ast::Call(name, args) => self.text_call(name, args).map(Some),
            Ast::Path(_) | Ast::Lit(_) => Err(ApiError::bad_request(format!(
                "The $filter expression '{}' must evaluate to a single boolean value.",
                self.text
            ))),
        }
    }

    fn property(&self, path: &str) -> ApiResult<&'static Prop> {
        if path.contains('/') {
            return Err(unsupported(&format!("Filtering on the navigation path '{path}'")));
        }
        self.def.prop(path).ok_or_else(|| {
            ApiError::syntax(format!("Could not find a property named '{path}' on type '{}'.", self.def.full_type()))
        })
    }

    fn comparison(&self, left: &Ast, op: CmpOp, right: &Ast) -> ApiResult<Expr> {
        match (left, right) {
            (Ast::Lit(_), Ast::Path(_) | Ast::Call(..)) => self.comparison(right, op.flipped(), left),
            (Ast::Path(path), Ast::Lit(lit)) => {
                let prop = self.property(path)?;
                let value = literal_value(prop, lit, op)?;
                Ok(Expr::Cmp { prop, op, value, fold_case: false })
            }
            (Ast::Call(name, args), Ast::Lit(lit)) if name == "tolower" || name == "toupper" => {
                let [Ast::Path(path)] = args.as_slice() else {
                    return Err(unsupported(&format!("The function '{name}' with these arguments")));
                };
                let prop = self.property(path)?;
                if !matches!(prop.ty, Ty::Text | Ty::Code) {
                    return Err(ApiError::bad_request(format!(
                        "No function signature for the function with name '{name}' matches the specified arguments."
                    )));
                }
                let value = literal_value(prop, lit, op)?;
                Ok(Expr::Cmp { prop, op, value, fold_case: true })
            }
            (Ast::Call(name, args), Ast::Lit(Lit::Bool(expected)))
                if matches!(op, CmpOp::Eq | CmpOp::Ne) && text_fn(name).is_some() =>
            {
                if (op == CmpOp::Eq) != *expected {
                    return Err(unsupported("A negated text function"));
                }
                self.text_call(name, args)
            }
            (Ast::Call(name, _), _) => Err(unsupported(&format!("The function '{name}'"))),
            _ => Err(unsupported("A comparison that is not between a property and a literal")),
        }
    }

    fn text_call(&self, name: &str, args: &[Ast]) -> ApiResult<Expr> {
        let Some(func) = text_fn(name) else {
            return Err(unsupported(&format!("The function '{name}'")));
        };
        match args {
            [Ast::Path(path), Ast::Lit(Lit::Str(needle))] => {
                let prop = self.property(path)?;
                if !matches!(prop.ty, Ty::Text | Ty::Code) {
                    return Err(ApiError::bad_request(format!(
                        "No function signature for the function with name '{name}' matches the specified arguments. The function signatures considered are: {name}(Edm.String Nullable=true, Edm.String Nullable=true)."
                    )));
                }
                Ok(Expr::Text { prop, func, needle: needle.clone() })
            }
            _ => Err(unsupported(&format!("The function '{name}' with these arguments"))),
        }
    }
}

fn text_fn(name: &str) -> Option<TextFn> {
    match name {
        "contains" => Some(TextFn::Contains),
        "startswith" => Some(TextFn::StartsWith),
        "endswith" => Some(TextFn::EndsWith),
        _ => None,
    }
}

fn combine(a: Option<Expr>, b: Option<Expr>, join: fn(Box<Expr>, Box<Expr>) -> Expr) -> Option<Expr> {
    match (a, b) {
        (Some(a), Some(b)) => Some(join(Box::new(a), Box::new(b))),
        (Some(one), None) | (None, Some(one)) => Some(one),
        (None, None) => None,
    }
}

/// What BC cannot translate into an AL filter. The error code for these is **unconfirmed**;
/// the message follows BC's documented `or` error.
fn unsupported(what: &str) -> ApiError {
    ApiError::bad_request(format!(
        "An error occurred while processing this request. {what} is not supported on an OData filter."
    ))
}

fn incompatible(prop: &Prop, op: CmpOp, literal: &str) -> ApiError {
    ApiError::bad_request(format!(
        "A binary operator with incompatible types was detected. Found operand types '{}' and '{literal}' for operator kind '{}'.",
        prop.ty.edm_name(),
        op.kind_name()
    ))
}

fn literal_type(lit: &Lit) -> String {
    match lit {
        Lit::Null => "null".into(),
        Lit::Bool(_) => "Edm.Boolean".into(),
        Lit::Str(_) => "Edm.String".into(),
        Lit::Num(n) if n.contains(['.', 'e', 'E']) => "Edm.Decimal".into(),
        Lit::Num(_) => "Edm.Int32".into(),
        Lit::Guid(_) => "Edm.Guid".into(),
        Lit::Date(_) => "Edm.Date".into(),
        Lit::DateTime(_) => "Edm.DateTimeOffset".into(),
        Lit::Enum(type_name, _) => type_name.clone(),
    }
}

/// Converts a literal to the property's type, as ODL does before BC sees the filter.
fn literal_value(prop: &'static Prop, lit: &Lit, op: CmpOp) -> ApiResult<Val<'static>> {
    let mismatch = || incompatible(prop, op, &literal_type(lit));
    match (prop.ty, lit) {
        (Ty::Text | Ty::Code, Lit::Str(s)) => Ok(Val::owned(s.clone())),
        (Ty::Text | Ty::Code, Lit::Null) => Ok(Val::owned(String::new())),
        (Ty::Guid, Lit::Guid(g)) => Ok(Val::Guid(*g)),
        (Ty::Guid, Lit::Null) => Ok(Val::Guid(Uuid::nil())),
        (Ty::Decimal, Lit::Num(n)) => parse_number(n).map(Val::Dec).ok_or_else(mismatch),
        (Ty::Int | Ty::Int64, Lit::Num(n)) => match n.parse::<i64>() {
            Ok(i) => Ok(Val::Int(i)),
            Err(_) => parse_number(n).map(Val::Dec).ok_or_else(mismatch),
        },
        (Ty::Bool, Lit::Bool(b)) => Ok(Val::Bool(*b)),
        (Ty::Date, Lit::Date(d)) => Ok(Val::Date(*d)),
        (Ty::Date, Lit::Null) => Ok(Val::Date(blank_date())),
        (Ty::DateTime, Lit::DateTime(t)) => Ok(Val::DateTime(t.with_timezone(&Utc))),
        (Ty::DateTime, Lit::Null) => Ok(Val::DateTime(blank_datetime())),
        (Ty::Enum(def), Lit::Str(member)) => enum_value(def, member),
        (Ty::Enum(def), Lit::Enum(type_name, member)) => {
            if type_name != &format!("Microsoft.NAV.{}", def.name) && type_name != &format!("NAV.{}", def.name) {
                return Err(mismatch());
            }
            enum_value(def, member)
        }
        _ => Err(mismatch()),
    }
}

fn enum_value(def: &'static super::schema::EnumDef, member: &str) -> ApiResult<Val<'static>> {
    def.index_of(member).map(|i| Val::Enum(def, i)).ok_or_else(|| {
        ApiError::bad_request(format!("The string '{member}' is not a valid enumeration type constant."))
    })
}

fn parse_number(text: &str) -> Option<Decimal> {
    text.parse::<Decimal>().ok().or_else(|| Decimal::from_scientific(text).ok())
}

/// BC rejects `or` over different fields (`a eq 1 or b eq 2`).
fn check_or_fields(expr: &Expr) -> ApiResult<()> {
    match expr {
        Expr::Or(..) => {
            let mut fields = Vec::new();
            collect_fields(expr, &mut fields);
            if fields.iter().any(|f| *f != fields[0]) {
                return Err(ApiError::bad_request(
                    "An error occurred while processing this request. The 'OR' operator is not supported on distinct fields on an OData filter.",
                ));
            }
            Ok(())
        }
        Expr::And(a, b) => {
            check_or_fields(a)?;
            check_or_fields(b)
        }
        _ => Ok(()),
    }
}

fn collect_fields(expr: &Expr, out: &mut Vec<&'static str>) {
    match expr {
        Expr::And(a, b) | Expr::Or(a, b) => {
            collect_fields(a, out);
            collect_fields(b, out);
        }
        Expr::Cmp { prop, .. } | Expr::Text { prop, .. } => out.push(prop.name),
    }
}

impl Expr {
    /// Evaluates the filter with `get` reading a property of the row.
    pub fn matches<'r>(&self, get: &dyn Fn(&str) -> Val<'r>) -> bool {
        match self {
            Expr::And(a, b) => a.matches(get) && b.matches(get),
            Expr::Or(a, b) => a.matches(get) || b.matches(get),
            Expr::Cmp { prop, op, value, fold_case } => {
                let actual = get(prop.name);
                let ordering = if *fold_case {
                    match (actual.as_str(), value.as_str()) {
                        (Some(a), Some(b)) => a.to_lowercase().cmp(&b.to_lowercase()),
                        _ => actual.compare(value),
                    }
                } else {
                    actual.compare(value)
                };
                match op {
                    CmpOp::Eq => ordering.is_eq(),
                    CmpOp::Ne => ordering.is_ne(),
                    CmpOp::Gt => ordering.is_gt(),
                    CmpOp::Ge => ordering.is_ge(),
                    CmpOp::Lt => ordering.is_lt(),
                    CmpOp::Le => ordering.is_le(),
                }
            }
            Expr::Text { prop, func, needle } => {
                let actual = get(prop.name);
                let haystack = actual.as_str().unwrap_or("").to_lowercase();
                let needle = needle.to_lowercase();
                match func {
                    TextFn::Contains => haystack.contains(&needle),
                    TextFn::StartsWith => haystack.starts_with(&needle),
                    TextFn::EndsWith => haystack.ends_with(&needle),
                }
            }
        }
    }

    /// The literals compared with `eq` to `prop` when the whole filter requires one of them
    /// (`prop eq a`, `prop eq a or prop eq b`, possibly `and`-ed with other conditions).
    pub fn required_values(&self, prop: &str) -> Option<Vec<&Val<'static>>> {
        match self {
            Expr::And(a, b) => a.required_values(prop).or_else(|| b.required_values(prop)),
            Expr::Or(a, b) => {
                let mut left = a.required_values(prop)?;
                left.extend(b.required_values(prop)?);
                Some(left)
            }
            Expr::Cmp { prop: p, op: CmpOp::Eq, value, fold_case: false } if p.name == prop => Some(vec![value]),
            _ => None,
        }
    }

    /// Removes top-level `and` terms on FlowFilter properties and returns their values.
    pub fn take_flow_filters(self, out: &mut Vec<(&'static Prop, Vec<String>)>) -> ApiResult<Option<Expr>> {
        match self {
            Expr::And(a, b) => {
                let a = a.take_flow_filters(out)?;
                let b = b.take_flow_filters(out)?;
                Ok(combine(a, b, Expr::And))
            }
            expr => {
                let first = match &expr {
                    Expr::Cmp { prop, .. } | Expr::Text { prop, .. } => *prop,
                    Expr::Or(..) => {
                        let mut fields = Vec::new();
                        collect_fields(&expr, &mut fields);
                        match fields.first().and_then(|name| expr.find_prop(name)) {
                            Some(prop) => prop,
                            None => return Ok(Some(expr)),
                        }
                    }
                    Expr::And(..) => return Ok(Some(expr)),
                };
                if !first.flow_filter {
                    return Ok(Some(expr));
                }
                let values = expr
                    .required_values(first.name)
                    .ok_or_else(|| unsupported(&format!("A FlowFilter on '{}' other than 'eq'", first.name)))?;
                out.push((first, values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect()));
                Ok(None)
            }
        }
    }

    fn find_prop(&self, name: &str) -> Option<&'static Prop> {
        match self {
            Expr::And(a, b) | Expr::Or(a, b) => a.find_prop(name).or_else(|| b.find_prop(name)),
            Expr::Cmp { prop, .. } | Expr::Text { prop, .. } => (prop.name == name).then_some(*prop),
        }
    }
}

/// Writes `expr`, in parentheses unless it may stand `bare` where it goes.
fn operand(f: &mut fmt::Formatter<'_>, expr: &Expr, bare: bool) -> fmt::Result {
    if bare {
        write!(f, "{expr}")
    } else {
        write!(f, "({expr})")
    }
}

/// Writes the filter back as `$filter` text (used for round-trip tests and nextLinks), with only
/// the parentheses the tree needs: a left-leaning `a and b and c` stays flat, since every pair of
/// parentheses counts towards the parser's nesting limit and a long chain written as
/// `((a and b) and c)` would be refused on the way back (found by fuzzing).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(a, b) => {
                operand(f, a, !matches!(**a, Expr::Or(..)))?;
                f.write_str(" and ")?;
                operand(f, b, !matches!(**b, Expr::And(..) | Expr::Or(..)))
            }
            Expr::Or(a, b) => {
                operand(f, a, true)?;
                f.write_str(" or ")?;
                operand(f, b, !matches!(**b, Expr::Or(..)))
            }
            Expr::Cmp { prop, op, value, fold_case } => {
                if *fold_case {
                    write!(f, "tolower({}) {} {}", prop.name, op.word(), literal_text(value))
                } else {
                    write!(f, "{} {} {}", prop.name, op.word(), literal_text(value))
                }
            }
            Expr::Text { prop, func, needle } => {
                write!(f, "{}({},'{}')", func.name(), prop.name, needle.replace('\'', "''"))
            }
        }
    }
}

/// A value written as an OData literal.
pub fn literal_text(value: &Val<'_>) -> String {
    match value {
        Val::Str(s) => format!("'{}'", s.replace('\'', "''")),
        Val::Dec(d) => d.normalize().to_string(),
        Val::Int(i) => i.to_string(),
        Val::Bool(b) => b.to_string(),
        Val::Guid(g) => g.hyphenated().to_string(),
        Val::Date(d) => super::value::format_date(*d),
        Val::DateTime(t) => super::value::format_datetime(*t),
        Val::Enum(def, i) => format!("'{}'", def.member(*i)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::items::ITEMS;

    #[test]
    fn a_long_and_chain_is_written_back_as_text_that_binds_to_the_same_filter() {
        let text = vec!["number eq '1896-S'"; 100].join(" and ");
        let expr = bind_filter(&text, &ITEMS).unwrap().unwrap();
        let written = expr.to_string();
        assert_eq!(written, text, "no parentheses a left-leaning chain does not need");
        assert_eq!(bind_filter(&written, &ITEMS).unwrap(), Some(expr));
    }

    #[test]
    fn precedence_is_kept_with_the_parentheses_it_needs() {
        for text in ["(number eq 'A' or number eq 'B') and number ne 'C'", "number eq 'A' and (number eq 'B' and number eq 'C')", "number eq 'A' or (number eq 'B' or number eq 'C')", "number eq 'A' or number eq 'B' and number eq 'C'"] {
            let expr = bind_filter(text, &ITEMS).unwrap().unwrap();
            assert_eq!(expr.to_string(), text);
            assert_eq!(bind_filter(&expr.to_string(), &ITEMS).unwrap(), Some(expr));
        }
    }
}
