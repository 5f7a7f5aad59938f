//! The two probes that run a node's backward hooks for one forward call.
//!
//! candle calls a probe as soon as its own gradient is known, output first: the output
//! probe runs the backward pre-hooks and leaves the gradient of the output for the input
//! probe, which runs the backward hooks once the gradients of the inputs are known too (as
//! PyTorch's full backward hooks see both).

use std::sync::{Arc, Mutex};

use candle_core::{Shape, Tensor};

use super::hook_fn::{BackwardHookInputs, BackwardPreHook};
use super::probe::{check_same_shape, Probe};
use super::Node;
use crate::Result;

/// The gradient of the output as the backward pre-hooks left it: the output probe stores it,
/// the input probe takes it.
type GradOutput = Arc<Mutex<Option<Tensor>>>;

/// The backward side of one forward call of a node that has backward (pre-)hooks.
pub(super) struct BackwardCall {
    node: Arc<Node>,
    n_inputs: usize,
    grad_output: GradOutput,
    /// Whether an input probe will run the backward hooks; if not (no input needs a
    /// gradient), the output probe runs them, with no input gradient.
    input_probed: bool,
}

impl BackwardCall {
    /// `Some` when `node` has backward hooks or backward pre-hooks.
    pub(super) fn new(node: &Arc<Node>, n_inputs: usize) -> Option<Self> {
        let hooks = &node.hooks;
        (hooks.has::<BackwardHookInputs>() || hooks.has::<BackwardPreHook>()).then(|| Self {
            node: node.clone(),
            n_inputs,
            grad_output: GradOutput::default(),
            input_probed: false,
        })
    }

    /// Step 2 of a call: the inputs to feed the computation, those whose gradients the
    /// backward hooks see routed through one probe (so that the hooks see every input's
    /// gradient at once).
    pub(super) fn probe_inputs(&mut self, inputs: &[Tensor]) -> candle_core::Result<Vec<Tensor>> {
        let positions = probed_inputs(inputs);
        let mut fed = inputs.to_vec();
        if positions.is_empty() {
            return Ok(fed);
        }
        self.input_probed = true;
        let probed: Vec<Tensor> = positions
            .iter()
            .filter_map(|&i| inputs.get(i).cloned())
            .collect();
        let shapes: Vec<Shape> = probed.iter().map(|t| t.shape().clone()).collect();
        let through = join_flat(&probed)?.apply_op1(Probe::new({
            let probe = InputProbe {
                node: self.node.clone(),
                n_inputs: self.n_inputs,
                positions: positions.clone(),
                shapes: shapes.clone(),
                grad_output: self.grad_output.clone(),
            };
            move |grad: &Tensor| probe.on_grad(grad)
        }))?;
        for (&i, part) in positions.iter().zip(split_flat(&through, &shapes)?) {
            if let Some(slot) = fed.get_mut(i) {
                *slot = part;
            }
        }
        Ok(fed)
    }

    /// Step 5 of a call: the output, routed through the probe that runs the backward
    /// pre-hooks (unchanged when it carries no gradient).
    pub(super) fn probe_output(self, output: Tensor) -> candle_core::Result<Tensor> {
        if !output.track_op() {
            return Ok(output);
        }
        output.apply_op1(Probe::new(move |grad: &Tensor| self.on_output_grad(grad)))
    }

    fn on_output_grad(&self, grad_output: &Tensor) -> Result<Option<Tensor>> {
        let mut replaced = None::<Tensor>;
        for hook in self.node.hooks.hooks::<BackwardPreHook>() {
            let current = replaced.as_ref().unwrap_or(grad_output);
            if let Some(new) = hook(&self.node, current)? {
                check_same_shape("grad_output", &new, grad_output)?;
                replaced = Some(new);
            }
        }
        let seen = replaced.clone().unwrap_or_else(|| grad_output.clone());
        if self.input_probed {
            *self.grad_output.lock().unwrap_or_else(|e| e.into_inner()) = Some(seen);
        } else {
            let mut none = vec![None; self.n_inputs];
            // Without an input gradient there is nothing a hook could replace.
            run_backward_hooks(&self.node, &mut none, &seen)?;
        }
        Ok(replaced)
    }
}

