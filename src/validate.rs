//! BioStar import rules applied to every row before upload: findings with row, column and severity.
