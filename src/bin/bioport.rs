//! The bioport command-line tool.

fn main() {}