/// The input probe of one call: where the probed inputs sit among the call's inputs.
struct InputProbe {
    node: Arc<Node>,
    n_inputs: usize,
    positions: Vec<usize>,
    shapes: Vec<Shape>,
    grad_output: GradOutput,
}

impl InputProbe {
    /// Runs the backward hooks with the inputs' gradients (`flat`, as the probe saw them)
    /// and returns the replaced ones, if any hook replaced one.
    fn on_grad(&self, flat: &Tensor) -> Result<Option<Tensor>> {
        let taken = self
            .grad_output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        let Some(grad_output) = taken else {
            // The output probe did not run: the output was not on the loss's path through
            // this call, so PyTorch would not fire the hook either.
            return Ok(None);
        };
        let mut grads: Vec<Option<Tensor>> = vec![None; self.n_inputs];
        for (&i, part) in self.positions.iter().zip(split_flat(flat, &self.shapes)?) {
            if let Some(slot) = grads.get_mut(i) {
                *slot = Some(part);
            }
        }
        if !run_backward_hooks(&self.node, &mut grads, &grad_output)? {
            return Ok(None);
        }
        let parts: Vec<Tensor> = self
            .positions
            .iter()
            .filter_map(|&i| grads.get_mut(i).and_then(Option::take))
            .collect();
        Ok(Some(join_flat(&parts)?))
    }
}

/// Runs `node`'s backward hooks in turn on `grads` (one entry per input); returns whether
/// one replaced a gradient. As in PyTorch, a replacement for an input without a gradient is
/// ignored.
fn run_backward_hooks(
    node: &Node,
    grads: &mut [Option<Tensor>],
    grad_output: &Tensor,
) -> Result<bool> {
    let mut changed = false;
    for hook in node.hooks.hooks::<BackwardHookInputs>() {
        let Some(new) = hook(node, grads, grad_output)? else {
            continue;
        };
        if new.len() != grads.len() {
            return Err(crate::Error::Events(tfevents::Error::LengthMismatch {
                what: format!(
                    "the gradients a backward hook of `{}` returned",
                    node.name()
                ),
                got: new.len(),
                expected: grads.len(),
                per: "input of the call (None keeps its gradient)",
            }));
        }
        for (slot, new) in grads.iter_mut().zip(new) {
            if let (Some(old), Some(new)) = (slot.as_mut(), new) {
                check_same_shape("grad_input", &new, old)?;
                *old = new;
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// The inputs whose gradients backward hooks see: those that need a gradient and have the
/// dtype of the first such input (the gradients travel in one tensor).
fn probed_inputs(inputs: &[Tensor]) -> Vec<usize> {
    let mut dtype = None;
    inputs
        .iter()
        .enumerate()
        .filter(|(_, x)| x.track_op() && *dtype.get_or_insert(x.dtype()) == x.dtype())
        .map(|(i, _)| i)
        .collect()
}

/// `parts` as one tensor: the tensor itself for one part, else their flat concatenation.
fn join_flat(parts: &[Tensor]) -> Result<Tensor> {
    if let [one] = parts {
        return Ok(one.clone());
    }
    let flat = parts
        .iter()
        .map(Tensor::flatten_all)
        .collect::<candle_core::Result<Vec<_>>>()?;
    Ok(Tensor::cat(&flat, 0)?)
}

/// The inverse of [`join_flat`]: `flat` cut at the sizes of `shapes` and reshaped.
fn split_flat(flat: &Tensor, shapes: &[Shape]) -> Result<Vec<Tensor>> {
    if let [_] = shapes {
        return Ok(vec![flat.clone()]);
    }
    let mut offset = 0;
    let mut parts = Vec::with_capacity(shapes.len());
    for shape in shapes {
        let n = shape.elem_count();
        parts.push(flat.narrow(0, offset, n)?.reshape(shape)?);
        offset += n;
    }
    Ok(parts)
}
