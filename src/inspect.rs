//! Short summaries of any recognised file: what it is and how many records it holds.
