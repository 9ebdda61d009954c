//! Orchestration over the dialects: resolving database references, inspecting both sides at once,
//! and (in later layers) diff, risk, plan, rows and apply.

pub mod apply;
pub mod bench;
pub mod cross;
pub mod demo;
pub mod diff;
pub mod down;
pub mod history;
pub mod jobs;
pub mod pack;
pub mod plan;
pub mod protocol;
pub mod risk;
pub mod rows;
pub mod schema;
pub mod source;

pub use source::Source;
