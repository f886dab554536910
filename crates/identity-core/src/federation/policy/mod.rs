//! Metadata policies (OpenID Federation 1.0): combined down a trust chain and
//! applied to a leaf's metadata.
//!
//! Written against OpenID Federation 1.0 draft 47 (19 January 2026), the
//! latest text of the specification found: section 6.1 "Metadata Policy"
//! (6.1.2 structure, 6.1.3.1 the seven standard operators, 6.1.3.2 additional
//! operators and `metadata_policy_crit`, 6.1.4.1 resolution, 6.1.4.2
//! application, 6.1.5 the worked example) and section 3.1 for the `metadata`
//! and `metadata_policy_crit` claims. Section numbers are the draft's.
//!
//! A trust chain's policy for one entity type is resolved by folding
//! [`combine`] from the trust anchor's subordinate statement down to the one
//! about the leaf; the leaf's metadata for that type first gets the immediate
//! superior's `metadata` claim laid over it ([`override_with`]) and then the
//! resolved policy ([`apply`]). Any error makes the trust chain invalid
//! (6.1.4): there is no "best effort" result.
//!
//! The Italian reference implementation (`spid_cie_oidc/entity/policy.py` in
//! `italia/spid-cie-oidc-django`, Roland Hedberg's older code) predates most
//! of the final operator rules; where it behaves differently the comment at
//! that spot says so, and this module follows the specification.

use serde_json::{Map, Value};

mod combination;
#[cfg(test)]
mod tests;
mod values;

use combination::{check_combinations, merge};
use values::*;

/// One entity type's metadata, e.g. the `openid_relying_party` member of an
/// entity configuration's `metadata` claim: parameter name to JSON value.
pub type Metadata = Map<String, Value>;

/// One entity type's metadata policy, e.g. the `openid_relying_party` member
/// of a subordinate statement's `metadata_policy` claim: parameter name to a
/// JSON object of operators (`{"subset_of": [...], "essential": true}`).
pub type EntityTypePolicy = Map<String, Value>;

/// Why a policy could not be combined or applied. Every one of them makes the
/// trust chain invalid (6.1.4); the fields say which parameter and why, so
/// that an operator reading the log can tell which statement to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// `metadata_policy_crit` names an operator this implementation does not
    /// understand (it understands only the seven standard ones). The claim's
    /// definition (3.1.3) makes the statement invalid whether or not the
    /// operator is used for this entity type, so this is reported even when
    /// no parameter uses it.
    #[error(
        "critical metadata policy operator `{operator}` is not understood{}",
        .parameter.as_ref().map(|p| format!(" (used in the policy for `{p}`)")).unwrap_or_default()
    )]
    UnknownCriticalOperator {
        /// The operator's name as listed in `metadata_policy_crit`.
        operator: String,
        /// The first parameter whose policy uses it, if any does.
        parameter: Option<String>,
    },
    /// A parameter's policy is not a JSON object, or an operator's value has a
    /// JSON type the operator does not take (6.1.3: a policy error).
    #[error("malformed metadata policy for `{parameter}`: {reason}")]
    MalformedPolicy {
        /// The metadata parameter.
        parameter: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Two operators that the specification never allows in the same
    /// parameter policy (`one_of` with `add`, `subset_of` or `superset_of`),
    /// whether written so in one statement or brought together by combining.
    #[error("metadata policy for `{parameter}`: `{first}` cannot be combined with `{second}`")]
    ForbiddenCombination {
        /// The metadata parameter.
        parameter: String,
        /// One operator.
        first: &'static str,
        /// The other.
        second: &'static str,
    },
    /// Two operators that may appear together, but not with these values
    /// (e.g. a `value` outside `one_of`, `subset_of` not a superset of
    /// `superset_of`, `value: null` with `default`).
    #[error("metadata policy for `{parameter}`: `{first}` and `{second}` disagree: {reason}")]
    InconsistentCombination {
        /// The metadata parameter.
        parameter: String,
        /// One operator.
        first: &'static str,
        /// The other.
        second: &'static str,
        /// How their values conflict.
        reason: String,
    },
    /// The superior's and the subordinate's values of the same operator cannot
    /// be merged: two different `value`s or `default`s, or disjoint `one_of`s.
    #[error(
        "metadata policy for `{parameter}`: cannot merge the two `{operator}` operators: {reason}"
    )]
    MergeConflict {
        /// The metadata parameter.
        parameter: String,
        /// The operator present on both sides.
        operator: &'static str,
        /// Why the values do not merge.
        reason: String,
    },
    /// The metadata parameter has a JSON type the operator does not act on
    /// (e.g. `subset_of` on a string): a policy error by 6.1.3.
    #[error("metadata parameter `{parameter}`: `{operator}` cannot act on {reason}")]
    UnsupportedValue {
        /// The metadata parameter.
        parameter: String,
        /// The operator.
        operator: &'static str,
        /// The JSON type found.
        reason: String,
    },
    /// The metadata fails an operator's check (`one_of`, `superset_of`).
    #[error("metadata parameter `{parameter}` violates `{operator}`: {reason}")]
    Violation {
        /// The metadata parameter.
        parameter: String,
        /// The failed check.
        operator: &'static str,
        /// What was found and what was required.
        reason: String,
    },
    /// An `essential` parameter is absent once the other operators have run.
    #[error("essential metadata parameter `{parameter}` is missing")]
    MissingEssential {
        /// The metadata parameter.
        parameter: String,
    },
    /// The metadata has a `null` value. Entity statements may not carry one
    /// (3.2) and no operator may output one (6.1.3), so it is refused rather
    /// than passed through as resolved metadata.
    #[error("metadata parameter `{parameter}` is null")]
    NullMetadata {
        /// The metadata parameter.
        parameter: String,
    },
}

