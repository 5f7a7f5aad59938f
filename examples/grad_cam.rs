//! `cargo run --release --example grad_cam -- --help`: the code is in
//! [`crates/tutorials/src/grad_cam.rs`](../crates/tutorials/src/grad_cam.rs), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::grad_cam::main()
}
