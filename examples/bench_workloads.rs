//! `cargo run --release --example bench_workloads -- --help`: the code is in
//! [`crates/tutorials/src/bench_workloads_cli`](../crates/tutorials/src/), documented there.
fn main() -> Result<(), Box<dyn std::error::Error>> {
    tutorials::bench_workloads_cli::main()
}
