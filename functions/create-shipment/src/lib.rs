//! create-shipment Lambda handler (being written).
