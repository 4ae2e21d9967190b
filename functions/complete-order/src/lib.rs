//! complete-order Lambda handler (being written).
