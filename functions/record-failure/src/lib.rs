//! record-failure Lambda handler (being written).
