//! The float parameters of a burn module, by path, for weight histograms.

use burn_core::module::{ModuleVisitor, Param};
use burn_core::tensor::Tensor;

/// Collects each float parameter's values under its path (`fc1/weight`).
#[derive(Default)]
pub(crate) struct ParamCollector {
    path: Vec<String>,
    /// Each parameter's path and values, or why they could not be read.
    pub(crate) params: Vec<(String, Result<Vec<f32>, String>)>,
}

impl ModuleVisitor for ParamCollector {
    fn enter_module(&mut self, name: &str, _container_type: &str) {
        self.path.push(name.to_string());
    }

    fn exit_module(&mut self, _name: &str, _container_type: &str) {
        self.path.pop();
    }

    fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
        let path = if self.path.is_empty() {
            "param".to_string()
        } else {
            self.path.join("/")
        };
        let values = param
            .val()
            .try_into_vec_as::<f32>()
            .map_err(|e| format!("cannot read its values: {e}"));
        self.params.push((path, values));
    }
}
