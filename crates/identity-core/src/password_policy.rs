//! Password policy (DOMAIN.md section 5). Stub.
