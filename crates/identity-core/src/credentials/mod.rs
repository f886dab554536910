//! Credential levels, one-time codes and emergency codes. Stub.
