//! The mesh plugin: point clouds and triangle meshes drawn with three.js.
//!
//! A mesh is one summary with up to three values, as PyTorch's `summary.mesh` writes it:
//! `<tag>_VERTEX`, `<tag>_FACE` and `<tag>_COLOR`, each a `DT_FLOAT` tensor of shape
//! `[batch, n, 3]` in `float_val`, each with a `MeshPluginData` naming its part and the bitmask
//! of the parts present. The plugin serves faces as int32 and colours as uint8, so both are
//! taken here as integers and stored as floats exactly.

use super::plugin_value::plugin_value;
use crate::plugin_names;
use prost::Message;

use crate::proto::mesh::{ContentType, MeshPluginData};
use crate::proto::{DataType, Summary, TensorProto, TensorShapeProto};
use crate::{Error, Result};

/// A batch of meshes: vertices, and optionally per-vertex colours, triangles and the three.js
/// configuration (PyTorch's `add_mesh(tag, vertices, colors, faces, config_dict)`).
///
/// ```
/// use tfevents::summary::mesh::Mesh;
/// # fn main() -> tfevents::Result<()> {
/// // One tetrahedron: 4 vertices, 4 faces, one colour per vertex.
/// let v = [0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0., 1.];
/// let f = [0, 1, 2, 0, 1, 3, 0, 2, 3, 1, 2, 3];
/// let c = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0];
/// let mesh = Mesh::new(&v, [1, 4])?.faces(&f, 4)?.colors(&c)?;
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Mesh {
    batch: usize,
    points: usize,
    vertices: Vec<f32>,
    colors: Option<Vec<u8>>,
    faces: Option<(usize, Vec<u32>)>,
    config_json: String,
}

fn dims3(batch: usize, n: usize) -> Result<Vec<i32>> {
    [batch, n, 3]
        .iter()
        .map(|&d| i32::try_from(d))
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| Error::OutOfRange {
            what: format!(
                "a dimension of the mesh shape ({batch}, {n}, 3) (the plugin holds int32)"
            ),
            value: batch.max(n) as f64,
            min: 1.0,
            max: i32::MAX.into(),
        })
}

impl Mesh {
    /// `vertices` holds `batch x points x 3` coordinates, row-major (PyTorch's `(B, N, 3)`).
    /// NaN and infinite coordinates are errors: three.js cannot frame such a mesh.
    pub fn new(vertices: &[f32], [batch, points]: [usize; 2]) -> Result<Self> {
        if batch == 0 || points == 0 {
            return Err(Error::BadShape {
                what: "vertices".to_string(),
                shape: vec![batch, points, 3],
                expected: "give at least one mesh with one vertex",
            });
        }
        let needs = batch.checked_mul(points).and_then(|p| p.checked_mul(3));
        if needs != Some(vertices.len()) {
            return Err(Error::ShapeMismatch {
                shape: vec![batch, points, 3],
                needs: needs.unwrap_or(usize::MAX),
                got: vertices.len(),
            });
        }
        if let Some(i) = vertices.iter().position(|v| !v.is_finite()) {
            return Err(Error::BadNumber {
                what: format!("vertex coordinate {i}"),
                value: vertices[i].into(),
                must: "finite",
            });
        }
        dims3(batch, points)?;
        check_mesh_values("vertices", vertices.len())?;
        Ok(Mesh {
            batch,
            points,
            vertices: vertices.to_vec(),
            colors: None,
            faces: None,
            config_json: "{}".into(),
        })
    }

    /// One RGB colour (0-255) per vertex: `batch x points x 3` bytes.
    pub fn colors(mut self, colors: &[u8]) -> Result<Self> {
        if colors.len() != self.vertices.len() {
            return Err(Error::LengthMismatch {
                what: "colors".to_string(),
                got: colors.len(),
                expected: self.vertices.len(),
                per: "vertex coordinate (R, G, B for x, y, z)",
            });
        }
        self.colors = Some(colors.to_vec());
        Ok(self)
    }

    /// Triangles: `batch x faces x 3` vertex indices, each below the number of vertices.
    pub fn faces(mut self, faces: &[u32], per_mesh: usize) -> Result<Self> {
        if per_mesh == 0 {
            return Err(Error::Empty {
                what: "faces per mesh".to_string(),
            });
        }
        if self
            .batch
            .checked_mul(per_mesh)
            .and_then(|n| n.checked_mul(3))
            != Some(faces.len())
        {
            return Err(Error::ShapeMismatch {
                shape: vec![self.batch, per_mesh, 3],
                needs: self.batch.saturating_mul(per_mesh).saturating_mul(3),
                got: faces.len(),
            });
        }
        if let Some(i) = faces.iter().position(|&f| f as usize >= self.points) {
            return Err(Error::OutOfRange {
                what: format!("face index {i} (a vertex of its mesh, from 0)"),
                value: faces[i].into(),
                min: 0.0,
                max: (self.points - 1) as f64,
            });
        }
        // The plugin reads faces back as int32 through float32: keep them exact.
        if self.points > 1 << 24 {
            return Err(Error::OutOfRange {
                what:
                    "vertices per mesh with faces (the plugin's float32 indices are exact to 2^24)"
                        .to_string(),
                value: self.points as f64,
                min: 1.0,
                max: (1u32 << 24) as f64,
            });
        }
        dims3(self.batch, per_mesh)?;
        self.faces = Some((per_mesh, faces.to_vec()));
        Ok(self)
    }

