//! `cargo run --release --example backprop_scratch -- --help`: the code is in
//! [`crates/tutorials/src/backprop_scratch`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::backprop_scratch::main()
}
