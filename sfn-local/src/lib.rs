//! sfn-local (being written).
