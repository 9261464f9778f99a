//! BioStar 2 / BioStar X user CSV: reader and writer, lossless for untouched cells.
