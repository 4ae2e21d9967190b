//! submit-order Lambda handler (being written).
