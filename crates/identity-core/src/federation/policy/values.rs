//! The values the operators work on: arrays treated as sets, `scope` as a
//! list of scope values, and the errors about malformed operands.

use super::*;

/// An operator value that must be an array (`add`, `one_of`, `subset_of`,
/// `superset_of`) of strings, numbers or objects, the element types the
/// specification lists; anything else is a policy error (6.1.3).
pub(super) fn array_operand(
    parameter: &str,
    operator: &'static str,
    value: &Value,
) -> Result<Vec<Value>, PolicyError> {
    // `scope` is a space-separated string processed as an array (6.1.3.1.8).
    let value = scope_as_array(parameter, value.clone());
    let Value::Array(items) = value else {
        return Err(malformed(
            parameter,
            format!("`{operator}` must be an array, found {}", type_name(&value)),
        ));
    };
    if let Some(bad) = items
        .iter()
        .find(|item| !matches!(item, Value::String(_) | Value::Number(_) | Value::Object(_)))
    {
        return Err(malformed(
            parameter,
            format!(
                "`{operator}` takes strings, numbers or objects, found {}",
                type_name(bad)
            ),
        ));
    }
    // The operators treat their arrays as sets; duplicates would only make
    // `add` initialise a parameter with repeated values.
    Ok(union(&items, &[]))
}

/// `scope` (RFC 7591) is a space-separated string that the operators treat as
/// an array of scope values (6.1.3.1.8); every other parameter is unchanged.
pub(super) fn scope_as_array(parameter: &str, value: Value) -> Value {
    match value {
        Value::String(scopes) if parameter == "scope" => Value::Array(
            scopes
                .split_whitespace()
                .map(|scope| Value::String(scope.into()))
                .collect(),
        ),
        other => other,
    }
}

/// The resolved `scope` goes back to its space-separated string form.
pub(super) fn scope_as_string(parameter: &str, value: Value) -> Value {
    match value {
        Value::Array(items) if parameter == "scope" && items.iter().all(Value::is_string) => {
            let scopes: Vec<&str> = items.iter().filter_map(Value::as_str).collect();
            Value::String(scopes.join(" "))
        }
        other => other,
    }
}

/// Set equality for arrays (the operators treat arrays as sets), plain JSON
/// equality otherwise.
pub(super) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Array(a), Value::Array(b)) => is_subset(a, b) && is_subset(b, a),
        _ => a == b,
    }
}

pub(super) fn is_subset(items: &[Value], of: &[Value]) -> bool {
    items.iter().all(|item| of.contains(item))
}

/// `a`'s elements then `b`'s new ones, without duplicates: deterministic, so
/// the resolved metadata is reproducible (6.1.1 "Determinism").
pub(super) fn union(a: &[Value], b: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(a.len() + b.len());
    for item in a.iter().chain(b) {
        if !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

/// `a`'s elements that are in `b`, in `a`'s order, without duplicates.
pub(super) fn intersection(a: &[Value], b: &[Value]) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(a.len().min(b.len()));
    for item in a {
        if b.contains(item) && !out.contains(item) {
            out.push(item.clone());
        }
    }
    out
}

pub(super) fn malformed(parameter: &str, reason: String) -> PolicyError {
    PolicyError::MalformedPolicy {
        parameter: parameter.into(),
        reason,
    }
}

pub(super) fn unsupported(parameter: &str, operator: &'static str, value: &Value) -> PolicyError {
    PolicyError::UnsupportedValue {
        parameter: parameter.into(),
        operator,
        reason: format!("{} {value}", type_name(value)),
    }
}

pub(super) fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
