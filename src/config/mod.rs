//! Configuration: connection profiles (TOML) and where sluice keeps its files.

pub mod profiles;

pub use profiles::{Profile, Profiles};
