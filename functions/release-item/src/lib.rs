//! release-item Lambda handler (being written).
