//! The message protocol between the app and the Web Worker (serde types, no browser types).