/// The standard operators, in their order of application (6.1.3.1). They are
/// the only ones understood here, so a critical operator outside this list
/// always invalidates the chain.
const STANDARD_OPERATORS: [&str; 7] = [
    "value",
    "add",
    "default",
    "one_of",
    "subset_of",
    "superset_of",
    "essential",
];

/// Combines a superior's policy with its subordinate's (6.1.4.1): operators
/// present on one side only are copied, operators on both are merged (`value`
/// and `default`: equal or error; `add`: union; `one_of`: intersection, error
/// if empty; `subset_of`: intersection, possibly empty; `superset_of`: union;
/// `essential`: logical OR), and the merged parameter policy must still be an
/// allowed, consistent combination. A subordinate can thus only restrict what
/// its superior set, never repeal it.
///
/// `critical` is every operator name collected from the chain's
/// `metadata_policy_crit` claims. Operators that are neither standard nor
/// critical are ignored (6.1.3.2) and left out of the result, since nothing
/// downstream understands them either. Array values are compared as sets, as
/// the operators treat them; the order of a merged array is the superior's,
/// then the subordinate's new elements (the specification leaves it undefined).
pub fn combine(
    superior: &EntityTypePolicy,
    subordinate: &EntityTypePolicy,
    critical: &[String],
) -> Result<EntityTypePolicy, PolicyError> {
    check_critical(&[superior, subordinate], critical)?;
    // Each statement's policy must be valid on its own before merging
    // (6.1.4.1 validates every `metadata_policy` it meets).
    let superior = parse_policy(superior)?;
    let subordinate = parse_policy(subordinate)?;
    let mut combined = superior;
    for (parameter, sub) in subordinate {
        match combined.iter_mut().find(|(name, _)| *name == parameter) {
            Some((_, policy)) => {
                let merged = merge(&parameter, std::mem::take(policy), sub)?;
                check_combinations(&parameter, &merged)?;
                *policy = merged;
            }
            None => combined.push((parameter, sub)),
        }
    }
    Ok(combined
        .into_iter()
        .map(|(parameter, policy)| (parameter, policy.to_json()))
        .collect())
}

/// Applies a (combined) policy to one entity type's metadata (6.1.4.2),
/// returning the resolved metadata. For each parameter with a policy the
/// operators run in the specification's order: `value`, `add`, `default`,
/// then the checks `one_of`, `subset_of` (which also trims), `superset_of`,
/// and last `essential`. Parameters without a policy pass through unchanged.
///
/// `critical` is as for [`combine`]. Call it with the leaf's metadata already
/// overridden by its immediate superior's `metadata` claim
/// ([`override_with`]), which the specification puts first.
pub fn apply(
    policy: &EntityTypePolicy,
    metadata: &Metadata,
    critical: &[String],
) -> Result<Metadata, PolicyError> {
    check_critical(&[policy], critical)?;
    let policy = parse_policy(policy)?;
    if let Some((parameter, _)) = metadata.iter().find(|(_, value)| value.is_null()) {
        return Err(PolicyError::NullMetadata {
            parameter: parameter.clone(),
        });
    }
    let mut resolved = metadata.clone();
    for (parameter, policy) in &policy {
        let current = resolved
            .get(parameter)
            .map(|value| scope_as_array(parameter, value.clone()));
        match policy.apply(parameter, current)? {
            Some(value) => {
                resolved.insert(parameter.clone(), scope_as_string(parameter, value));
            }
            None => {
                resolved.remove(parameter);
            }
        }
    }
    Ok(resolved)
}

