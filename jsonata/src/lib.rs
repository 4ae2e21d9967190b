//! sfn-jsonata (being written).
