//! Bytes to text: BOM sniffing, UTF-8, UTF-16, CP949 and Windows-1252 (encoding_rs).
