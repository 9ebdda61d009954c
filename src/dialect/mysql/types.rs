//! Type families for mysql declared types (to be written).