    /// The three.js configuration as a JSON object, PyTorch's `config_dict` serialised, e.g.
    /// `{"camera": {"cls": "PerspectiveCamera", "fov": 75}}`. The text is parsed (nesting up to
    /// 128 levels) and stored as given, trimmed; anything but one JSON object is an error, as
    /// the dashboard could not read it.
    pub fn config_json(mut self, json: &str) -> Result<Self> {
        let t = json.trim();
        let reason = match serde_json::from_str::<serde_json::Value>(t) {
            Ok(value) if value.is_object() => None,
            Ok(_) => Some("is JSON but not an object".to_string()),
            Err(e) => Some(format!("is not valid JSON ({e})")),
        };
        if let Some(reason) = reason {
            let shown: String = t.chars().take(80).collect();
            return Err(Error::invalid(
                "config_dict",
                format!("{shown:?} {reason}; pass an object, e.g. {{\"camera\": {{\"cls\": \"PerspectiveCamera\"}}}}"),
            ));
        }
        self.config_json = t.to_string();
        Ok(self)
    }
}

/// The most bytes a mesh's summary may hold in floats, vertices, faces and colours together
/// (2^31 - 1, the most a `Summary` can hold: protobuf refuses larger messages). Every value is
/// stored as a 4-byte float, colours and face indices included; refused before the floats are
/// made.
pub const MAX_MESH_BYTES: usize = i32::MAX as usize;

/// Refuses `values` floats over [`MAX_MESH_BYTES`].
fn check_mesh_values(what: &'static str, values: usize) -> Result<()> {
    let bytes = (values as u128) * 4;
    if bytes > MAX_MESH_BYTES as u128 {
        return Err(Error::TooLarge {
            what,
            bytes,
            limit: MAX_MESH_BYTES,
        });
    }
    Ok(())
}

