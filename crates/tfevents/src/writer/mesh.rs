//! [`SummaryWriter::add_mesh`]: meshes and point clouds for the MESH dashboard.

use super::{Entry, SummaryWriter};
use crate::summary::mesh::{mesh_summary, Mesh};
use crate::Result;

impl SummaryWriter {
    /// Logs a batch of meshes, as PyTorch's `add_mesh(tag, vertices, colors, faces,
    /// config_dict, global_step)`; build the [`Mesh`] with its vertices and, optionally,
    /// colours, faces (without them the dashboard draws a point cloud) and three.js config.
    ///
    /// ```no_run
    /// use tfevents::summary::mesh::Mesh;
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/mesh")?;
    /// let v = [0., 0., 0., 1., 0., 0., 0., 1., 0.];
    /// writer.add_mesh("triangle", &Mesh::new(&v, [1, 3])?.faces(&[0, 1, 2], 1)?, 0)?;
    /// # Ok(()) }
    /// ```
    pub fn add_mesh<S: TryInto<i64>>(&self, tag: &str, mesh: &Mesh, step: S) -> Result<()> {
        self.log(tag, step, || Ok(Entry::Now(mesh_summary(tag, mesh)?)))
    }
}
