//! Integration tests: burn's `SupervisedTraining` with our logger, read back with the core's
//! reader. One test binary, so that burn is linked once.

mod bad_input;
mod burn_version;
mod checkpointing;
mod common;
mod logs;
