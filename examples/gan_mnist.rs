//! `cargo run --release --example gan_mnist -- --help`: the code is in
//! [`crates/tutorials/src/gan_mnist`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::gan_mnist::main()
}