/// The leaf's metadata for one entity type after its immediate superior's
/// subordinate statement `metadata` claim for the same type (if any) was laid
/// over it (3.1.1): the statement's parameters win over identically named
/// ones, the leaf's others stay. This comes before the policy is applied.
///
/// The claim only affects entity types the leaf's own configuration declares;
/// since this works on one type, the caller does not call it for a type the
/// leaf lacks. A `null` in the claim (which statement checks refuse) is copied
/// like any value, and [`apply`] then refuses it.
pub fn override_with(metadata: &Metadata, statement_metadata: Option<&Metadata>) -> Metadata {
    let mut merged = metadata.clone();
    if let Some(statement) = statement_metadata {
        for (parameter, value) in statement {
            merged.insert(parameter.clone(), value.clone());
        }
    }
    merged
}

/// One parameter's policy, parsed: each standard operator's value, absent when
/// the operator is.
#[derive(Debug, Clone, Default, PartialEq)]
struct ParameterPolicy {
    /// `Some(Value::Null)` removes the parameter.
    value: Option<Value>,
    add: Option<Vec<Value>>,
    default: Option<Value>,
    one_of: Option<Vec<Value>>,
    subset_of: Option<Vec<Value>>,
    superset_of: Option<Vec<Value>>,
    essential: Option<bool>,
}

impl ParameterPolicy {
    /// Parses one parameter's operators, dropping the non-critical unknown
    /// ones (critical unknown ones were refused before).
    fn parse(parameter: &str, raw: &Value) -> Result<Self, PolicyError> {
        let Some(operators) = raw.as_object() else {
            return Err(malformed(
                parameter,
                format!("expected an object of operators, found {}", type_name(raw)),
            ));
        };
        let mut policy = ParameterPolicy::default();
        for (operator, value) in operators {
            match operator.as_str() {
                // Any JSON value: `value` may also force an object (optional
                // to support, and comparing objects is no problem here).
                "value" => policy.value = Some(scope_as_array(parameter, value.clone())),
                "add" => policy.add = Some(array_operand(parameter, "add", value)?),
                "default" => {
                    if value.is_null() {
                        // No operator may output null (6.1.3); `value: null`
                        // is the way to remove a parameter.
                        return Err(malformed(parameter, "`default` cannot be null".into()));
                    }
                    policy.default = Some(scope_as_array(parameter, value.clone()));
                }
                "one_of" => policy.one_of = Some(array_operand(parameter, "one_of", value)?),
                "subset_of" => {
                    policy.subset_of = Some(array_operand(parameter, "subset_of", value)?);
                }
                "superset_of" => {
                    policy.superset_of = Some(array_operand(parameter, "superset_of", value)?);
                }
                "essential" => match value {
                    Value::Bool(essential) => policy.essential = Some(*essential),
                    other => {
                        return Err(malformed(
                            parameter,
                            format!("`essential` must be a boolean, found {}", type_name(other)),
                        ));
                    }
                },
                // 6.1.3.2: not understood and not critical, so ignored.
                _ => {}
            }
        }
        Ok(policy)
    }

    /// Whether no standard operator is left (the policy was only unknown,
    /// ignored operators), in which case it has no effect and is dropped.
    fn is_empty(&self) -> bool {
        *self == ParameterPolicy::default()
    }

    /// Back to the JSON form, operators in their order of application.
    fn to_json(&self) -> Value {
        let array = |values: &Option<Vec<Value>>| values.clone().map(Value::Array);
        let operators = [
            ("value", self.value.clone()),
            ("add", array(&self.add)),
            ("default", self.default.clone()),
            ("one_of", array(&self.one_of)),
            ("subset_of", array(&self.subset_of)),
            ("superset_of", array(&self.superset_of)),
            ("essential", self.essential.map(Value::Bool)),
        ];
        Value::Object(
            operators
                .into_iter()
                .filter_map(|(name, value)| Some((name.to_owned(), value?)))
                .collect(),
        )
    }

