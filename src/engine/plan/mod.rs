//! The plan: changes rendered into steps and ordered by a dependency graph (petgraph).
//!
//! Each change declares, in terms of object keys, what it creates (`provides`), what it drops
//! (`removes`), what it modifies (`touches`), what must exist when it runs (`requires`) and what its
//! *old* form referred to (`old_refs`). Edges follow:
//! - a creator before every step that requires or touches what it creates;
//! - a step before the remover of anything it requires (unless that thing is re-created) or of
//!   anything its old form refers to;
//! - a remover before the creator of the same key (drop, then re-create);
//! - a drop before any step that modifies what the dropped object refers to (a view is dropped
//!   before a column it reads changes type);
//! - steps touching the same key in phase order.
//!
//! The topological order breaks ties by phase, then object name, then change order, so the same two
//! catalogs always give a byte-identical plan. A cycle is reported with the objects in it.
//!
//! Files: `keys.rs` (the names the graph gives objects, [`Key`], and what expressions and view
//! texts refer to), `deps.rs` (what each change declares, [`deps`]), `graph.rs` (the edges, the
//! order, [`phase`], and which steps only make sense together).

mod deps;
mod graph;
mod keys;

pub use deps::deps;
pub use graph::{build, build_indexed, phase};
pub use keys::{Deps, Key, Known};

pub use crate::model::plan::{Reverse, Step};

/// Why a plan could not be ordered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub objects: Vec<String>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the changes depend on each other in a cycle: {}",
            self.objects.join(" → ")
        )
    }
}
