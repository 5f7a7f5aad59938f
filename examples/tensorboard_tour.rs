//! `cargo run --release --example tensorboard_tour -- --help`: the code is in
//! [`crates/tutorials/src/tensorboard_tour`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::tensorboard_tour::main()
}
