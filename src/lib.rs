//! sluice: show how two live databases have drifted apart — schema and rows — and bring one in line
//! with the other, safely, after a person has reviewed every change.
//!
//! Layers, lower never importing higher: [`model`] → [`dialect`] → [`engine`] → [`cli`] (and the
//! TUI). [`config`] holds profiles and is used by the engine and the CLI.

pub mod cancel;
pub mod cli;
pub mod clock;
pub mod config;
pub mod dialect;
pub mod engine;
pub mod error;
pub mod files;
pub mod model;
pub mod tui;

pub use error::{Error, Result};
