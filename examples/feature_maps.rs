//! `cargo run --release --example feature_maps -- --help`: the code is in
//! [`crates/tutorials/src/feature_maps`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::feature_maps::main()
}