    /// Runs the operators on one parameter's current value (`None`: absent),
    /// in the order of 6.1.3.1, returning the resolved value.
    fn apply(&self, parameter: &str, current: Option<Value>) -> Result<Option<Value>, PolicyError> {
        let mut current = current;
        if let Some(value) = &self.value {
            current = (!value.is_null()).then(|| value.clone());
        }
        if let Some(add) = &self.add {
            current = Some(match current {
                None => Value::Array(add.clone()),
                Some(Value::Array(mut items)) => {
                    // Only what is missing is appended: the leaf's own
                    // elements and their order stay as published.
                    for item in add {
                        if !items.contains(item) {
                            items.push(item.clone());
                        }
                    }
                    Value::Array(items)
                }
                Some(other) => return Err(unsupported(parameter, "add", &other)),
            });
        }
        if current.is_none() {
            current = self.default.clone();
        }
        // The checks below act only on a present parameter: an absent one is
        // left to `essential` (the 6.1.3.1.8 table's last rows).
        if let (Some(one_of), Some(value)) = (&self.one_of, &current) {
            // spid-cie-oidc picks the first allowed element of an array
            // parameter; one_of takes a single value, so an array is an error.
            if matches!(value, Value::Array(_) | Value::Bool(_)) {
                return Err(unsupported(parameter, "one_of", value));
            }
            if !one_of.contains(value) {
                return Err(PolicyError::Violation {
                    parameter: parameter.into(),
                    operator: "one_of",
                    reason: format!("{value} is not one of {}", Value::Array(one_of.clone())),
                });
            }
        }
        if let (Some(subset_of), Some(value)) = (&self.subset_of, &mut current) {
            let Value::Array(items) = value else {
                return Err(unsupported(parameter, "subset_of", value));
            };
            // The intersection may be empty and then stays `[]`, essential or
            // not (6.1.3.1.5 and its table). spid-cie-oidc errors instead;
            // earlier drafts removed the parameter.
            *items = intersection(items, subset_of);
        }
        if let (Some(superset_of), Some(value)) = (&self.superset_of, &current) {
            let Value::Array(items) = value else {
                return Err(unsupported(parameter, "superset_of", value));
            };
            let missing: Vec<Value> = superset_of
                .iter()
                .filter(|required| !items.contains(required))
                .cloned()
                .collect();
            if !missing.is_empty() {
                return Err(PolicyError::Violation {
                    parameter: parameter.into(),
                    operator: "superset_of",
                    reason: format!("{} lacks {}", value, Value::Array(missing)),
                });
            }
        }
        if self.essential == Some(true) && current.is_none() {
            return Err(PolicyError::MissingEssential {
                parameter: parameter.into(),
            });
        }
        Ok(current)
    }
}

/// Parses and validates every parameter policy of one entity type, keeping
/// the order they came in and dropping the ones left without an operator.
fn parse_policy(policy: &EntityTypePolicy) -> Result<Vec<(String, ParameterPolicy)>, PolicyError> {
    let mut parsed = Vec::with_capacity(policy.len());
    for (parameter, raw) in policy {
        let parameter_policy = ParameterPolicy::parse(parameter, raw)?;
        check_combinations(parameter, &parameter_policy)?;
        if !parameter_policy.is_empty() {
            parsed.push((parameter.clone(), parameter_policy));
        }
    }
    Ok(parsed)
}

/// Refuses a `metadata_policy_crit` that names an operator not understood
/// here (3.1.3, 6.1.3.2). Standard operator names in the list (which the
/// claim should not carry) are understood, so they pass.
fn check_critical(policies: &[&EntityTypePolicy], critical: &[String]) -> Result<(), PolicyError> {
    let Some(operator) = critical
        .iter()
        .find(|name| !STANDARD_OPERATORS.contains(&name.as_str()))
    else {
        return Ok(());
    };
    let parameter = policies
        .iter()
        .flat_map(|policy| policy.iter())
        .find(|(_, operators)| {
            operators
                .as_object()
                .is_some_and(|operators| operators.contains_key(operator))
        })
        .map(|(parameter, _)| parameter.clone());
    // spid-cie-oidc has no notion of critical operators: it drops whatever
    // it does not recognise.
    Err(PolicyError::UnknownCriticalOperator {
        operator: operator.clone(),
        parameter,
    })
}
