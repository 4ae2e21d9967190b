//! award-loyalty-points Lambda handler (being written).
