//! send-notification Lambda handler (being written).
