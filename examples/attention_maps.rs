//! `cargo run --release --example attention_maps -- --help`: the code is in
//! [`crates/tutorials/src/attention_maps.rs`](../crates/tutorials/src/attention_maps.rs), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::attention_maps::main()
}
