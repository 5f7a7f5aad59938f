//! TensorFlow's graph messages, as the GRAPHS dashboard reads them from `Event.graph_def`:
//! `graph.proto`, `node_def.proto`, `attr_value.proto` and `versions.proto` of
//! `tensorboard/compat/proto/`, with their field numbers. Only the fields a hand-built or
//! traced graph needs are here; prost skips the others when reading.

use std::collections::BTreeMap;

use super::{DataType, TensorProto, TensorShapeProto};

/// `GraphDef`: the nodes of a graph.
#[derive(Clone, PartialEq, prost::Message)]
pub struct GraphDef {
    /// The nodes, in any order; edges are the nodes' `input` names.
    #[prost(message, repeated, tag = "1")]
    pub node: Vec<NodeDef>,
    /// Which TensorFlow graph version wrote it (PyTorch writes producer 22).
    #[prost(message, optional, tag = "4")]
    pub versions: Option<VersionDef>,
}

/// `NodeDef`: one operation.
#[derive(Clone, PartialEq, prost::Message)]
pub struct NodeDef {
    /// Unique name; `/` separates the scopes the dashboard folds the graph by.
    #[prost(string, tag = "1")]
    pub name: String,
    /// The operation's kind, shown as the node's type.
    #[prost(string, tag = "2")]
    pub op: String,
    /// Names of the nodes feeding this one (`name`, `name:1` for a second output, `^name` for
    /// a control edge).
    #[prost(string, repeated, tag = "3")]
    pub input: Vec<String>,
    /// Where it runs, e.g. `/device:CPU:0`.
    #[prost(string, tag = "4")]
    pub device: String,
    /// Attributes; `_output_shapes` labels the outgoing edges with tensor shapes.
    #[prost(btree_map = "string, message", tag = "5")]
    pub attr: BTreeMap<String, AttrValue>,
}

/// `VersionDef`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VersionDef {
    /// The version of the code that produced the graph.
    #[prost(int32, tag = "1")]
    pub producer: i32,
    /// The oldest consumer version that reads it.
    #[prost(int32, tag = "2")]
    pub min_consumer: i32,
    /// Consumer versions that must not read it.
    #[prost(int32, repeated, tag = "3")]
    pub bad_consumers: Vec<i32>,
}

/// `AttrValue`: one attribute of a node.
#[derive(Clone, PartialEq, prost::Message)]
pub struct AttrValue {
    /// The value.
    #[prost(oneof = "attr_value::Value", tags = "1, 2, 3, 4, 5, 6, 7, 8, 9")]
    pub value: Option<attr_value::Value>,
}

/// Nested types of [`AttrValue`].
pub mod attr_value {
    use super::{DataType, TensorProto, TensorShapeProto};

    /// `AttrValue.ListValue`: a list attribute.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct ListValue {
        /// Strings.
        #[prost(bytes = "vec", repeated, tag = "2")]
        pub s: Vec<Vec<u8>>,
        /// Integers.
        #[prost(int64, repeated, tag = "3")]
        pub i: Vec<i64>,
        /// Floats.
        #[prost(float, repeated, tag = "4")]
        pub f: Vec<f32>,
        /// Booleans.
        #[prost(bool, repeated, tag = "5")]
        pub b: Vec<bool>,
        /// Data types ([`DataType`] values).
        #[prost(enumeration = "DataType", repeated, tag = "6")]
        pub r#type: Vec<i32>,
        /// Shapes (what `_output_shapes` holds).
        #[prost(message, repeated, tag = "7")]
        pub shape: Vec<TensorShapeProto>,
        /// Tensors.
        #[prost(message, repeated, tag = "8")]
        pub tensor: Vec<TensorProto>,
    }

    /// The `oneof value` of `AttrValue`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Value {
        /// A list.
        #[prost(message, tag = "1")]
        List(ListValue),
        /// A string (bytes).
        #[prost(bytes, tag = "2")]
        S(Vec<u8>),
        /// An integer.
        #[prost(int64, tag = "3")]
        I(i64),
        /// A float.
        #[prost(float, tag = "4")]
        F(f32),
        /// A boolean.
        #[prost(bool, tag = "5")]
        B(bool),
        /// A data type ([`DataType`] value).
        #[prost(enumeration = "DataType", tag = "6")]
        Type(i32),
        /// A shape.
        #[prost(message, tag = "7")]
        Shape(TensorShapeProto),
        /// A tensor.
        #[prost(message, tag = "8")]
        Tensor(TensorProto),
        /// A placeholder name (function attributes).
        #[prost(string, tag = "9")]
        Placeholder(String),
    }
}
