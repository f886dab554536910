//! The operator's review of identity data that disagrees with its tax code.

/// Whether a person's identity data has an operator's review pending: a tax code
/// that disagrees with the declared data, which the holder confirmed as right at
/// registration (real codes sometimes differ from the standard derivation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataReview {
    /// Nothing to review: the data agrees with the tax code.
    #[default]
    NotNeeded,
    /// Waiting for an operator: no digital identity until confirmed.
    Pending,
    /// An operator confirmed the data as declared.
    Confirmed,
    /// An operator could not confirm it: the holder must correct it.
    Rejected,
}

impl DataReview {
    /// Stable storage code (`None` for [`DataReview::NotNeeded`]).
    #[must_use]
    pub fn code(self) -> Option<&'static str> {
        match self {
            DataReview::NotNeeded => None,
            DataReview::Pending => Some("pending"),
            DataReview::Confirmed => Some("confirmed"),
            DataReview::Rejected => Some("rejected"),
        }
    }

    /// Inverse of [`DataReview::code`].
    #[must_use]
    pub fn from_code(code: Option<&str>) -> Option<DataReview> {
        match code {
            None => Some(DataReview::NotNeeded),
            Some("pending") => Some(DataReview::Pending),
            Some("confirmed") => Some(DataReview::Confirmed),
            Some("rejected") => Some(DataReview::Rejected),
            Some(_) => None,
        }
    }
}
