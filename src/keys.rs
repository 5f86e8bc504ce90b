//! Placeholder: being written on its own branch.
