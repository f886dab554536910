//! Metadata policies (OpenID Federation 1.0): combined down a trust chain and
//! applied to a leaf's metadata.
