//! `tensorboard/plugins/custom_scalar/layout.proto`: the custom scalars dashboard's layout.

/// `Layout`: the categories of the dashboard.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Layout {
    /// Format version (0).
    #[prost(int32, tag = "1")]
    pub version: i32,
    /// One collapsible section each.
    #[prost(message, repeated, tag = "2")]
    pub category: Vec<Category>,
}

/// `Category`: a titled group of charts.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Category {
    /// Title.
    #[prost(string, tag = "1")]
    pub title: String,
    /// The charts.
    #[prost(message, repeated, tag = "2")]
    pub chart: Vec<Chart>,
    /// Collapsed at first.
    #[prost(bool, tag = "3")]
    pub closed: bool,
}

/// `Chart`: one chart of a category.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Chart {
    /// Title.
    #[prost(string, tag = "1")]
    pub title: String,
    /// What it draws.
    #[prost(oneof = "chart::Content", tags = "2, 3")]
    pub content: Option<chart::Content>,
}

/// Nested types of [`Chart`].
pub mod chart {
    /// The `oneof content` of `Chart`.
    #[derive(Clone, PartialEq, prost::Oneof)]
    pub enum Content {
        /// Several tags as lines.
        #[prost(message, tag = "2")]
        Multiline(super::MultilineChartContent),
        /// Value with lower and upper bounds.
        #[prost(message, tag = "3")]
        Margin(super::MarginChartContent),
    }
}

/// `MultilineChartContent`: tags (regular expressions) drawn as lines.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MultilineChartContent {
    /// Tag regular expressions.
    #[prost(string, repeated, tag = "1")]
    pub tag: Vec<String>,
}

/// `MarginChartContent`: series drawn with a filled band.
#[derive(Clone, PartialEq, prost::Message)]
pub struct MarginChartContent {
    /// The series.
    #[prost(message, repeated, tag = "1")]
    pub series: Vec<margin_chart_content::Series>,
}

/// Nested types of [`MarginChartContent`].
pub mod margin_chart_content {
    /// `MarginChartContent.Series`: three scalar tags.
    #[derive(Clone, PartialEq, prost::Message)]
    pub struct Series {
        /// The line.
        #[prost(string, tag = "1")]
        pub value: String,
        /// The band's lower edge.
        #[prost(string, tag = "2")]
        pub lower: String,
        /// The band's upper edge.
        #[prost(string, tag = "3")]
        pub upper: String,
    }
}
