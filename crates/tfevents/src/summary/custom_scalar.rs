//! The custom scalars plugin: a layout of charts that combine scalar tags.
//!
//! The layout is stored once per run, as PyTorch's `add_custom_scalars` stores it: tag
//! `custom_scalars__config__`, plugin `custom_scalars`, a `DT_STRING` tensor of empty shape
//! holding the serialized `Layout`. TensorBoard merges the layouts of all runs.

use super::plugin_value::plugin_value;
use crate::error::{Error, Result};
use crate::plugin_names;
use crate::proto::custom_scalar::{
    chart::Content, margin_chart_content::Series, Category, Chart, Layout, MarginChartContent,
    MultilineChartContent,
};
use crate::proto::{DataType, Summary, TensorProto, TensorShapeProto};

/// The tag the layout is stored under.
pub const LAYOUT_TAG: &str = "custom_scalars__config__";

/// One chart: PyTorch's `[chart_type, tags]` entry of a layout.
#[derive(Clone, Debug, PartialEq)]
pub enum ChartKind {
    /// PyTorch's `"Multiline"`: every scalar tag matching one of these regular expressions is
    /// a line.
    Multiline(Vec<String>),
    /// PyTorch's `"Margin"`: a `value` line in a band from `lower` to `upper` (three tags).
    Margin {
        /// The line's tag.
        value: String,
        /// The band's lower edge's tag.
        lower: String,
        /// The band's upper edge's tag.
        upper: String,
    },
}

/// A titled group of charts: one category of the layout.
#[derive(Clone, Debug, PartialEq)]
pub struct LayoutCategory {
    /// The category's title.
    pub title: String,
    /// `(chart title, chart)` in display order.
    pub charts: Vec<(String, ChartKind)>,
}

impl LayoutCategory {
    /// A category with no charts yet.
    pub fn new(title: impl Into<String>) -> Self {
        LayoutCategory {
            title: title.into(),
            charts: Vec::new(),
        }
    }

    /// Adds a multiline chart of `tags`.
    pub fn multiline<T: Into<String>>(
        mut self,
        title: impl Into<String>,
        tags: impl IntoIterator<Item = T>,
    ) -> Self {
        let tags = tags.into_iter().map(Into::into).collect();
        self.charts.push((title.into(), ChartKind::Multiline(tags)));
        self
    }

    /// Adds a margin chart: the `value` tag in a band from `lower` to `upper`.
    pub fn margin(
        mut self,
        title: impl Into<String>,
        value: impl Into<String>,
        lower: impl Into<String>,
        upper: impl Into<String>,
    ) -> Self {
        self.charts.push((
            title.into(),
            ChartKind::Margin {
                value: value.into(),
                lower: lower.into(),
                upper: upper.into(),
            },
        ));
        self
    }
}

fn check_tags<'a>(
    category: &str,
    chart: &str,
    tags: impl IntoIterator<Item = &'a String>,
) -> Result<()> {
    let mut any = false;
    for tag in tags {
        any = true;
        if tag.is_empty() {
            return Err(Error::Empty {
                what: format!("a tag of chart `{chart}` of category `{category}`"),
            });
        }
    }
    if !any {
        return Err(Error::Empty {
            what: format!("the tags of chart `{chart}` of category `{category}`"),
        });
    }
    Ok(())
}

/// The layout summary for `categories`, as PyTorch's `custom_scalars(layout)`. Errors when a
/// category has no charts or a chart has no (or an empty) tag.
pub fn custom_scalars_summary(categories: &[LayoutCategory]) -> Result<Summary> {
    if categories.is_empty() {
        return Err(Error::Empty {
            what: "the layout's categories".to_string(),
        });
    }
    let mut layout = Layout {
        version: 0,
        category: Vec::with_capacity(categories.len()),
    };
    for category in categories {
        if category.charts.is_empty() {
            return Err(Error::Empty {
                what: format!("the charts of category `{}`", category.title),
            });
        }
        let mut charts = Vec::with_capacity(category.charts.len());
        for (title, kind) in &category.charts {
            let content = match kind {
                ChartKind::Multiline(tags) => {
                    check_tags(&category.title, title, tags)?;
                    Content::Multiline(MultilineChartContent { tag: tags.clone() })
                }
                ChartKind::Margin {
                    value,
                    lower,
                    upper,
                } => {
                    check_tags(&category.title, title, [value, lower, upper])?;
                    Content::Margin(MarginChartContent {
                        series: vec![Series {
                            value: value.clone(),
                            lower: lower.clone(),
                            upper: upper.clone(),
                        }],
                    })
                }
            };
            charts.push(Chart {
                title: title.clone(),
                content: Some(content),
            });
        }
        layout.category.push(Category {
            title: category.title.clone(),
            chart: charts,
            closed: false,
        });
    }
    Ok(Summary {
        value: vec![plugin_value(
            LAYOUT_TAG,
            plugin_names::CUSTOM_SCALARS,
            Vec::new(),
            Some(TensorProto {
                dtype: DataType::DtString as i32,
                tensor_shape: Some(TensorShapeProto::default()),
                string_val: vec![prost::Message::encode_to_vec(&layout)],
                ..Default::default()
            }),
        )],
    })
}
