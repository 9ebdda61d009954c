//! Type families for sqlite declared types (to be written).
