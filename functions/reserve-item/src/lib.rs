//! reserve-item Lambda handler (being written).
