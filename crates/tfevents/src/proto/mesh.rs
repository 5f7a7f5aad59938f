//! `tensorboard/plugins/mesh/plugin_data.proto`: what the mesh plugin stores in
//! `SummaryMetadata.plugin_data.content` for each part of a mesh.

/// `MeshPluginData`: which part of which mesh a tensor holds.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MeshPluginData {
    /// Always 0, the only version the plugin reads.
    #[prost(int32, tag = "1")]
    pub version: i32,
    /// The mesh's name (the tag without the `_VERTEX`/`_FACE`/`_COLOR` suffix).
    #[prost(string, tag = "2")]
    pub name: String,
    /// A [`ContentType`] value.
    #[prost(enumeration = "ContentType", tag = "3")]
    pub content_type: i32,
    /// A JSON object of three.js settings (camera, lights, material).
    #[prost(string, tag = "5")]
    pub json_config: String,
    /// The tensor's shape, `[batch, points, 3]`.
    #[prost(int32, repeated, tag = "6")]
    pub shape: Vec<i32>,
    /// A bit `1 << content_type` for every part this mesh has.
    #[prost(uint32, tag = "7")]
    pub components: u32,
}

/// `MeshPluginData.ContentType`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, prost::Enumeration)]
#[repr(i32)]
pub enum ContentType {
    /// Not set.
    Undefined = 0,
    /// Vertex coordinates.
    Vertex = 1,
    /// Triangles, as three vertex indices each.
    Face = 2,
    /// Vertex colours, RGB 0-255.
    Color = 3,
}
