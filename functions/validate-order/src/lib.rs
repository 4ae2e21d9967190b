//! validate-order Lambda handler (being written).
