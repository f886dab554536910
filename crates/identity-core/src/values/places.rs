//! Municipalities and foreign countries by Belfiore code. Stub.
