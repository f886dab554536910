//! Combining two statements' operators for one parameter (6.1.4.1), and
//! which operators may meet in one parameter's policy (6.1.3.1).

use super::*;

/// Merges the superior's and the subordinate's operators for one parameter
/// (6.1.4.1, "operator value merge" of each operator).
pub(super) fn merge(
    parameter: &str,
    sup: ParameterPolicy,
    sub: ParameterPolicy,
) -> Result<ParameterPolicy, PolicyError> {
    let conflict = |operator: &'static str, reason: String| PolicyError::MergeConflict {
        parameter: parameter.into(),
        operator,
        reason,
    };
    let equal = |operator: &'static str, sup: Option<Value>, sub: Option<Value>| match (sup, sub) {
        (Some(sup), Some(sub)) if same(&sup, &sub) => Ok(Some(sup)),
        (Some(sup), Some(sub)) => Err(conflict(operator, format!("{sup} differs from {sub}"))),
        (sup, sub) => Ok(sup.or(sub)),
    };
    let both = |sup: Option<Vec<Value>>,
                sub: Option<Vec<Value>>,
                merge: fn(&[Value], &[Value]) -> Vec<Value>| match (sup, sub) {
        (Some(sup), Some(sub)) => Some(merge(&sup, &sub)),
        (sup, sub) => sup.or(sub),
    };
    // spid-cie-oidc lets a superior's `value` combine only with `essential`
    // or an equal `value`; the specification allows every pairing that
    // check_combinations accepts afterwards.
    let value = equal("value", sup.value, sub.value)?;
    let default = equal("default", sup.default, sub.default)?;
    let one_of = match (sup.one_of, sub.one_of) {
        (Some(sup), Some(sub)) => {
            let common = intersection(&sup, &sub);
            if common.is_empty() {
                return Err(conflict(
                    "one_of",
                    format!(
                        "{} and {} have nothing in common",
                        Value::Array(sup),
                        Value::Array(sub)
                    ),
                ));
            }
            Some(common)
        }
        (sup, sub) => sup.or(sub),
    };
    Ok(ParameterPolicy {
        value,
        add: both(sup.add, sub.add, union),
        default,
        one_of,
        // An empty intersection is allowed (6.1.3.1.5); spid-cie-oidc errors.
        subset_of: both(sup.subset_of, sub.subset_of, intersection),
        // spid-cie-oidc intersects the two superset_of; the specification
        // takes the union, so that both superiors' requirements hold.
        superset_of: both(sup.superset_of, sub.superset_of, union),
        // Logical OR (6.1.3.1.7): a subordinate can make a parameter
        // essential but cannot relax it. spid-cie-oidc errors on a
        // subordinate's `false` under a superior's `true`, and turns a
        // subordinate-only `essential` into `true` whatever its value.
        essential: match (sup.essential, sub.essential) {
            (Some(sup), Some(sub)) => Some(sup || sub),
            (sup, sub) => sup.or(sub),
        },
    })
}

/// Checks that one parameter policy, written or merged, only combines
/// operators the specification lets meet, with values that agree (6.1.3.1,
/// "combination with other operators" of each operator). `default` is not
/// checked against `one_of`, `subset_of` or `superset_of`: the specification
/// allows those pairs unconditionally (spid-cie-oidc checks them), and a
/// `default` that fails the check fails when applied, if it is ever used.
pub(super) fn check_combinations(
    parameter: &str,
    policy: &ParameterPolicy,
) -> Result<(), PolicyError> {
    let forbidden = |second: &'static str| PolicyError::ForbiddenCombination {
        parameter: parameter.into(),
        first: "one_of",
        second,
    };
    let inconsistent = |first: &'static str, second: &'static str, reason: String| {
        PolicyError::InconsistentCombination {
            parameter: parameter.into(),
            first,
            second,
            reason,
        }
    };
    if policy.one_of.is_some() {
        // one_of checks a single value; these act on arrays.
        for (second, present) in [
            ("add", policy.add.is_some()),
            ("subset_of", policy.subset_of.is_some()),
            ("superset_of", policy.superset_of.is_some()),
        ] {
            if present {
                return Err(forbidden(second));
            }
        }
    }
    match &policy.value {
        Some(Value::Null) => {
            // `value: null` removes the parameter first; these would put it
            // back or require it. one_of, subset_of and superset_of only
            // check a present parameter, so they agree with its absence.
            if policy.default.is_some() {
                return Err(inconsistent(
                    "value",
                    "default",
                    "`value: null` removes what `default` would set".into(),
                ));
            }
            if policy.essential == Some(true) {
                return Err(inconsistent(
                    "value",
                    "essential",
                    "`value: null` removes a parameter `essential` requires".into(),
                ));
            }
            if policy.add.as_ref().is_some_and(|add| !add.is_empty()) {
                return Err(inconsistent(
                    "value",
                    "add",
                    "`value: null` removes the parameter `add` would fill".into(),
                ));
            }
        }
        Some(value) => {
            let items = value.as_array();
            let not_array = |second: &'static str| {
                inconsistent(
                    "value",
                    second,
                    format!("{value} is not an array, and `{second}` acts on arrays"),
                )
            };
            if let Some(add) = &policy.add {
                let items = items.ok_or_else(|| not_array("add"))?;
                if !is_subset(add, items) {
                    return Err(inconsistent(
                        "value",
                        "add",
                        format!(
                            "{} adds to {value} what it lacks",
                            Value::Array(add.clone())
                        ),
                    ));
                }
            }
            if let Some(one_of) = &policy.one_of
                && !one_of.contains(value)
            {
                return Err(inconsistent(
                    "value",
                    "one_of",
                    format!("{value} is not one of {}", Value::Array(one_of.clone())),
                ));
            }
            if let Some(subset_of) = &policy.subset_of {
                let items = items.ok_or_else(|| not_array("subset_of"))?;
                if !is_subset(items, subset_of) {
                    return Err(inconsistent(
                        "value",
                        "subset_of",
                        format!(
                            "{value} is not a subset of {}",
                            Value::Array(subset_of.clone())
                        ),
                    ));
                }
            }
            if let Some(superset_of) = &policy.superset_of {
                let items = items.ok_or_else(|| not_array("superset_of"))?;
                if !is_subset(superset_of, items) {
                    return Err(inconsistent(
                        "value",
                        "superset_of",
                        format!(
                            "{value} is not a superset of {}",
                            Value::Array(superset_of.clone())
                        ),
                    ));
                }
            }
        }
        None => {}
    }
    if let (Some(add), Some(subset_of)) = (&policy.add, &policy.subset_of)
        && !is_subset(add, subset_of)
    {
        return Err(inconsistent(
            "add",
            "subset_of",
            format!(
                "{} is not a subset of {}",
                Value::Array(add.clone()),
                Value::Array(subset_of.clone())
            ),
        ));
    }
    if let (Some(subset_of), Some(superset_of)) = (&policy.subset_of, &policy.superset_of)
        && !is_subset(superset_of, subset_of)
    {
        return Err(inconsistent(
            "subset_of",
            "superset_of",
            format!(
                "{} is not a superset of {}",
                Value::Array(subset_of.clone()),
                Value::Array(superset_of.clone())
            ),
        ));
    }
    Ok(())
}
