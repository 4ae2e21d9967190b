//! decide-approval Lambda handler (being written).
