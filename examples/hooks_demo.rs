//! `cargo run --release --example hooks_demo -- --help`: the code is in
//! [`crates/tutorials/src/hooks_demo`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::hooks_demo::main()
}
