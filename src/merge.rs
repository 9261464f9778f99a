//! Merging a user CSV with an existing export: keep or overwrite per user ID, with a diff.
