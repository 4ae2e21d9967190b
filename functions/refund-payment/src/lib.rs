//! refund-payment Lambda handler (being written).
