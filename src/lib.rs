//! sluice: show how two live databases have drifted apart — schema and rows — and bring one in line
//! with the other, safely, after a person has reviewed every change.
//!
//! Layers, lower never importing higher: [`model`] → [`dialect`] → [`engine`] → `cli` / `tui`.

pub mod dialect;
pub mod error;
pub mod model;

pub use error::{Error, Result};
