//! Datasets the examples train on.

pub mod mnist;
