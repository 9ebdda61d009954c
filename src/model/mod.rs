//! Pure data: the catalog, type families, filters and snapshots. No I/O, no database crates.

pub mod catalog;
pub mod change;
pub mod filter;
pub mod normalize;
pub mod plan;
pub mod risk;
pub mod rowdiff;
pub mod rows;
pub mod snapshot;
pub mod types;

pub use catalog::*;
pub use change::Change;
pub use filter::Filter;
pub use plan::TargetIdentity;
pub use risk::{
    Assessment, CountEffect, DataCount, PlanNames, Probe, Probes, RiskLevel, plan_score,
};
pub use snapshot::Snapshot;
pub use types::TypeFamily;
