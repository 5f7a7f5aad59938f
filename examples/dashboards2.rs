//! `cargo run --release --example dashboards2 [-- LOGDIR]`: the PROJECTOR, MESH, GRAPHS and
//! boxed-image runs of the demo alone; the code is in `crates/tutorials/src/dashboards2.rs`.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::dashboards2::main()
}
