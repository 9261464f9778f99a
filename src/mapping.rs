//! Column to field mapping for BioStar user CSV: exact, case and spacing, alias, fuzzy.
