//! [`SummaryWriter::add_graph_def`]: a graph for the GRAPHS dashboard.

use prost::Message;

use super::SummaryWriter;
use crate::event_writer::now_secs;
use crate::proto::graph::GraphDef;
use crate::proto::{event, Event};
use crate::summary::graph::{check_graph, MAX_GRAPH_BYTES};
use crate::{Error, Result};

impl SummaryWriter {
    /// Logs a graph built by hand (see [`crate::summary::graph`] for the helpers), written as
    /// PyTorch's `add_graph` writes its traced graph: the serialised `GraphDef` in
    /// `Event.graph_def`, at step 0. The graph is checked first (unique names, inputs that
    /// name nodes). For a candle module tree, `candle_tensorboard::graph` traces one.
    ///
    /// ```no_run
    /// use tfevents::summary::graph::{graph_def, node, output_shapes};
    /// # fn main() -> tfevents::Result<()> {
    /// let writer = tfevents::SummaryWriter::new("runs/graph")?;
    /// let mut fc = node("net/fc", "Linear", ["input"]);
    /// fc.attr.insert("_output_shapes".into(), output_shapes([&[1usize, 10][..]]));
    /// writer.add_graph_def(&graph_def(vec![node("input", "IO Node", Vec::<String>::new()), fc])?)?;
    /// # Ok(()) }
    /// ```
    pub fn add_graph_def(&self, graph: &GraphDef) -> Result<()> {
        self.ensure_open()?;
        check_graph(graph)?;
        let bytes = graph.encoded_len();
        if bytes > MAX_GRAPH_BYTES {
            return Err(Error::TooLarge {
                what: "the serialised graph",
                bytes: bytes as u128,
                limit: MAX_GRAPH_BYTES,
            });
        }
        let event = Event {
            wall_time: self.wall_time.unwrap_or_else(now_secs),
            step: 0,
            what: Some(event::What::GraphDef(graph.encode_to_vec())),
            source_metadata: None,
        };
        self.inner.main.add_event(&event)
    }
}
