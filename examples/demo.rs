//! `cargo run --release --example demo -- --help`: the code is in
//! [`crates/tutorials/src/demo`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::demo::main()
}
