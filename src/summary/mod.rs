//! Building summary values (the payload of an event) from user data.

pub mod histogram;
