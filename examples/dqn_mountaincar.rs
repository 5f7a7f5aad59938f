//! `cargo run --release --example dqn_mountaincar -- --help`: the code is in
//! [`crates/tutorials/src/dqn_mountaincar`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::dqn_mountaincar::main()
}
