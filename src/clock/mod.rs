//! The time clock workflow's room: what bioport does with a ZKTeco-family clock's USB
//! files once they are recognised, as one set (users, punches and templates linked by uid
//! and user ID): check and repair the attendance log, write `user.dat`, and move users
//! between the clock and BioStar.
//!
//! Empty for now: today a clock's files are only recognised ([`crate::recognize`]) and
//! counted ([`crate::inspect`]). The byte layouts live in [`crate::formats`]
//! (`zk_user_dat`, `zk_attlog`, `zk_templates`); this module will hold what works across
//! them.
