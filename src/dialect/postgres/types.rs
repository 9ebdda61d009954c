//! Type families for PostgreSQL types.
