//! request-approval Lambda handler (being written).
