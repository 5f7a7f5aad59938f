//! `cargo run --release --example alexnet_kernels -- --help`: the code is in
//! [`crates/tutorials/src/alexnet_kernels`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::alexnet_kernels::main()
}