/// The mesh plugin's summary for `mesh` under `tag`: one value per part present.
/// [`Error::TooLarge`] if its floats would take more than [`MAX_MESH_BYTES`].
pub fn mesh_summary(tag: &str, mesh: &Mesh) -> Result<Summary> {
    let values = mesh.vertices.len()
        + mesh.faces.as_ref().map_or(0, |(_, f)| f.len())
        + mesh.colors.as_ref().map_or(0, Vec::len);
    check_mesh_values("the mesh", values)?;
    let mut parts: Vec<(ContentType, usize, Vec<f32>)> =
        vec![(ContentType::Vertex, mesh.points, mesh.vertices.clone())];
    if let Some((n, faces)) = &mesh.faces {
        parts.push((
            ContentType::Face,
            *n,
            faces.iter().map(|&f| f as f32).collect(),
        ));
    }
    if let Some(colors) = &mesh.colors {
        parts.push((
            ContentType::Color,
            mesh.points,
            colors.iter().map(|&c| f32::from(c)).collect(),
        ));
    }
    let components = parts.iter().fold(0u32, |m, (c, ..)| m | 1 << (*c as i32));
    let mut value = Vec::with_capacity(parts.len());
    for (content_type, n, data) in parts {
        let shape = dims3(mesh.batch, n)?;
        let plugin = MeshPluginData {
            version: 0,
            name: tag.to_string(),
            content_type: content_type as i32,
            json_config: mesh.config_json.clone(),
            shape,
            components,
        };
        let suffix = match content_type {
            ContentType::Vertex => "VERTEX",
            ContentType::Face => "FACE",
            ContentType::Color => "COLOR",
            ContentType::Undefined => "UNDEFINED",
        };
        value.push(plugin_value(
            format!("{tag}_{suffix}"),
            plugin_names::MESH,
            plugin.encode_to_vec(),
            Some(TensorProto {
                dtype: DataType::DtFloat as i32,
                tensor_shape: Some(TensorShapeProto::from_dims(&[
                    mesh.batch as i64,
                    n as i64,
                    3,
                ])),
                float_val: data,
                ..Default::default()
            }),
        ));
    }
    Ok(Summary { value })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::summary;

    fn tetra() -> Mesh {
        let v = [0., 0., 0., 1., 0., 0., 0., 1., 0., 0., 0., 1.];
        Mesh::new(&v, [1, 4]).unwrap()
    }

    #[test]
    fn one_value_per_part_with_the_components_mask() {
        let m = tetra()
            .faces(&[0, 1, 2, 0, 1, 3], 2)
            .unwrap()
            .colors(&[9; 12])
            .unwrap()
            .config_json(r#"{"camera": {"cls": "PerspectiveCamera"}}"#)
            .unwrap();
        let s = mesh_summary("tet", &m).unwrap();
        let tags: Vec<_> = s.value.iter().map(|v| v.tag.as_str()).collect();
        assert_eq!(tags, ["tet_VERTEX", "tet_FACE", "tet_COLOR"]);
        for v in &s.value {
            let meta = v.metadata.as_ref().unwrap().plugin_data.as_ref().unwrap();
            assert_eq!(meta.plugin_name, "mesh");
            let d = MeshPluginData::decode(&meta.content[..]).unwrap();
            assert_eq!(d.components, 0b1110);
            assert_eq!(d.name, "tet");
            assert_eq!(d.json_config, r#"{"camera": {"cls": "PerspectiveCamera"}}"#);
        }
        let Some(summary::value::Value::Tensor(faces)) = &s.value[1].value else {
            panic!("faces are a tensor")
        };
        assert_eq!(faces.float_val, [0., 1., 2., 0., 1., 3.]);
        let dims: Vec<i64> = faces
            .tensor_shape
            .as_ref()
            .unwrap()
            .dim
            .iter()
            .map(|d| d.size)
            .collect();
        assert_eq!(dims, [1, 2, 3]);
    }

    #[test]
    fn vertices_only_is_a_point_cloud() {
        let s = mesh_summary("pc", &tetra()).unwrap();
        assert_eq!(s.value.len(), 1);
        let meta = s.value[0]
            .metadata
            .as_ref()
            .unwrap()
            .plugin_data
            .as_ref()
            .unwrap();
        let d = MeshPluginData::decode(&meta.content[..]).unwrap();
        assert_eq!(
            (d.components, d.shape.as_slice(), d.json_config.as_str()),
            (2, &[1, 4, 3][..], "{}")
        );
    }

    #[test]
    fn bad_input_names_the_argument() {
        let e = tetra().faces(&[0, 1, 4], 1).unwrap_err();
        assert!(
            matches!(&e, Error::OutOfRange { what, value, max, .. } if what.starts_with("face index 2") && *value == 4.0 && *max == 3.0),
            "{e:?}"
        );
        assert!(matches!(
            tetra().faces(&[0, 1], 1),
            Err(Error::ShapeMismatch {
                needs: 3,
                got: 2,
                ..
            })
        ));
        assert!(matches!(tetra().faces(&[], 0), Err(Error::Empty { .. })));
        assert!(matches!(
            tetra().colors(&[0; 11]),
            Err(Error::LengthMismatch {
                got: 11,
                expected: 12,
                ..
            })
        ));
        assert!(matches!(
            Mesh::new(&[0.0; 5], [1, 2]),
            Err(Error::ShapeMismatch {
                needs: 6,
                got: 5,
                ..
            })
        ));
        assert!(matches!(
            Mesh::new(&[0.0; 5], [0, 2]),
            Err(Error::BadShape { .. })
        ));
        assert!(matches!(
            Mesh::new(&[f32::NAN, 0., 0.], [1, 1]),
            Err(Error::BadNumber { .. })
        ));
        assert!(tetra()
            .config_json("[1]")
            .unwrap_err()
            .to_string()
            .contains("`config_dict`"));
    }

    #[test]
    fn a_config_that_is_not_one_json_object_is_refused() {
        for bad in [
            "{ invalid }",
            "{\"a\": }",
            "{} {}",
            "{\"a\": 1",
            "\"text\"",
            "null",
            "",
            format!("{}{}", "{\"a\":".repeat(200), "}".repeat(200)).as_str(),
        ] {
            assert!(
                matches!(
                    tetra().config_json(bad),
                    Err(Error::InvalidArgument {
                        name: "config_dict",
                        ..
                    })
                ),
                "{bad:?} was accepted"
            );
        }
        let ok = tetra()
            .config_json("  {\"camera\": {\"fov\": 75}}\n")
            .unwrap();
        assert_eq!(ok.config_json, "{\"camera\": {\"fov\": 75}}");
    }

    #[test]
    fn meshes_over_the_byte_limit_are_refused() {
        assert!(check_mesh_values("the mesh", MAX_MESH_BYTES / 4).is_ok());
        assert!(matches!(
            check_mesh_values("the mesh", MAX_MESH_BYTES / 4 + 1),
            Err(Error::TooLarge {
                limit: MAX_MESH_BYTES,
                ..
            })
        ));
    }
}
