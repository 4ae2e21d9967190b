//! charge-payment Lambda handler (being written).
