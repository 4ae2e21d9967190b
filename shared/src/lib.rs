//! shared (being written).
