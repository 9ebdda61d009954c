//! Widgets of our own: the side-by-side SQL diff.

pub mod sidediff;
