//! on-execution-status Lambda handler (being written).
